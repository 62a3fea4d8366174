//! The `msez` binary: see `msez --help`.
//!
//! The global allocator is mimalloc. A profile of the node under load (docs/PERFORMANCE.md)
//! put glibc `malloc` and `free` at 31% of its CPU: every request allocates its JSON, its
//! receipt and its reply across two tokio workers, the pattern glibc's per-arena locking
//! serves worst. The measured difference is in docs/PERFORMANCE.md ("Allocator").

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    msez_api::cli::main_exit_code()
}
