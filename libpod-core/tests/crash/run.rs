//! The run: which seeds, the trials in turn, one line per trial, the failures at the end.

use super::fixtures::Fixtures;
use super::ops::OpKind;
use super::trial::{Harness, Outcome, TrialResult};
use std::time::Instant;

/// Trials run by default (CI).
const DEFAULT_TRIALS: u64 = 100;

fn env_number(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    match value.trim().parse() {
        Ok(n) => Some(n),
        Err(_) => panic!("{name}={value:?} is not a number"),
    }
}

/// Runs the trials; returns the process's exit code (1 when an invariant broke).
pub fn main() -> i32 {
    let seeds: Vec<u64> = match env_number("LIBPOD_CRASH_SEED") {
        Some(seed) => vec![seed],
        None => {
            let base = env_number("LIBPOD_CRASH_BASE").unwrap_or(1);
            let trials = env_number("LIBPOD_CRASH_TRIALS").unwrap_or(DEFAULT_TRIALS);
            (base..base + trials).collect()
        }
    };
    // LIBPOD_CRASH_OPS=rmi,create: only these operations (a seed then names another trial).
    let (ops, ops_env) = match std::env::var("LIBPOD_CRASH_OPS") {
        Ok(list) => {
            let ops: Vec<OpKind> = list
                .split(',')
                .map(|name| {
                    OpKind::from_name(name.trim())
                        .unwrap_or_else(|| panic!("LIBPOD_CRASH_OPS: no operation {name:?}"))
                })
                .collect();
            assert!(!ops.is_empty(), "LIBPOD_CRASH_OPS names no operation");
            (ops, format!("LIBPOD_CRASH_OPS={list} "))
        }
        // Under libcontainer, checkpoint and restore are `RuntimeUnsupported` by design.
        Err(_) if crate::common::oci::test_runtime().is_some() => (
            OpKind::ALL
                .into_iter()
                .filter(|op| !op.on_checkpoint())
                .collect(),
            String::new(),
        ),
        Err(_) => (OpKind::ALL.to_vec(), String::new()),
    };
    super::checkpoint_ops::require_criu(&ops);
    let started = Instant::now();
    let fixtures = Fixtures::build().expect("building the fixtures");
    println!(
        "crash harness: {} trials, fixtures ready in {:.1}s",
        seeds.len(),
        started.elapsed().as_secs_f64()
    );
    let mut harness = Harness {
        fixtures: &fixtures,
        ops,
        roots: None,
        timings: Default::default(),
    };
    let mut failures: Vec<TrialResult> = Vec::new();
    let (mut killed, mut completed) = (0, 0);
    // Where the kills fell: during the open, and by thirds of the operation, then after it.
    let mut kill_points = [0usize; 5];
    for (n, seed) in seeds.iter().enumerate() {
        let trial_started = Instant::now();
        let results = harness.run(*seed);
        let elapsed = trial_started.elapsed().as_secs_f64();
        for result in results {
            if let Some(bucket) = result.kill_bucket {
                kill_points[bucket] += 1;
            }
            match result.outcome {
                Outcome::Killed => killed += 1,
                Outcome::Completed(_) => completed += 1,
                Outcome::Failed(_) => {}
            }
            let verdict = if result.report.0.is_empty() {
                "ok".to_string()
            } else {
                format!("FAILED: {}", invariants(&result))
            };
            println!(
                "trial {}/{} seed={} op={} kill={} -> {} -> {verdict} ({elapsed:.2}s)",
                n + 1,
                seeds.len(),
                result.seed,
                result.plan,
                result.kill,
                outcome(&result.outcome),
            );
            if !result.report.0.is_empty() {
                failures.push(result);
            }
        }
    }
    drop(harness);
    println!(
        "crash harness: {} trials in {:.1}s: {killed} killed mid-operation, {completed} finished first, {} failed",
        seeds.len(),
        started.elapsed().as_secs_f64(),
        failures.len()
    );
    println!(
        "crash harness: kill points: {} in the open, {} early, {} middle, {} late, {} after the calibrated end",
        kill_points[0], kill_points[1], kill_points[2], kill_points[3], kill_points[4]
    );
    // A harness whose kills all land after the operations proves nothing: with enough trials,
    // most kills must interrupt something.
    let vacuous = seeds.len() >= 30 && killed * 2 < seeds.len();
    if vacuous {
        eprintln!(
            "crash harness: only {killed} of {} trials were killed mid-operation: the kill points are off",
            seeds.len()
        );
    }
    if failures.is_empty() {
        return i32::from(vacuous);
    }
    eprintln!("\ncrash harness: invariants broken:");
    for f in &failures {
        eprintln!(
            "- seed {} (rerun: {ops_env}LIBPOD_CRASH_SEED={}), op {}, kill at {}, {}:",
            f.seed,
            f.seed,
            f.plan,
            f.kill,
            outcome(&f.outcome)
        );
        for v in &f.report.0 {
            eprintln!("    {v}");
        }
    }
    1
}

fn outcome(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Killed => "killed",
        Outcome::Completed(_) => "finished before the kill",
        Outcome::Failed(_) => "the operation failed",
    }
}

fn invariants(result: &TrialResult) -> String {
    let mut names: Vec<&str> = result.report.0.iter().map(|v| v.invariant).collect();
    names.dedup();
    names.join(", ")
}
