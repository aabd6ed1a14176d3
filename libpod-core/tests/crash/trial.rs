//! One trial: the preconditions, the operation in a child killed at the seeded moment, the
//! invariants, and a retry of an interrupted container operation.

use super::fixtures::Fixtures;
use super::invariants::{Report, check};
use super::ops::{ChildArgs, DONE, OpKind, Plan, READY};
use super::rng::Rng;
use super::roots::{Roots, open_runtime};
use super::setup::prepare;
use libpod_core::CoreError;
use libpod_core::container::{ContainerStatus, RemoveOptions};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long an operation took, uninterrupted: opening the runtime, then the operation.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    pub open: Duration,
    pub op: Duration,
}

/// When the child is killed.
#[derive(Clone, Copy, Debug)]
pub enum KillAt {
    /// Never: the calibration run.
    Never,
    /// This long after the spawn, while the runtime opens (and repairs).
    Open(Duration),
    /// This long after the child said its runtime was open: `fraction` of the operation's
    /// calibrated duration (up to 1.2, so that some kills come after the end).
    Op { delay: Duration, fraction: f64 },
}

impl KillAt {
    /// Draws the kill point: one trial in eight kills during the open.
    pub fn draw(rng: &mut Rng, timing: Timing) -> KillAt {
        if rng.below(8) == 0 {
            KillAt::Open(timing.open.mul_f64(rng.unit()))
        } else {
            let fraction = rng.unit() * 1.2;
            KillAt::Op {
                delay: timing.op.mul_f64(fraction),
                fraction,
            }
        }
    }

    /// 0 in the open, 1 to 3 by thirds of the operation, 4 after its calibrated end.
    pub fn bucket(&self) -> Option<usize> {
        match self {
            KillAt::Never => None,
            KillAt::Open(_) => Some(0),
            KillAt::Op { fraction, .. } => Some(match *fraction {
                f if f < 1.0 / 3.0 => 1,
                f if f < 2.0 / 3.0 => 2,
                f if f < 1.0 => 3,
                _ => 4,
            }),
        }
    }

    pub fn describe(&self, timing: Option<Timing>) -> String {
        match (self, timing) {
            (KillAt::Never, _) => "none (calibration)".into(),
            (KillAt::Open(d), Some(t)) => {
                format!("open+{:.1}ms (open takes {:.1}ms)", ms(*d), ms(t.open))
            }
            (KillAt::Op { delay, fraction }, Some(t)) => {
                format!("op+{:.1}ms ({fraction:.2} x {:.1}ms)", ms(*delay), ms(t.op))
            }
            (KillAt::Open(d), None) => format!("open+{:.1}ms", ms(*d)),
            (KillAt::Op { delay, .. }, None) => format!("op+{:.1}ms", ms(*delay)),
        }
    }
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// How the child ended.
#[derive(Debug)]
pub enum Outcome {
    /// SIGKILLed by us before it finished.
    Killed,
    /// It finished the operation before the kill point.
    Completed(Timing),
    /// It failed on its own (exit code, stderr).
    Failed(String),
}

/// The result of a trial.
pub struct TrialResult {
    pub seed: u64,
    pub plan: String,
    pub kill: String,
    pub kill_bucket: Option<usize>,
    pub outcome: Outcome,
    pub report: Report,
}

/// The harness's state across trials: the roots (reset after a failure) and the timings of
/// the uninterrupted runs of each operation's shape (see [`Plan::shape`]).
pub struct Harness<'f> {
    pub fixtures: &'f Fixtures,
    /// The operations trials draw from.
    pub ops: Vec<OpKind>,
    pub roots: Option<Roots>,
    pub timings: BTreeMap<(OpKind, bool), Vec<Timing>>,
}

