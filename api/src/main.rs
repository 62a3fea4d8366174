//! The `msez` binary: see `msez --help`.

fn main() -> std::process::ExitCode {
    msez_api::cli::main_exit_code()
}
