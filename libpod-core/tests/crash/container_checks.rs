//! The containers' invariants: every container is in a legal state that agrees with runc,
//! conmon and the mount table (under `LIBPOD_TEST_RUNTIME=libcontainer`: libcontainer's state
//! and our monitors); storage and database rows go together; nothing is left for a
//! container that is gone; the interrupted operation is absent or whole.

use super::host::{
    self, OurProcess, RuncContainer, alive, mounts_beneath, processes_naming, runc_list,
};
use super::invariants::{Report, entries};
use super::ops::{ChildArgs, OpKind};
use libpod_core::container::{ContainerState, ContainerStatus, RootfsSource};
use libpod_core::runtime::Runtime;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What one container is, as the reopened runtime says after syncing.
struct Seen {
    name: String,
    state: ContainerState,
    has_storage: bool,
    /// Its pod, if any.
    pod: Option<String>,
}

/// The containers by ID, and the interrupted operation.
struct Containers<'a> {
    seen: BTreeMap<String, Seen>,
    interrupted: &'a ChildArgs,
}

impl Containers<'_> {
    /// A Removing or Stopping container is legal only as the one whose removal or stop was
    /// cut short (the retry must then finish it).
    fn transient_ok(&self, id: &str, status: ContainerStatus) -> bool {
        let op = self.interrupted.op;
        // A pod's removal cut short may leave any of its containers half-removed.
        let in_pod = self.seen.get(id).and_then(|s| s.pod.as_deref());
        if op == OpKind::PodRm && in_pod == Some(self.interrupted.target.as_str()) {
            return matches!(
                status,
                ContainerStatus::Removing | ContainerStatus::Stopping
            );
        }
        op != OpKind::Create
            && id == self.interrupted.target
            && match status {
                ContainerStatus::Removing => op == OpKind::Rm,
                ContainerStatus::Stopping => {
                    matches!(op, OpKind::Stop | OpKind::Rm | OpKind::NetStop)
                }
                _ => false,
            }
    }
}

pub fn check_containers(rt: &Runtime, dir: &Path, interrupted: &ChildArgs, report: &mut Report) {
    let containers = match rt.containers() {
        Ok(c) => c,
        Err(e) => return report.fail("containers", format!("containers() failed: {e}")),
    };
    let mut seen = BTreeMap::new();
    for ctr in &containers {
        // The runtime matrix (`LIBPOD_TEST_RUNTIME`) tests the runtime it names.
        let expected = crate::common::oci::expected_runtime();
        if ctr.config().oci_runtime.as_deref() != Some(expected.as_str()) {
            report.fail(
                "the test runtime",
                format!(
                    "{} ({}) is under {:?}, not {expected}",
                    ctr.name(),
                    ctr.id(),
                    ctr.config().oci_runtime
                ),
            );
        }
        match ctr.state() {
            Ok(state) => {
                let has_storage = matches!(ctr.config().rootfs, Some(RootfsSource::Image { .. }));
                let name = ctr.name().to_string();
                seen.insert(
                    ctr.id().to_string(),
                    Seen {
                        name,
                        state,
                        has_storage,
                        pod: ctr.config().pod.clone(),
                    },
                );
            }
            Err(e) => report.fail(
                "container state",
                format!("{} ({}): {e}", ctr.name(), ctr.id()),
            ),
        }
    }
    let all = Containers { seen, interrupted };
    check_create(&all, report);
    check_recreate(&all, report);
    check_storage_rows(rt, &all, report);
    let runc = check_runc(rt, &all, report);
    let conmons = check_states_and_mounts(dir, &all, &runc, report);
    let monitors = if rt.oci_runtime_name() == libpod_libcontainer::RUNTIME_NAME {
        Monitors::Libcontainer
    } else {
        Monitors::Conmon
    };
    check_conmon(dir, &all, &conmons, monitors, report);
    check_leftovers(rt, &all, report);
    check_exec_and_health(rt, &containers, report);
}

