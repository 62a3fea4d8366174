//! Model checks of the activation table: single flight under racing first messages, and
//! passivation racing a sender (no admitted message is ever stranded in a passivated incarnation).

use loom::sync::Arc;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;

use super::*;

#[derive(Clone)]
struct TestIncarnation {
    id: u64,
    admission: Arc<Admission>,
}

impl Incarnation for TestIncarnation {
    fn incarnation_id(&self) -> u64 {
        self.id
    }

    fn admission(&self) -> &Admission {
        &self.admission
    }
}

type Table = ActivationTable<u32, TestIncarnation, u64>;

fn activate_counting(
    activations: &AtomicUsize,
    predecessor: Option<u64>,
) -> Result<TestIncarnation, ()> {
    let id = activations.fetch_add(1, Ordering::SeqCst) as u64 + 1;
    Ok(TestIncarnation {
        id: id + predecessor.unwrap_or(0) * 100,
        admission: Arc::new(Admission::new()),
    })
}

fn admitted_id(outcome: Admit<TestIncarnation>) -> u64 {
    match outcome {
        Admit::Admitted(incarnation) => incarnation.id,
        _ => panic!("expected an admitted message"),
    }
}

#[test]
fn loom_single_flight_activates_once_for_racing_first_messages() {
    loom::model(|| {
        let table = Arc::new(Table::new());
        let activations = Arc::new(AtomicUsize::new(0));
        let racers: Vec<_> = (0..2)
            .map(|_| {
                let table = table.clone();
                let activations = activations.clone();
                thread::spawn(move || {
                    let outcome = table
                        .admit(&7, 8, |predecessor| {
                            activate_counting(&activations, predecessor)
                        })
                        .unwrap();
                    admitted_id(outcome)
                })
            })
            .collect();
        let ids: Vec<u64> = racers
            .into_iter()
            .map(|racer| racer.join().unwrap())
            .collect();
        assert_eq!(activations.load(Ordering::SeqCst), 1);
        assert_eq!(ids, vec![1, 1]);
        assert_eq!(table.active(&7).map(|live| live.admission.depth()), Some(2));
    });
}

#[test]
fn loom_passivation_never_strands_an_admitted_message() {
    loom::model(|| {
        let table = Arc::new(Table::new());
        let activations = Arc::new(AtomicUsize::new(0));
        let first = table
            .admit(&1, 8, |predecessor| {
                activate_counting(&activations, predecessor)
            })
            .unwrap();
        let first = match first {
            Admit::Admitted(incarnation) => incarnation,
            _ => panic!("first message refused"),
        };
        // The first message was handled.
        first.admission.release();

        let passivator = {
            let table = table.clone();
            thread::spawn(move || table.begin_passivation(&1, 1, 42))
        };
        let sender = {
            let table = table.clone();
            let activations = activations.clone();
            thread::spawn(move || {
                let outcome = table
                    .admit(&1, 8, |predecessor| {
                        activate_counting(&activations, predecessor)
                    })
                    .unwrap();
                admitted_id(outcome)
            })
        };
        let passivated = passivator.join().unwrap();
        let admitted_to = sender.join().unwrap();
        if passivated {
            // The sender reached a successor that waits on the predecessor's barrier (42).
            assert_eq!(admitted_to, 2 + 42 * 100);
            assert_eq!(first.admission.depth(), 0);
        } else {
            assert_eq!(admitted_to, 1);
            assert_eq!(first.admission.depth(), 1);
        }
    });
}
