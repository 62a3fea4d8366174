//! End-to-end, parity, chaos and load tests for MSEZ.
//!
//! Owns the cross-checks against independent implementations (`tests/oracle/oracle.py`, a Python
//! implementation of SPEC §1–7 built on PyPI `rfc8785` and `cryptography`) in the `oracle` test
//! binary, and, later, the load generator. Nothing depends on this crate.
//!
//! The oracle tests need `MSEZ_ORACLE_PYTHON`, the interpreter of a virtualenv with
//! `tests/oracle/requirements.txt`; `./scripts/test.sh` creates `.venv` and sets it. Without it
//! they fail with that instruction rather than pass silently.
//!
//! Never: shares code with the implementation it checks; the oracle is written separately.