/// Exec sessions and health: every session row left by a killed exec still has its intent
/// (so an open removes it once its monitor is gone) or a live process; every health file
/// reads whole (it is replaced by a rename).
fn check_exec_and_health(
    rt: &Runtime,
    containers: &[libpod_core::container::Container],
    report: &mut Report,
) {
    let intents = rt.run_root().join("exec-intents");
    for ctr in containers {
        match ctr.exec_sessions() {
            Ok(sessions) => {
                for session in sessions {
                    let live = session.pid.is_some_and(alive);
                    if !live && !intents.join(&session.id).exists() {
                        report.fail(
                            "no exec session lost",
                            format!(
                                "{}: session {} ({:?}) has neither a process nor an intent",
                                ctr.name(),
                                session.id,
                                session.status
                            ),
                        );
                    }
                }
            }
            Err(e) => report.fail("exec sessions", format!("{}: {e}", ctr.name())),
        }
        if let Err(e) = ctr.health() {
            report.fail("health reads", format!("{}: {e}", ctr.name()));
        }
    }
}

/// The interrupted recreate: the reopen finished it, so the container is there, under its
/// name, running (on the old image or the new one), never gone.
fn check_recreate(all: &Containers, report: &mut Report) {
    if all.interrupted.op != OpKind::Recreate {
        return;
    }
    match all
        .seen
        .iter()
        .find(|(_, s)| s.name == all.interrupted.target)
    {
        Some((_, ctr)) if ctr.state.status == ContainerStatus::Running => {}
        Some((id, ctr)) => report.fail(
            "recreate leaves it running",
            format!("{} ({id}) is {}", ctr.name, ctr.state.status),
        ),
        None => report.fail(
            "recreate leaves it running",
            format!("{} is gone", all.interrupted.target),
        ),
    }
}

/// The interrupted create: absent, or whole (configured; its storage is checked below).
fn check_create(all: &Containers, report: &mut Report) {
    if all.interrupted.op == OpKind::Create
        && let Some((id, ctr)) = all
            .seen
            .iter()
            .find(|(_, s)| s.name == all.interrupted.target)
        && ctr.state.status != ContainerStatus::Configured
    {
        report.fail(
            "create absent or whole",
            format!("{} ({id}) is {}", ctr.name, ctr.state.status),
        );
    }
}

/// Storage records and database rows go together.
fn check_storage_rows(rt: &Runtime, all: &Containers, report: &mut Report) {
    let records = match rt.storage().containers() {
        Ok(records) => records,
        Err(e) => {
            return report.fail(
                "storage has a row",
                format!("storage containers() failed: {e}"),
            );
        }
    };
    let with_storage: BTreeSet<&String> = records.iter().map(|r| &r.id).collect();
    for id in with_storage
        .iter()
        .filter(|id| !all.seen.contains_key(**id))
    {
        report.fail(
            "storage has a row",
            format!("storage of container {id} has no database row"),
        );
    }
    for (id, ctr) in &all.seen {
        if ctr.has_storage && !with_storage.contains(id) && !all.transient_ok(id, ctr.state.status)
        {
            report.fail(
                "row has storage",
                format!(
                    "{} ({id}) is {} without storage",
                    ctr.name, ctr.state.status
                ),
            );
        }
    }
}

/// What runc knows; it knows no container that is gone, and can read every state it has.
fn check_runc(
    rt: &Runtime,
    all: &Containers,
    report: &mut Report,
) -> BTreeMap<String, RuncContainer> {
    let name = rt.oci_runtime_name();
    let runc_root = rt.run_root().join("runtime").join(name);
    // libcontainer has no program to ask: its state directory, read as libpod-libcontainer does.
    let listed = if name == libpod_libcontainer::RUNTIME_NAME {
        host::libcontainer_list(rt.run_root(), &runc_root)
    } else {
        runc_list(name, &runc_root)
    };
    let runc = match listed {
        Ok((listed, unlisted)) => {
            for dir in unlisted {
                report.fail(
                    "runc state",
                    format!("{}/{dir} is a state runc cannot read", runc_root.display()),
                );
            }
            listed
        }
        Err(e) => {
            report.fail("runc state", e);
            BTreeMap::new()
        }
    };
    for (id, state) in runc.iter().filter(|(id, _)| !all.seen.contains_key(*id)) {
        report.fail(
            "runc state",
            format!("runc knows {id} ({state:?}), which no longer exists"),
        );
    }
    runc
}

