//! Corridor actor tests: one binary, modules by subject. Every test runs on a fresh SQLite file
//! and on a fresh Postgres schema (see `support`).

mod support;

mod actor;
mod core;
mod watcher;
