//! Checkpoints after a kill, as the reopened runtime and the host say:
//!
//! - Every container saved checkpointed has a complete checkpoint (CRIU's inventory).
//! - No CRIU process of ours is left, and no container that cannot have processes (configured,
//!   exited, or gone) has a cgroup left under the harness's cgroup parent.
//! - No unpacked import is left under the root, and no create or init intent.
//! - The interrupted checkpoint left its container running (not checkpointed), or, unless it
//!   was to leave it running, exited and checkpointed with a complete checkpoint and (with an
//!   export) the archive whole; an archive under the asked name is never a part.
//! - The interrupted restore left its container exited with its checkpoint whole (a retry
//!   restores it), or running, restored, counting on from where it was checkpointed.
//! - The interrupted import left no container of the new name, or one running, restored,
//!   counting on from where the exported one was.

use super::checkpoint_ops::{CheckpointPlan, counts, restorable};
use super::host::alive;
use super::invariants::{Report, entries};
use super::ops::{ChildArgs, OpKind};
use libpod_core::container::{Container, ContainerStatus};
use libpod_core::runtime::Runtime;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Waits for the exits that processes ended behind a killed child leave to be recorded: a
/// checkpoint's runc goes on after the kill and ends the processes, whose conmon then writes
/// the exit file and goes. A conmon with no child left is about to.
pub fn settle(dir: &Path) {
    let childless = |pid: i32| {
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
            .is_ok_and(|c| c.trim().is_empty())
    };
    super::host::wait_until(5.0, || {
        !super::host::processes_naming(dir)
            .iter()
            .any(|p| p.comm == "conmon" && childless(p.pid))
    });
}

pub fn check_checkpoints(
    rt: &Runtime,
    dir: &Path,
    cgroup_parent: &str,
    interrupted: &ChildArgs,
    report: &mut Report,
) {
    let containers = match rt.containers() {
        Ok(c) => c,
        Err(e) => return report.fail("checkpoints", format!("containers() failed: {e}")),
    };
    let mut statuses = BTreeMap::new();
    for ctr in &containers {
        let Ok(state) = ctr.state() else { continue };
        if state.checkpointed && state.status == ContainerStatus::Exited && !restorable(ctr) {
            report.fail(
                "checkpointed is restorable",
                format!(
                    "{} ({}) is checkpointed without a complete checkpoint",
                    ctr.name(),
                    ctr.id()
                ),
            );
        }
        statuses.insert(ctr.id().to_string(), state.status);
    }
    check_criu(dir, report);
    check_cgroups(cgroup_parent, &statuses, report);
    for (what, path) in [
        ("unpacked import", rt.root().join("checkpoint-imports")),
        ("create intent", rt.root().join("create-intents")),
        ("init intent", rt.run_root().join("init-intents")),
    ] {
        for name in entries(&path) {
            report.fail(
                "no half import",
                format!("{what} {} left", path.join(name).display()),
            );
        }
    }
    let Some(plan) = &interrupted.checkpoint else {
        return;
    };
    let found = containers.iter().find(|c| {
        c.id() == interrupted.target
            || (interrupted.op == OpKind::RestoreImport && c.name() == interrupted.target)
    });
    let outcome = match interrupted.op {
        OpKind::Checkpoint => check_checkpoint(found, plan),
        OpKind::Restore => check_restore(found, plan),
        OpKind::RestoreImport => {
            // The volume it makes is there with its container, and gone without.
            let volume = super::checkpoint_ops::import_volume(&interrupted.target);
            match (found, rt.volume_exists(&volume)) {
                (_, Err(e)) => Err(format!("volume_exists({volume}): {e}")),
                (None, Ok(false)) => Ok(()),
                (None, Ok(true)) => Err(format!("volume {volume} left without its container")),
                (Some(_), Ok(false)) => Err(format!("volume {volume} missing")),
                (Some(ctr), Ok(true)) => running_restored(ctr, &ctr.log_path(), None),
            }
        }
        _ => Ok(()),
    };
    if let Err(e) = outcome {
        report.fail(
            "checkpoint absent or whole",
            format!("{} {}: {e}", interrupted.op.name(), interrupted.target),
        );
    }
}

fn check_checkpoint(found: Option<&Container>, plan: &CheckpointPlan) -> Result<(), String> {
    let ctr = found.ok_or("the container is gone")?;
    let state = ctr.state().map_err(|e| format!("state: {e}"))?;
    if let Some(archive) = &plan.archive {
        check_archive(archive)?;
    }
    match state.status {
        ContainerStatus::Running if !state.checkpointed => Ok(()),
        ContainerStatus::Exited if plan.leave_running => {
            Err("exited, though the checkpoint was to leave it running".into())
        }
        ContainerStatus::Exited if state.checkpointed && restorable(ctr) => match &plan.archive {
            Some(archive) if !archive.exists() => Err(format!(
                "checkpointed, but its export {} is missing",
                archive.display()
            )),
            _ => Ok(()),
        },
        other => Err(format!(
            "{other}, checkpointed: {}, complete checkpoint: {}",
            state.checkpointed,
            restorable(ctr)
        )),
    }
}