/// Each container's state agrees with runc and with the mount table, and nothing else is
/// mounted under the roots. Returns the conmon PID each container that runc knows must have.
fn check_states_and_mounts(
    dir: &Path,
    all: &Containers,
    runc: &BTreeMap<String, RuncContainer>,
    report: &mut Report,
) -> BTreeMap<String, i32> {
    // The roots' own tmpfs is no leak.
    let mounts: Vec<PathBuf> = mounts_beneath(dir)
        .into_iter()
        .filter(|p| p != dir)
        .collect();
    let mut allowed_mounts: BTreeSet<PathBuf> = BTreeSet::new();
    let mut conmons = BTreeMap::new();
    for (id, ctr) in &all.seen {
        let state = &ctr.state;
        let what = format!("{} ({id}) is {}", ctr.name, state.status);
        let transient = all.transient_ok(id, state.status);
        if let Some(problem) = disagreement(state, runc.get(id), transient) {
            report.fail("legal state", format!("{what} {problem}"));
        }
        let mounted = matches!(
            state.status,
            ContainerStatus::Created
                | ContainerStatus::Running
                | ContainerStatus::Paused
                | ContainerStatus::Stopped
                | ContainerStatus::Stopping
        );
        if mounted || transient {
            match &state.mountpoint {
                // A root filesystem that is a host directory (an infra container's) is not
                // mounted by us.
                Some(point) if mounted && ctr.has_storage && !mounts.contains(point) => report
                    .fail(
                        "mounted",
                        format!("{what} but {} is not mounted", point.display()),
                    ),
                None if mounted => report.fail("mounted", format!("{what} without a mount point")),
                _ => {}
            }
            allowed_mounts.extend(state.mountpoint.clone());
            allowed_mounts.extend(state.run_dir.as_ref().map(|d| d.join("shm")));
            // Its network namespace (bridge mode), checked in `network_checks.rs`.
            allowed_mounts.extend(state.netns_path.clone());
        }
        if let (true, Some(pid)) = (runc.contains_key(id), state.conmon_pid) {
            conmons.insert(id.clone(), pid);
        }
    }
    for point in mounts.iter().filter(|p| !allowed_mounts.contains(*p)) {
        report.fail("no mount leaked", format!("{} is mounted", point.display()));
    }
    conmons
}

/// How a container's state disagrees with runc and its processes, if it does.
fn disagreement(
    state: &ContainerState,
    in_runc: Option<&RuncContainer>,
    transient: bool,
) -> Option<String> {
    let pid_alive = state.pid.is_some_and(alive);
    let conmon_gone = || {
        (!state.conmon_pid.is_some_and(alive))
            .then(|| format!("but conmon {:?} is gone", state.conmon_pid))
    };
    match state.status {
        ContainerStatus::Configured | ContainerStatus::Exited => in_runc
            .map(|r| format!("but runc has it ({r:?})"))
            .or_else(|| pid_alive.then(|| format!("but its pid {:?} lives", state.pid))),
        ContainerStatus::Created => match in_runc {
            Some(r) if r.status == "created" => conmon_gone(),
            other => Some(format!("but runc says {other:?}")),
        },
        ContainerStatus::Running | ContainerStatus::Paused => {
            let want = if state.status == ContainerStatus::Running {
                "running"
            } else {
                "paused"
            };
            match in_runc {
                Some(r) if r.status == want && Some(r.pid) == state.pid && pid_alive => {
                    conmon_gone()
                }
                other => Some(format!(
                    "but runc says {other:?} (pid {:?}, alive: {pid_alive})",
                    state.pid
                )),
            }
        }
        ContainerStatus::Stopped => match in_runc {
            Some(r) if r.status != "stopped" => Some(format!("but runc says {r:?}")),
            _ => pid_alive.then(|| format!("but its pid {:?} lives", state.pid)),
        },
        ContainerStatus::Stopping | ContainerStatus::Removing if transient => None,
        _ => Some("an illegal state here".to_string()),
    }
}

/// Which monitors the containers have.
#[derive(Clone, Copy)]
enum Monitors {
    Conmon,
    /// libpod-libcontainer's, this binary: each container's PID in its `RUN_DIR/conmon.pid`.
    Libcontainer,
}

