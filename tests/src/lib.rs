//! End-to-end, parity, chaos and load tests for MSEZ.
//!
//! Owns the cross-checks against independent implementations (`tests/oracle/`, a Python
//! implementation of SPEC §1–7 built on PyPI `rfc8785` and `cryptography`) and, later, the load
//! generator. Nothing depends on this crate.
//!
//! Never: shares code with the implementation it checks; the oracle is written separately.
