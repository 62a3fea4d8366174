//! JSON Schemas (draft 2020-12) for every MSEZ artifact and request, embedded in the binary.
//!
//! Will own: the schema files under `schemas/` and a validator over them.
//!
//! Never: holds logic beyond loading and validating; the rules live in `msez-protocol`.
//!
//! Status: no schemas yet; the compliance and governance issue fills this crate.