impl Harness<'_> {
    /// The median of the shape's uninterrupted runs: the calibration, then every trial whose
    /// operation finished before its kill point (so that one slow or fast calibration on a
    /// busy machine does not skew all the kill points).
    fn timing(&self, shape: (OpKind, bool)) -> Option<Timing> {
        let runs = self.timings.get(&shape)?;
        let mut ops: Vec<Duration> = runs.iter().map(|t| t.op).collect();
        let mut opens: Vec<Duration> = runs.iter().map(|t| t.open).collect();
        ops.sort();
        opens.sort();
        Some(Timing {
            open: *opens.get(opens.len() / 2)?,
            op: *ops.get(ops.len() / 2)?,
        })
    }

    /// Runs the trial of `seed`: calibrates its operation first if this is the operation's
    /// first trial (an uninterrupted run, checked like any other).
    pub fn run(&mut self, seed: u64) -> Vec<TrialResult> {
        let mut rng = Rng::new(seed);
        let plan = Plan::draw(&mut rng, &self.ops);
        let mut results = Vec::new();
        if self.timing(plan.shape()).is_none() {
            let result = self.run_one(seed, &plan, KillAt::Never, "cal");
            let failed = !result.report.0.is_empty();
            results.push(result);
            if failed || self.timing(plan.shape()).is_none() {
                return results;
            }
        }
        let timing = self.timing(plan.shape()).expect("calibrated above");
        let kill = KillAt::draw(&mut rng, timing);
        results.push(self.run_one(seed, &plan, kill, "t"));
        results
    }

    fn run_one(&mut self, seed: u64, plan: &Plan, kill: KillAt, tag: &str) -> TrialResult {
        let timing = self.timing(plan.shape());
        let mut result = TrialResult {
            seed,
            plan: plan.describe(),
            kill: kill.describe(timing),
            kill_bucket: kill.bucket(),
            outcome: Outcome::Failed("not run".into()),
            report: Report::default(),
        };
        if self.roots.is_none() {
            match Roots::new(self.fixtures) {
                Ok(r) => self.roots = Some(r),
                Err(e) => {
                    result.report.fail("setup", format!("fresh roots: {e}"));
                    return result;
                }
            }
        }
        let roots = self.roots.as_ref().expect("made above");
        let label = format!("{seed}-{tag}");
        let args = match open_runtime(roots.path())
            .map_err(|e| format!("opening: {e}"))
            .and_then(|rt| prepare(&rt, roots, self.fixtures, plan, &label))
        {
            Ok(args) => args,
            Err(e) => {
                result.report.fail("setup", e);
                self.roots = None;
                return result;
            }
        };
        result.outcome = run_child(&args, kill);
        if let Outcome::Completed(timing) = result.outcome {
            self.timings.entry(plan.shape()).or_default().push(timing);
        }
        if let Outcome::Failed(err) = &result.outcome {
            result.report.fail("operation succeeds", err.clone());
        }
        if let Some(rt) = check(roots.path(), self.fixtures, &args, &mut result.report)
            && matches!(result.outcome, Outcome::Killed)
        {
            retry(&rt, &args, &mut result.report);
        }
        if !result.report.0.is_empty() {
            // Start the next trial from a clean slate.
            self.roots = None;
        }
        result
    }
}

