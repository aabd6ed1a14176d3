//! The checkpoint operations (CRIU through runc, restore through conmon's `--restore`):
//! their preconditions, their run in the child, and their retry.
//!
//! - `checkpoint`: of a running counting container; plain, with `--leave-running --keep`, or
//!   with `--export` to an archive under the roots' `exports/` (leaving it running or not).
//! - `restore`: in place, of a container left exited and checkpointed (with `--keep` or not).
//! - `restore-import`: an archive exported beforehand restored into a new container, by a
//!   new name, with the named volume the archive carries made anew (the exported container
//!   and its volume are removed first: an import refuses an existing volume).
//!
//! Their containers count (`echo 1, 2, 3...` into a k8s-file log), so that the checks can
//! tell a restored process (its count goes on) from a fresh start (it counts from 1).

use super::ops::{ChildArgs, OpKind, Plan, container_options};
use super::roots::Roots;
use super::setup::{MAX_CONTAINERS, MAX_RUNNING, containers, limit_running, make_room};
use libpod_core::container::{
    CheckpointOptions, Container, ContainerStatus, LogDriver, RemoveOptions, RestoreOptions,
    with_command, with_log_driver, with_named_volumes,
};
use libpod_core::runtime::Runtime;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Counts on stdout, 20 a second; exits at once on SIGTERM.
const COUNTER: &str = "i=0; trap 'exit 0' TERM; while :; do i=$((i+1)); echo $i; sleep 0.05; done";

/// Where the trials' archives go, under the roots' directory.
const EXPORTS: &str = "exports";

/// What a checkpoint operation does besides its target (passed to the child in the
/// environment), and what the parent saw before it (for the checks).
#[derive(Clone, Debug, Default)]
pub struct CheckpointPlan {
    /// `checkpoint`: the archive to export to; `restore-import`: the archive to import.
    pub archive: Option<PathBuf>,
    /// `checkpoint`: `--leave-running`.
    pub leave_running: bool,
    /// `--keep` (CRIU's logs, and for a restore the checkpoint).
    pub keep: bool,
    /// Parent only, for a restore: the container's log, how many counts it held before the
    /// operation and the last (the count a restored process goes on from).
    pub resumes: Option<(PathBuf, usize, u64)>,
}

const ENV_ARCHIVE: &str = "LIBPOD_CRASH_CHILD_ARCHIVE";
const ENV_FLAGS: &str = "LIBPOD_CRASH_CHILD_CKPT_FLAGS";

