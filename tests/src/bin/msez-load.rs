//! `msez-load`: load and chaos generator for a zone node. See `msez-load --help`.
//!
//! Owns the command line only: flags become a `LoadConfig`, the report is printed (the last
//! stdout line is one JSON object) and optionally written whole with `--out`.
//!
//! Never: prints the token.
//!
//! The global allocator is mimalloc, as in `msez`: the generator shares the node's two cores,
//! and a profile of it under load put glibc `malloc` and `free` at about 14% of its CPU.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use msez_tests::load::engine::{LoadConfig, run};
use msez_tests::load::error::LoadError;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Drive a running MSEZ zone node with thousands of corridors and prove nothing acknowledged
/// is lost.
///
/// The run has three phases. Setup creates N corridors, each with two freshly generated party
/// keys, both parties' signed agreements and an activation. Load then appends client-signed
/// receipts (SPEC §5) to every corridor for --duration seconds over --concurrency connections,
/// with one inclusion proof in --proof-every requests, one netting request in --netting-every
/// and one entity formation in --formation-every. Formations are the requests that make the
/// node call Mass; they need a node started with --zone and a zone_admin token, and a probe
/// before the load drops them (saying why) otherwise. Finally every corridor is exported as
/// JSON Lines and its chain re-verified offline from genesis; every receipt the node
/// acknowledged must be there, at its sequence, with its root, with no gaps or duplicates.
///
/// Without --rate the load is closed-loop (each connection sends as soon as its last reply
/// came back: maximum throughput). With --rate it is open-loop: requests are due at a fixed
/// rate whatever the node does, and latency counts from when a request was due, so stalls
/// show in the percentiles.
///
/// --chaos kills five random corridor actors through POST /v1/admin/actors/{path}/kill at 25%
/// and 70% of the run, and, if --node-cmd is given, SIGKILLs the node at 45% and restarts it
/// with the same command, reporting how long until it served again and until throughput
/// recovered. From 55% to 65% it makes every Mass service of the node's in-process sandbox
/// slow (200 ms) and failing (half of the requests, 503) through POST
/// /v1/admin/mass-sandbox/faults/{service}, then heals them; the report shows the window (a
/// node on real Mass refuses, and the report says so). With --node-cmd the tool starts the node itself (output to --node-log) and
/// waits for GET /health/readiness.
///
/// Output: a progress line on stderr every second; at the end a human summary and, as the
/// last stdout line, one JSON object (corridors, acknowledged, lost, duplicates,
/// chains_verified, throughput_per_s, p50_ms, p99_ms, errors, restarts, ...). Exit status 1
/// if any acknowledged receipt was lost or any chain failed to verify, 2 if the run could not
/// be carried out.
///
/// Example (the tool owns the node, SQLite in a temporary directory):
///
///   MSEZ_ADMIN_TOKEN=secret msez-load --token secret --url http://127.0.0.1:8089 \
///     --node-cmd 'msez serve --listen 127.0.0.1:8089 --data-dir /tmp/msez-load' \
///     --corridors 10000 --duration 60 --concurrency 64 --chaos --out load.json
#[derive(Debug, Parser)]
#[command(name = "msez-load", version, verbatim_doc_comment)]
struct Args {
    /// Base URL of the node, such as http://127.0.0.1:8080.
    #[arg(long)]
    url: String,
    /// Bearer token (a zone_admin or operator token; chaos needs kill rights). Read from the
    /// environment variable MSEZ_LOAD_TOKEN when absent, which keeps it out of `ps`.
    #[arg(long)]
    token: Option<String>,
    /// Operator token for the chaos drills (actor kills and Mass faults are operator-only). Read from MSEZ_LOAD_OPERATOR_TOKEN when absent; --token otherwise.
    #[arg(long)]
    operator_token: Option<String>,
    /// Corridors to create and drive.
    #[arg(long, default_value_t = 10_000)]
    corridors: usize,
    /// Seconds of timed load (setup and verification come on top).
    #[arg(long, default_value_t = 30)]
    duration: u64,
    /// Concurrent connections, one worker each.
    #[arg(long, default_value_t = 64)]
    concurrency: u32,
    /// Open-loop target in requests per second over all connections; omit for closed-loop.
    #[arg(long)]
    rate: Option<f64>,
    /// Kill corridor actors (and the node, with --node-cmd) and make Mass fail while under
    /// load.
    #[arg(long)]
    chaos: bool,
    /// Command that starts the node; the tool then owns it (starts, kills, restarts, stops).
    #[arg(long)]
    node_cmd: Option<String>,
    /// Where the node's stdout and stderr go when --node-cmd is given.
    #[arg(long, default_value = "msez-load-node.log")]
    node_log: PathBuf,
    /// One request in this many is an inclusion proof (0: none).
    #[arg(long, default_value_t = 50)]
    proof_every: u64,
    /// One request in this many is a netting request (0: none).
    #[arg(long, default_value_t = 100)]
    netting_every: u64,
    /// One request in this many is an entity formation, which makes the node call Mass
    /// (0: none). Needs a node started with --zone and a zone_admin --token; otherwise a probe
    /// before the load finds out, and the report's formation_note says why there were none.
    #[arg(long, default_value_t = 500)]
    formation_every: u64,
    /// Write the full JSON report here.
    #[arg(long)]
    out: Option<PathBuf>,
    /// No progress line on stderr.
    #[arg(long)]
    quiet: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let Some(token) = args.token.or_else(|| std::env::var("MSEZ_LOAD_TOKEN").ok()) else {
        eprintln!("msez-load: give --token or set MSEZ_LOAD_TOKEN");
        return ExitCode::from(2);
    };
    let config = LoadConfig {
        url: args.url,
        token,
        operator_token: args
            .operator_token
            .or_else(|| std::env::var("MSEZ_LOAD_OPERATOR_TOKEN").ok()),
        corridor_count: args.corridors,
        duration: Duration::from_secs(args.duration),
        concurrency: args.concurrency,
        rate_per_s: args.rate,
        chaos: args.chaos,
        node_command: args.node_cmd,
        node_log: args.node_log,
        proof_every: args.proof_every,
        netting_every: args.netting_every,
        formation_every: args.formation_every,
        progress: !args.quiet,
    };
    match run_and_print(&config, args.out) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!("msez-load: {error}");
            ExitCode::from(2)
        }
    }
}

fn run_and_print(config: &LoadConfig, out: Option<PathBuf>) -> Result<bool, LoadError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| LoadError::Task {
            task: "runtime",
            reason: error.to_string(),
        })?;
    let report = runtime.block_on(run(config))?;
    for line in report.human_lines() {
        println!("{line}");
    }
    if let Some(path) = out {
        let text = serde_json::to_string_pretty(&report).map_err(|error| LoadError::Report {
            path: path.clone(),
            source: std::io::Error::other(error),
        })?;
        std::fs::write(&path, text).map_err(|source| LoadError::Report { path, source })?;
    }
    let summary = serde_json::to_string(&report.summary()).map_err(|error| LoadError::Task {
        task: "summary",
        reason: error.to_string(),
    })?;
    println!("{summary}");
    Ok(report.invariants_hold())
}
