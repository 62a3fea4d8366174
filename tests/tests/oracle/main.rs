//! Cross-checks of MSEZ against an independent implementation, and end-to-end `msez` runs.
//!
//! Goal: prove that a third party with their own tools computes the same bytes, digests, MMR
//! roots and proofs as we do, and accepts the signatures we make (and that we accept theirs).
//!
//! Method: `tests/oracle/oracle.py` is a separate Python implementation of SPEC §1–7 (PyPI
//! `rfc8785` and `cryptography`). `harness::Oracle` runs it in batch mode, one process per check,
//! through the interpreter named by `MSEZ_ORACLE_PYTHON`, which `./scripts/test.sh` sets after
//! creating its virtualenv; without it these tests fail, never pass silently. The `msez` side
//! runs in-process through `msez_api::cli::main_with`, the very function the binary's `main`
//! calls, with its arguments and standard streams passed in: no dependence on where cargo put
//! the binary, and no process per document. Random inputs come from a seeded generator, so a
//! failure names a seed and reproduces.

// The workspace lints forbid panics in library code; clippy exempts `#[test]` functions but not
// the helper modules of a test binary, which are test code too: a failed unwrap here is a failed
// test with a backtrace.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod canon;
mod chain;
mod harness;
mod json_gen;
mod mmr;
mod signing;
mod vc;
mod vectors;