impl CheckpointPlan {
    pub fn to_env(&self, env: &mut Vec<(&'static str, String)>) {
        if let Some(archive) = &self.archive {
            env.push((ENV_ARCHIVE, archive.display().to_string()));
        }
        let flags = [(self.leave_running, "leave-running"), (self.keep, "keep")]
            .into_iter()
            .filter_map(|(on, name)| on.then_some(name))
            .collect::<Vec<_>>()
            .join(",");
        env.push((ENV_FLAGS, flags));
    }

    pub fn from_env() -> Option<CheckpointPlan> {
        let flags = std::env::var(ENV_FLAGS).ok()?;
        Some(CheckpointPlan {
            archive: std::env::var(ENV_ARCHIVE).ok().map(PathBuf::from),
            leave_running: flags.split(',').any(|f| f == "leave-running"),
            keep: flags.split(',').any(|f| f == "keep"),
            resumes: None,
        })
    }

    /// The checkpoint's options.
    pub fn checkpoint_options(&self) -> CheckpointOptions {
        let mut options = CheckpointOptions::default()
            .leave_running(self.leave_running)
            .keep(self.keep);
        if let Some(archive) = &self.archive {
            options = options.export(archive);
        }
        options
    }

    /// The restore's options; `name` for an import.
    pub fn restore_options(&self, name: Option<&str>) -> RestoreOptions {
        let options = RestoreOptions::default().keep(self.keep);
        match name {
            Some(name) => options.name(name),
            None => options,
        }
    }
}

/// Fails at once, saying how to get one, without a CRIU that works here when a checkpoint
/// operation may be drawn (rather than in every such trial).
pub fn require_criu(ops: &[OpKind]) {
    if ops.iter().any(|op| op.on_checkpoint()) {
        libpod_testutil::require_criu();
    }
}

/// Whether a plan's checkpoint exports (its shape: an export takes longer).
pub fn exports(plan: &Plan) -> bool {
    plan.op == OpKind::Checkpoint && plan.running
}

/// The plan's variant: `checkpoint(export, leave-running)`, `restore(keep)`.
pub fn describe(plan: &Plan) -> String {
    let second = (plan.pick >> 40) & 1 == 1;
    let flags: Vec<&str> = match plan.op {
        OpKind::Checkpoint => [(exports(plan), "export"), (second, "leave-running")]
            .into_iter()
            .filter_map(|(on, name)| on.then_some(name))
            .collect(),
        OpKind::Restore if second => vec!["keep"],
        _ => vec![],
    };
    format!("{}({})", plan.op.name(), flags.join(", "))
}

/// The preconditions: a running counting container to checkpoint, a checkpointed one to
/// restore, an archive to import.
pub fn prepare(
    rt: &Runtime,
    roots: &Roots,
    plan: &Plan,
    label: &str,
    args: &mut ChildArgs,
) -> Result<(), String> {
    make_room(rt, plan, MAX_CONTAINERS - 1)?;
    let second = (plan.pick >> 40) & 1 == 1;
    let exports_dir = roots.path().join(EXPORTS);
    remove_old_archives(&exports_dir)?;
    let mut ckpt = CheckpointPlan::default();
    match plan.op {
        OpKind::Checkpoint => {
            limit_running(rt, MAX_RUNNING - 1)?;
            let ctr = pick_or_make(rt, roots, plan, label, |c, s| {
                s == ContainerStatus::Running && is_counter(c)
            })?;
            if exports(plan) {
                ckpt.archive = Some(exports_dir.join(format!("crash-{label}.tar.zst")));
            }
            ckpt.leave_running = second;
            ckpt.keep = second;
            args.target = ctr.id().to_string();
        }
        OpKind::Restore => {
            limit_running(rt, MAX_RUNNING - 1)?;
            let ctr = pick_or_make(rt, roots, plan, label, |c, s| {
                s == ContainerStatus::Exited && is_counter(c) && restorable(c)
            })?;
            if !restorable(&ctr) {
                ctr.checkpoint(&CheckpointOptions::default())
                    .map_err(|e| format!("checkpointing {}: {e}", ctr.name()))?;
            }
            ckpt.keep = second;
            let log = ctr.log_path();
            let before = counts(&log);
            let last = before.last().copied().unwrap_or(0);
            ckpt.resumes = Some((log, before.len(), last));
            args.target = ctr.id().to_string();
        }
        OpKind::RestoreImport => {
            limit_running(rt, MAX_RUNNING - 1)?;
            // The exported container and its volume go once exported: the import makes both.
            let name = format!("crash-{label}-exported");
            let volume = import_volume(&format!("crash-{label}-imported"));
            let mut options = container_options(&name, &roots.cgroup.0);
            options.push(with_command(["/bin/sh", "-c", COUNTER]));
            options.push(with_log_driver(LogDriver::K8sFile));
            options.push(with_named_volumes(vec![(
                volume.clone(),
                "/data".into(),
                Vec::new(),
            )]));
            let ctr = rt
                .new_container(options)
                .map_err(|e| format!("creating container {name}: {e}"))?;
            ctr.start()
                .map_err(|e| format!("starting container {name}: {e}"))?;
            wait_count(&ctr.log_path(), 3)?;
            let archive = exports_dir.join(format!("crash-{label}.tar.zst"));
            ctr.checkpoint(&CheckpointOptions::default().export(&archive))
                .map_err(|e| format!("exporting {name}: {e}"))?;
            rt.remove_container(&ctr, RemoveOptions::default().force(true))
                .map_err(|e| format!("removing {name}: {e}"))?;
            let made = rt
                .volume(&volume)
                .map_err(|e| format!("volume {volume}: {e}"))?;
            rt.remove_volume(&made, Default::default())
                .map_err(|e| format!("removing volume {volume}: {e}"))?;
            ckpt.archive = Some(archive);
            args.target = format!("crash-{label}-imported");
        }
        other => return Err(format!("{} is no checkpoint operation", other.name())),
    }
    args.checkpoint = Some(ckpt);
    Ok(())
}

/// Archives of earlier trials go (each trial checks only its own).
fn remove_old_archives(dir: &Path) -> Result<(), String> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("removing {}: {e}", dir.display())),
    }
    std::fs::create_dir(dir).map_err(|e| format!("creating {}: {e}", dir.display()))
}

/// Runs the operation in the child.
pub fn run(rt: &Runtime, args: &ChildArgs) -> Result<(), String> {
    let plan = args.checkpoint.as_ref().ok_or("no checkpoint plan")?;
    let e = |e: libpod_core::CoreError| e.to_string();
    match args.op {
        OpKind::Checkpoint => rt
            .container(&args.target)
            .and_then(|c| c.checkpoint(&plan.checkpoint_options()))
            .map(drop)
            .map_err(e),
        OpKind::Restore => rt
            .container(&args.target)
            .and_then(|c| c.restore(&plan.restore_options(None)))
            .map(drop)
            .map_err(e),
        OpKind::RestoreImport => {
            let archive = plan.archive.as_deref().ok_or("no archive")?;
            rt.import_checkpoint(archive, &plan.restore_options(Some(&args.target)))
                .map(drop)
                .map_err(e)
        }
        other => Err(format!("{} is no checkpoint operation", other.name())),
    }
}

