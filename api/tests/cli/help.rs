//! `msez --help` and usage errors: the help teaches (every command has an example) and a
//! usage error is exit 2.

use super::{Outcome, run};

/// Every command path `msez` offers, as typed after `msez`.
const COMMANDS: &[&[&str]] = &[
    &["canon"],
    &["digest"],
    &["mmr", "root"],
    &["mmr", "proof"],
    &["mmr", "verify"],
    &["keygen"],
    &["receipt", "next-root"],
    &["receipt", "sign"],
    &["genesis"],
    &["vc", "issue"],
    &["vc", "verify"],
    &["chain", "verify"],
];

#[test]
fn help_lists_every_command_with_an_example() {
    let top = run(&["--help"], b"").ok();
    for command in COMMANDS {
        assert!(
            top.contains(command[0]),
            "top-level help lacks {command:?}: {top}"
        );
        let mut args = command.to_vec();
        args.push("--help");
        let help = run(&args, b"").ok();
        assert!(
            help.contains("Example:"),
            "{command:?} help has no example: {help}"
        );
    }
}

#[test]
fn usage_error_exits_2() {
    let run = run(&["canon", "--no-such-flag"], b"");
    assert_eq!(run.status.code(), Some(2));
    assert!(
        run.stderr_text().contains("--no-such-flag"),
        "{}",
        run.stderr_text()
    );
}
