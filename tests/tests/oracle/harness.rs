//! Shared test machinery: the oracle process, the in-process `msez`, a seeded generator, and the
//! public vectors directory.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

/// The environment variable naming the Python interpreter that has the oracle's requirements.
pub const ORACLE_PYTHON_VAR: &str = "MSEZ_ORACLE_PYTHON";

/// The Python oracle, run as one process per batch.
pub struct Oracle {
    python: PathBuf,
}

impl Oracle {
    /// The oracle named by [`ORACLE_PYTHON_VAR`]; fails the test with instructions when unset.
    #[track_caller]
    pub fn get() -> Self {
        let Some(python) = std::env::var_os(ORACLE_PYTHON_VAR) else {
            panic!(
                "{ORACLE_PYTHON_VAR} is not set: the oracle cross-checks need the Python \
                 virtualenv; run ./scripts/test.sh (it creates .venv and sets the variable)"
            );
        };
        Self {
            python: PathBuf::from(python),
        }
    }

    /// Runs `command` over `items`; one result per item: `Ok(value)` or `Err(reason)`.
    #[track_caller]
    pub fn run(&self, command: &str, items: Vec<Value>) -> Vec<Result<Value, String>> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("oracle/oracle.py");
        let mut child = Command::new(&self.python)
            .arg(&script)
            .arg(command)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", self.python.display()));
        let item_count = items.len();
        let request = serde_json::to_vec(&json!({ "items": items })).unwrap();
        let mut stdin = child.stdin.take().unwrap();
        // Write from a thread: a large batch would otherwise fill both pipes and deadlock.
        let writer = std::thread::spawn(move || stdin.write_all(&request));
        let output = child.wait_with_output().unwrap();
        writer.join().unwrap().unwrap();
        assert!(
            output.status.success(),
            "oracle {command} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let response: Value = serde_json::from_slice(&output.stdout).unwrap();
        let results = response["results"].as_array().unwrap();
        assert_eq!(results.len(), item_count, "oracle {command}: result count");
        results
            .iter()
            .map(|result| match (result.get("ok"), result.get("error")) {
                (Some(ok), None) => Ok(ok.clone()),
                (None, Some(error)) => Err(error.as_str().unwrap().to_owned()),
                _ => panic!("oracle {command}: malformed result {result}"),
            })
            .collect()
    }

    /// Runs `command` over one item and returns its value, failing the test on an error.
    #[track_caller]
    pub fn one(&self, command: &str, item: Value) -> Value {
        match self.run(command, vec![item]).pop().unwrap() {
            Ok(value) => value,
            Err(reason) => panic!("oracle {command} rejected the item: {reason}"),
        }
    }
}

/// What one `msez` run produced.
#[derive(Debug)]
pub struct Run {
    /// The exit code.
    pub code: u8,
    /// Everything written to standard output.
    pub stdout: Vec<u8>,
    /// Everything written to standard error, as text.
    pub stderr: String,
}

impl Run {
    /// Standard output as text.
    pub fn stdout_text(&self) -> String {
        String::from_utf8(self.stdout.clone()).unwrap()
    }

    /// Standard output parsed as JSON.
    #[track_caller]
    pub fn stdout_json(&self) -> Value {
        serde_json::from_slice(&self.stdout)
            .unwrap_or_else(|error| panic!("stdout is not JSON ({error}): {}", self.stdout_text()))
    }

    /// Asserts exit code 0 and returns self.
    #[track_caller]
    pub fn success(self) -> Self {
        assert_eq!(self.code, 0, "msez failed: {}", self.stderr);
        self
    }
}

/// Runs `msez ARGS` in-process with `stdin` as standard input.
pub fn msez(args: &[&str], stdin: &[u8]) -> Run {
    let mut stdin = stdin;
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let argv = std::iter::once("msez").chain(args.iter().copied());
    let code = msez_api::cli::main_with(argv, &mut stdin, &mut stdout, &mut stderr);
    Run {
        code,
        stdout,
        stderr: String::from_utf8(stderr).unwrap(),
    }
}

/// The public conformance vectors (`../shared/vectors` from the repository root).
pub fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors")
}

/// A small seeded generator (SplitMix64): reproducible inputs with no dependency.
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (`bound > 0`).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound
    }

    /// A `usize` in `0..bound`.
    pub fn index(&mut self, bound: usize) -> usize {
        usize::try_from(self.below(bound as u64)).unwrap()
    }

    /// True with probability `numerator / denominator`.
    pub fn chance(&mut self, numerator: u64, denominator: u64) -> bool {
        self.below(denominator) < numerator
    }

    /// An element of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// `length` random bytes.
    pub fn bytes(&mut self, length: usize) -> Vec<u8> {
        (0..length).map(|_| self.next_u64() as u8).collect()
    }

    /// 32 random bytes as 64 lowercase hex characters (a digest or a seed).
    pub fn hex32(&mut self) -> String {
        hex::encode(self.bytes(32))
    }
}
