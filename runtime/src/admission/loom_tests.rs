//! Model check: with two senders racing one consumer, the depth never exceeds the bound and
//! every admitted message is released exactly once (final depth zero).
use super::*;
use loom::sync::Arc;
use loom::thread;

#[test]
fn loom_admission_never_exceeds_bound() {
    loom::model(|| {
        let admission = Arc::new(Admission::new());
        let bound = 1;
        let senders: Vec<_> = (0..2)
            .map(|_| {
                let admission = admission.clone();
                thread::spawn(move || {
                    let admitted = admission.try_admit(bound).is_ok();
                    assert!(admission.depth() <= bound);
                    if admitted {
                        admission.release();
                    }
                    admitted
                })
            })
            .collect();
        let mut admitted_count = 0;
        for sender in senders {
            if sender.join().unwrap() {
                admitted_count += 1;
            }
        }
        assert!(admitted_count >= 1);
        assert_eq!(admission.depth(), 0);
    });
}

#[test]
fn loom_admission_consumer_release_races_sender() {
    loom::model(|| {
        let admission = Arc::new(Admission::new());
        assert!(admission.try_admit(1).is_ok());
        let consumer = {
            let admission = admission.clone();
            thread::spawn(move || admission.release())
        };
        let second = admission.try_admit(1);
        consumer.join().unwrap();
        match second {
            Ok(()) => assert_eq!(admission.depth(), 1),
            Err(refused) => {
                assert_eq!(refused.depth, 1);
                assert_eq!(admission.depth(), 0);
            }
        }
    });
}
