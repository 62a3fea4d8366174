//! The bound at the limit and at limit + 1, and release after refusal.
use super::*;

#[test]
fn admission_refuses_at_bound_and_admits_after_release() {
    let admission = Admission::new();
    for _ in 0..3 {
        assert_eq!(admission.try_admit(3), Ok(()));
    }
    assert_eq!(admission.try_admit(3), Err(Refused { depth: 3 }));
    assert_eq!(admission.depth(), 3);
    admission.release();
    assert_eq!(admission.try_admit(3), Ok(()));
    assert_eq!(admission.depth(), 3);
}

#[test]
fn admission_bound_zero_refuses_everything() {
    let admission = Admission::new();
    assert_eq!(admission.try_admit(0), Err(Refused { depth: 0 }));
}