/// Does the interrupted operation again where it is not done: it must finish.
pub fn retry(rt: &Runtime, args: &ChildArgs) -> Result<(), String> {
    let plan = args.checkpoint.as_ref().ok_or("no checkpoint plan")?;
    let ctr = match rt.container(&args.target) {
        Ok(c) => Some(c),
        Err(libpod_core::CoreError::ContainerNotFound(_)) => None,
        Err(e) => return Err(format!("looking up {}: {e}", args.target)),
    };
    let status = match &ctr {
        Some(c) => Some(c.status().map_err(|e| format!("status: {e}"))?),
        None => None,
    };
    match (args.op, ctr, status) {
        (OpKind::Checkpoint, Some(ctr), Some(ContainerStatus::Running)) => {
            // Not done (or done leaving it running): done again, whole.
            ctr.checkpoint(&plan.checkpoint_options())
                .map_err(|e| format!("checkpoint again: {e}"))?;
            let state = ctr.state().map_err(|e| format!("state: {e}"))?;
            let whole = state.checkpointed && restorable(&ctr);
            if !plan.leave_running && !whole {
                return Err(format!(
                    "checkpointed again, but {} with checkpointed={}",
                    state.status, state.checkpointed
                ));
            }
            Ok(())
        }
        (OpKind::Restore, Some(ctr), Some(ContainerStatus::Exited)) => {
            ctr.restore(&plan.restore_options(None))
                .map_err(|e| format!("restore again: {e}"))?;
            match ctr.status() {
                Ok(ContainerStatus::Running) => Ok(()),
                other => Err(format!("restored again, but {other:?}")),
            }
        }
        (OpKind::RestoreImport, None, _) => {
            let archive = plan.archive.as_deref().ok_or("no archive")?;
            let (ctr, _) = rt
                .import_checkpoint(archive, &plan.restore_options(Some(&args.target)))
                .map_err(|e| format!("import again: {e}"))?;
            match ctr.status() {
                Ok(ContainerStatus::Running) => Ok(()),
                other => Err(format!("imported again, but {other:?}")),
            }
        }
        _ => Ok(()),
    }
}

/// A new counting container (not started): the trials' options (other operations may pick
/// it: its healthcheck, its quick stop), counting into a k8s-file log.
fn new_counter(rt: &Runtime, roots: &Roots, name: &str) -> Result<Container, String> {
    let mut options = container_options(name, &roots.cgroup.0);
    options.push(with_command(["/bin/sh", "-c", COUNTER]));
    options.push(with_log_driver(LogDriver::K8sFile));
    rt.new_container(options)
        .map_err(|e| format!("creating container {name}: {e}"))
}

/// The named volume of the container a `restore-import` makes under `target`.
pub fn import_volume(target: &str) -> String {
    format!("{target}-vol")
}

/// Whether a container is one of the counting ones.
pub fn is_counter(ctr: &Container) -> bool {
    ctr.config()
        .spec
        .command
        .as_ref()
        .and_then(|c| c.last())
        .map(String::as_str)
        == Some(COUNTER)
}

/// Whether the container's checkpoint is complete (CRIU's inventory written).
pub fn restorable(ctr: &Container) -> bool {
    ctr.checkpoint_path().join("inventory.img").exists()
}

/// One of the containers `wanted` accepts (chosen by the plan), else a new counting one,
/// started and counting.
fn pick_or_make(
    rt: &Runtime,
    roots: &Roots,
    plan: &Plan,
    label: &str,
    wanted: impl Fn(&Container, ContainerStatus) -> bool,
) -> Result<Container, String> {
    let candidates: Vec<Container> = containers(rt)?
        .into_iter()
        .filter(|(c, s)| wanted(c, *s))
        .map(|(c, _)| c)
        .collect();
    if !candidates.is_empty() {
        let at = usize::try_from(plan.pick % candidates.len() as u64).unwrap();
        return Ok(candidates.into_iter().nth(at).expect("in range"));
    }
    let name = format!("crash-{label}-counter");
    let ctr = new_counter(rt, roots, &name)?;
    ctr.start()
        .map_err(|e| format!("starting container {name}: {e}"))?;
    wait_count(&ctr.log_path(), 3)?;
    Ok(ctr)
}

/// The numbers in a counting container's k8s-file log, in order.
pub fn counts(log: &Path) -> Vec<u64> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.rsplit(' ').next()?.parse().ok())
        .collect()
}

/// Waits until the log's last count is at least `at_least`.
pub fn wait_count(log: &Path, at_least: u64) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if counts(log).last().is_some_and(|&n| n >= at_least) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "{}: count stuck at {:?}",
                log.display(),
                counts(log).last()
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
