//! `msez-load`: drives a running zone node over HTTP with thousands of corridors, optionally
//! breaking things on purpose, and proves afterwards that nothing acknowledged was lost.
//!
//! Layout, in reading order:
//! - `engine`: one run end to end: setup (create and activate corridors), the timed load with
//!   its workers, chaos and progress line, then the verification pass; returns a `Report`.
//! - `corridor`: a generated corridor (party keys, definition, agreements) and the head the
//!   generator believes in; signs the next receipt.
//! - `client`: every HTTP route the generator calls, in one place, and the error kinds.
//! - `node`: starts, SIGKILLs and restarts the node process when `--node-cmd` is given.
//! - `schedule`: open-loop and closed-loop pacing (latency from the intended send time).
//! - `histogram`: the log-linear latency histogram.
//! - `ledger`: acknowledged receipts, and the offline check of an export against them.
//! - `report`: the report, printed and written as JSON.
//!
//! Never: counts a receipt as durable because the node said so after the fact; only a 2xx
//! reply to its append counts as acknowledged, and only the exported, re-verified chain counts
//! as proof that it is still there.

pub mod client;
pub mod corridor;
pub mod engine;
pub mod error;
pub mod histogram;
pub mod ledger;
pub mod node;
pub mod report;
pub mod schedule;
