//! End-to-end, parity, chaos and load tests for MSEZ.
//!
//! Owns the cross-checks against independent implementations (`tests/oracle/oracle.py`, a Python
//! implementation of SPEC §1–7 built on PyPI `rfc8785` and `cryptography`) in the `oracle` test
//! binary, and the load and chaos generator [`load`] behind the `msez-load` binary. Nothing
//! depends on this crate.
//!
//! The oracle tests need `MSEZ_ORACLE_PYTHON`, the interpreter of a virtualenv with
//! `tests/oracle/requirements.txt`; `./scripts/test.sh` creates `.venv` and sets it. Without it
//! they fail with that instruction rather than pass silently.
//!
//! Never: shares code with the implementation it checks; the oracle is written separately. The
//! load generator uses `msez-protocol` only to *produce* receipts and to re-verify exports with
//! the same verifier `msez chain verify` uses; it reimplements no rule.

pub mod load;