/// conmon (or libcontainer's monitor): the one each container that runc knows has, none for
/// any other. A monitor whose container just exited may take a moment to go.
fn check_conmon(
    dir: &Path,
    all: &Containers,
    conmons: &BTreeMap<String, i32>,
    monitors: Monitors,
    report: &mut Report,
) {
    if let Monitors::Libcontainer = monitors {
        return check_libcontainer_monitors(dir, all, conmons, report);
    }
    let stray = || -> Vec<OurProcess> {
        processes_naming(dir)
            .into_iter()
            .filter(|p| p.comm == "conmon")
            .filter(|p| conmons.get(p.arg_after("-c").unwrap_or_default()) != Some(&p.pid))
            .collect()
    };
    let mut left = stray();
    if left.is_empty()
        || host::wait_until(3.0, || {
            left = stray();
            left.is_empty()
        })
    {
        return;
    }
    for p in &left {
        let id = p.arg_after("-c").unwrap_or_default();
        let status = all.seen.get(id).map_or("gone", |s| s.state.status.as_str());
        report.fail(
            "no conmon leaked",
            format!("conmon {} for container {id} ({status}) still runs", p.pid),
        );
    }
}

/// [`check_conmon`] for libcontainer's monitors: every monitor of our roots is the one its
/// container (`--container ID` on its command line; an exec session's names its session)
/// has recorded.
fn check_libcontainer_monitors(
    dir: &Path,
    all: &Containers,
    conmons: &BTreeMap<String, i32>,
    report: &mut Report,
) {
    let expected: BTreeSet<i32> = conmons.values().copied().collect();
    let stray = || -> Vec<OurProcess> {
        host::libcontainer_monitors(dir)
            .into_iter()
            .filter(|p| !expected.contains(&p.pid))
            .collect()
    };
    let mut left = stray();
    if left.is_empty()
        || host::wait_until(3.0, || {
            left = stray();
            left.is_empty()
        })
    {
        return;
    }
    for p in &left {
        let id = p.arg_after("--container").unwrap_or("an exec session");
        let status = all.seen.get(id).map_or("gone", |s| s.state.status.as_str());
        let dbg =
            |f: &str| std::fs::read_to_string(format!("/proc/{}/{f}", p.pid)).unwrap_or_default();
        let link = |f: &str| {
            std::fs::read_link(format!("/proc/{}/{f}", p.pid))
                .map(|l| l.display().to_string())
                .unwrap_or_default()
        };
        let fds: Vec<String> = std::fs::read_dir(format!("/proc/{}/fd", p.pid))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| {
                format!(
                    "{}->{}",
                    e.file_name().to_string_lossy(),
                    std::fs::read_link(e.path())
                        .map(|l| l.display().to_string())
                        .unwrap_or_default()
                )
            })
            .collect();
        eprintln!(
            "DEBUG stray {}: stat={} wchan={} cwd={} root={} fds={:?} status={}",
            p.pid,
            dbg("stat"),
            dbg("wchan"),
            link("cwd"),
            link("root"),
            fds,
            dbg("status")
                .lines()
                .filter(|l| l.starts_with("PPid")
                    || l.starts_with("NSpid")
                    || l.starts_with("Threads"))
                .collect::<Vec<_>>()
                .join(",")
        );
        report.fail(
            "no conmon leaked",
            format!(
                "libcontainer monitor {} for {id} ({status}; recorded monitor {:?}) still runs",
                p.pid,
                conmons.get(id)
            ),
        );
    }
}

/// No run or static directory, exit file or persist directory of a container that is gone.
fn check_leftovers(rt: &Runtime, all: &Containers, report: &mut Report) {
    let run_root = rt.run_root();
    for (dir, what) in [
        (run_root.join("containers"), "run directory"),
        (rt.root().join("containers"), "static directory"),
        (run_root.join("exits"), "exit file"),
        (run_root.join("persist"), "persist directory"),
    ] {
        for name in entries(&dir) {
            let id = name.split('.').next().unwrap_or_default();
            if !all.seen.contains_key(id) {
                report.fail(
                    "no runtime state leaked",
                    format!("{what} {}", dir.join(&name).display()),
                );
            }
        }
    }
}