/// Runs the operation in a child (this binary re-executed) and kills it at `kill`.
fn run_child(args: &ChildArgs, kill: KillAt) -> Outcome {
    let exe = std::env::current_exe().expect("the test binary's path");
    let start = Instant::now();
    let mut child = match Command::new(exe)
        .envs(args.to_env())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => return Outcome::Failed(format!("spawning the child: {e}")),
    };
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().expect("piped");
    let out_reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send((line, Instant::now())).is_err() {
                break;
            }
        }
    });
    let mut stderr = child.stderr.take().expect("piped");
    let err_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    // A hung operation is a failure too; the bound is far above any operation's duration.
    let limit = Duration::from_secs(60);
    let mut ready_at = None;
    let mut done_at = None;
    let deadline = match kill {
        KillAt::Never => None,
        KillAt::Open(delay) => Some(start + delay),
        KillAt::Op { .. } => None,
    };
    let mut killed = false;
    loop {
        let wait_until = deadline.unwrap_or(start + limit);
        let now = Instant::now();
        if now >= wait_until {
            if child.try_wait().ok().flatten().is_none() {
                let _ = child.kill();
                killed = deadline.is_some();
            }
            break;
        }
        match rx.recv_timeout(wait_until - now) {
            Ok((line, at)) if line == READY => {
                ready_at = Some(at);
                if let (KillAt::Op { delay, .. }, None) = (kill, deadline) {
                    // From here the kill point counts.
                    let at = at + delay;
                    if Instant::now() < at {
                        std::thread::sleep(at - Instant::now());
                    }
                    if child.try_wait().ok().flatten().is_none() {
                        let _ = child.kill();
                        killed = true;
                    }
                    break;
                }
            }
            Ok((line, at)) if line == DONE => done_at = Some(at),
            Ok(_) => {}
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            // stdout closed: the child is exiting.
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let status = child.wait();
    let stderr = err_reader.join().unwrap_or_default();
    // Every line the child wrote is in the channel once its reader saw the end of the pipe.
    let _ = out_reader.join();
    while let Ok((line, at)) = rx.try_recv() {
        if line == DONE {
            done_at = Some(at);
        } else if line == READY && ready_at.is_none() {
            ready_at = Some(at);
        }
    }
    match status {
        Ok(s) if killed && s.signal() == Some(9) => Outcome::Killed,
        Ok(s) if s.success() => match (ready_at, done_at) {
            (Some(ready), Some(done)) => Outcome::Completed(Timing {
                open: ready - start,
                op: done - ready,
            }),
            _ => Outcome::Failed(format!(
                "the child exited 0 without saying ready and done: {stderr}"
            )),
        },
        Ok(s) if s.signal() == Some(9) => Outcome::Failed(format!(
            "the operation did not finish within {}s: {stderr}",
            limit.as_secs()
        )),
        Ok(s) => Outcome::Failed(format!("{s}: {}", stderr.trim())),
        Err(e) => Outcome::Failed(format!("waiting for the child: {e}")),
    }
}

/// An interrupted container operation must be retryable by the next process, and finish.
fn retry(
    rt: &libpod_core::runtime::Runtime,
    args: &ChildArgs,
    report: &mut super::invariants::Report,
) {
    if args.op == OpKind::VolumeRm {
        if let Ok(volume) = rt.volume(&args.target)
            && let Err(e) =
                rt.remove_volume(&volume, libpod_core::volume::VolumeRemoveOptions::default())
        {
            report.fail("retry", format!("volume rm again {}: {e}", args.target));
        }
        return;
    }
    if args.op.on_pod() {
        return super::pod_checks::retry(rt, args, report);
    }
    if args.op.on_network() {
        return super::network_checks::retry(rt, args, report);
    }
    if args.op.on_checkpoint() {
        if let Err(e) = super::checkpoint_ops::retry(rt, args) {
            report.fail("retry", format!("{} {}: {e}", args.op.name(), args.target));
        }
        return;
    }
    let ctr = match rt.container(&args.target) {
        Ok(c) => c,
        Err(CoreError::ContainerNotFound(_)) => return,
        Err(e) => return report.fail("retry", format!("looking up {}: {e}", args.target)),
    };
    let status = match ctr.status() {
        Ok(s) => s,
        Err(e) => return report.fail("retry", format!("{}: status: {e}", args.target)),
    };
    let outcome = match (args.op, status) {
        (OpKind::Start, ContainerStatus::Running) => Ok(()),
        (OpKind::Start, _) => ctr
            .start()
            .map_err(|e| format!("start again ({status}): {e}")),
        (OpKind::Stop, ContainerStatus::Running | ContainerStatus::Stopping) => ctr
            .stop(None)
            .map_err(|e| format!("stop again ({status}): {e}")),
        (OpKind::Rm, _) => rt
            .remove_container(&ctr, RemoveOptions::default().force(true).timeout(2))
            .map_err(|e| format!("rm again ({status}): {e}"))
            .and_then(|()| match rt.storage().container(ctr.id()) {
                Err(libpod_storage::StorageError::ContainerNotKnown(_)) => Ok(()),
                Ok(_) => Err("rm again left the container's storage".into()),
                Err(e) => Err(format!("after rm again: {e}")),
            }),
        // Cleaned up and restarted by its policy (an `always` container nobody stopped).
        (OpKind::Cleanup, _) => rt
            .cleanup_container(ctr.id())
            .map_err(|e| format!("cleanup again ({status}): {e}"))
            .and_then(|_| match ctr.status() {
                Ok(ContainerStatus::Running) => Ok(()),
                Ok(other) => Err(format!("cleanup again left it {other}, not restarted")),
                Err(e) => Err(format!("after cleanup again: {e}")),
            }),
        (OpKind::Exec, ContainerStatus::Running) => ctr
            .exec(
                super::ops::exec_config(),
                libpod_core::exec::ExecStreams::discard(),
            )
            .map_err(|e| format!("exec again: {e}"))
            .and_then(|end| match end {
                libpod_core::exec::ExecEnd::Exited(0) => Ok(()),
                other => Err(format!("exec again ended {other:?}")),
            }),
        (OpKind::Healthcheck, ContainerStatus::Running) => ctr
            .healthcheck_run()
            .map_err(|e| format!("healthcheck again: {e}"))
            .and_then(|_| match ctr.health() {
                Ok(Some(h)) if h.status == "healthy" && h.failing_streak == 0 => Ok(()),
                other => Err(format!("health after the check again: {other:?}")),
            }),
        _ => Ok(()),
    };
    if let Err(e) = outcome {
        report.fail("retry", format!("{} ({}): {e}", ctr.name(), ctr.id()));
    }
}
