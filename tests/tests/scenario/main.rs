//! Whole-system scenarios against an in-process zone node (SQLite, the Mass sandbox) over real
//! HTTP, driven through the load generator's own client where it has the route.
//!
//! Goal: the node does what an operator and a corridor's parties rely on, end to end. Method:
//! `node` starts one node per test on port 0; each module is one scenario.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod end_to_end;
mod mass_chaos;
mod node;
#[path = "../../../api/tests/common/pacs008.rs"]
mod pacs008;
