//! The `msez` command-line tool and, later, the zone node's HTTP API.
//!
//! Owns the offline commands ([`cli`]): each reads a file or `-` for stdin, writes to stdout, and
//! exits 0 on success, 1 on a verification failure, 2 on bad input with a one-line reason on
//! stderr that names the field.
//!
//! Never: decides a protocol rule (those live in `msez-protocol`), or writes a digest of bytes
//! that did not pass through the canonicaliser.

pub mod cli;
pub mod server;