fn check_restore(found: Option<&Container>, plan: &CheckpointPlan) -> Result<(), String> {
    let ctr = found.ok_or("the container is gone")?;
    let state = ctr.state().map_err(|e| format!("state: {e}"))?;
    match state.status {
        ContainerStatus::Exited if restorable(ctr) => Ok(()),
        ContainerStatus::Running => {
            let (log, len, last) = plan.resumes.as_ref().ok_or("no count before")?;
            running_restored(ctr, log, Some((*len, *last)))
        }
        other => Err(format!("{other}, complete checkpoint: {}", restorable(ctr))),
    }
}

/// A restored container runs and counts on: its first count since the operation (`before`:
/// how many counts its log held and the last; for an import, its new log's first) follows
/// the checkpoint's last (or repeats it), where a fresh start would count from 1.
fn running_restored(
    ctr: &Container,
    log: &Path,
    before: Option<(usize, u64)>,
) -> Result<(), String> {
    let state = ctr.state().map_err(|e| format!("state: {e}"))?;
    if state.status != ContainerStatus::Running || !state.restored {
        return Err(format!(
            "{}, restored: {} (neither absent nor restored)",
            state.status, state.restored
        ));
    }
    let (len, last) = before.unwrap_or((0, 0));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let seen = loop {
        let seen = counts(log);
        if seen.len() > len {
            break seen;
        }
        if std::time::Instant::now() > deadline {
            return Err(format!("it counts no more than the {len} counts before"));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    match (before, seen[len]) {
        // CRIU dumps what a pipe holds without taking it: a count conmon read as the dump
        // ran comes out twice.
        (Some(_), next) if next == last + 1 || next == last => Ok(()),
        (None, first) if first > 1 => Ok(()),
        (_, next) => Err(format!(
            "after {len} counts ending at {last} it counted {next}, not on"
        )),
    }
}

/// An archive under the asked name is whole: it unpacks, with a complete checkpoint and the
/// container's config.
fn check_archive(archive: &Path) -> Result<(), String> {
    if !archive.exists() {
        return Ok(());
    }
    let dir = archive.with_extension("unpacked");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let unpacked = libpod_storage::transport::unpack_archive(archive, &dir)
        .map_err(|e| format!("the archive {} is not whole: {e}", archive.display()));
    let whole = unpacked.and_then(|()| {
        for part in ["checkpoint/inventory.img", "config.dump"] {
            if !dir.join(part).is_file() {
                return Err(format!("the archive {} lacks {part}", archive.display()));
            }
        }
        Ok(())
    });
    let _ = std::fs::remove_dir_all(&dir);
    whole
}

/// No CRIU of ours runs once runc is done (it is runc's child): one whose working directory
/// or open files are beneath the roots.
fn check_criu(dir: &Path, report: &mut Report) {
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return;
    };
    for pid in procs
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
    {
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        if comm.trim() != "criu" || !alive(pid) {
            continue;
        }
        let beneath = |link: PathBuf| std::fs::read_link(link).is_ok_and(|p| p.starts_with(dir));
        let ours = beneath(format!("/proc/{pid}/cwd").into())
            || std::fs::read_dir(format!("/proc/{pid}/fd"))
                .map(|fds| fds.flatten().any(|fd| beneath(fd.path())))
                .unwrap_or(false);
        if ours {
            report.fail("no criu leaked", format!("criu {pid} still runs"));
        }
    }
}

/// Under every controller, a container's cgroup (`libpod-ID`, beneath the parent or a pod's
/// cgroup) only while it may have processes.
fn check_cgroups(parent: &str, statuses: &BTreeMap<String, ContainerStatus>, report: &mut Report) {
    let Ok(controllers) = std::fs::read_dir("/sys/fs/cgroup") else {
        return;
    };
    for controller in controllers.flatten() {
        let base = controller.path().join(parent.trim_start_matches('/'));
        let mut stack = vec![base];
        while let Some(dir) = stack.pop() {
            for name in entries(&dir) {
                let path = dir.join(&name);
                if !path.is_dir() {
                    continue;
                }
                if let Some(id) = name.strip_prefix("libpod-") {
                    let may = statuses.get(id).is_some_and(|s| {
                        !matches!(s, ContainerStatus::Configured | ContainerStatus::Exited)
                    });
                    if !may {
                        let status = statuses.get(id).map_or("gone", |s| s.as_str());
                        report.fail("no cgroup leaked", format!("{} ({status})", path.display()));
                    }
                } else if name.starts_with("pod-") {
                    stack.push(path);
                }
            }
        }
    }
}
