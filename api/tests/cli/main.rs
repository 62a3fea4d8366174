//! The `msez` binary, driven as a user drives it: real process, arguments, standard streams,
//! files and exit codes.
//!
//! Goal: every offline command keeps its contract: the documented output on success, exit 1
//! with a one-line reason on a verification failure, exit 2 with a one-line reason naming the
//! field on bad input. Method: one module per command group; each test runs the binary cargo
//! built for this package (`CARGO_BIN_EXE_msez`) through `run`, the one place that spawns it.
//! Cross-checks against an independent implementation live in the `msez-tests` crate.

// The workspace lints forbid panics in library code; clippy exempts `#[test]` functions but not
// the helper functions of a test binary, which are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod canon;
mod help;
mod keygen;
mod mmr;

use std::io::Write;
use std::process::{Command, Stdio};

/// What one run of the binary produced.
#[derive(Debug)]
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Standard output as text.
    pub fn stdout_text(&self) -> String {
        String::from_utf8(self.stdout.clone()).unwrap()
    }

    /// Asserts success and returns standard output as text.
    #[track_caller]
    pub fn ok(&self) -> String {
        assert_eq!(self.code, 0, "msez failed: {}", self.stderr);
        assert!(self.stderr.is_empty(), "stderr on success: {}", self.stderr);
        self.stdout_text()
    }

    /// Asserts exit `code`, nothing on stdout unless allowed, and a single stderr line
    /// containing every piece of `expected`.
    #[track_caller]
    pub fn fails(&self, code: i32, expected: &[&str]) {
        assert_eq!(self.code, code, "exit code; stderr: {}", self.stderr);
        assert_eq!(
            self.stderr.lines().count(),
            1,
            "one stderr line: {}",
            self.stderr
        );
        assert!(self.stderr.starts_with("msez: "), "stderr: {}", self.stderr);
        for piece in expected {
            assert!(
                self.stderr.contains(piece),
                "stderr lacks {piece:?}: {}",
                self.stderr
            );
        }
    }
}

/// Runs `msez ARGS` with `stdin`.
pub fn run(args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_msez"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child_stdin = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    // Write from a thread so that a large input cannot deadlock against a full stdout pipe.
    let writer = std::thread::spawn(move || {
        // A command that exits early closes its stdin; that is its business, not a failure.
        let _ = child_stdin.write_all(&input);
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    Run {
        code: output.status.code().unwrap(),
        stdout: output.stdout,
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}
