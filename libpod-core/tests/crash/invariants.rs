//! What must hold after any kill, checked as a new process would see it: the store and the
//! runtime reopen, the store checks clean, no staging, every layer and image is whole, every
//! container is in a legal state that agrees with runc, conmon and the mount table, nothing
//! is leaked, and the interrupted operation is absent or whole.

use super::fixtures::Fixtures;
use super::host::{self, OurProcess, alive, mounts_beneath, processes_naming, runc_list};
use super::ops::{ChildArgs, OpKind};
use super::roots::open_runtime;
use super::tree::{differences, read_tree};
use libpod_core::container::{ContainerState, ContainerStatus, RootfsSource};
use libpod_core::runtime::Runtime;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// An invariant that does not hold, with what was seen.
#[derive(Debug, Clone)]
pub struct Violation {
    pub invariant: &'static str,
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.invariant, self.detail)
    }
}

/// Collects violations.
#[derive(Default)]
pub struct Report(pub Vec<Violation>);

impl Report {
    pub fn fail(&mut self, invariant: &'static str, detail: impl Into<String>) {
        self.0.push(Violation {
            invariant,
            detail: detail.into(),
        });
    }
}

/// Waits for the runc processes left by a killed child (conmon's `runc create`, a `runc
/// kill` or `delete` of ours) to finish, as a new process would find the host a moment later.
pub fn settle(dir: &Path) {
    host::wait_until(10.0, || {
        !processes_naming(dir).iter().any(|p| p.comm == "runc")
    });
}

/// Checks everything after a trial whose operation was `interrupted`. Returns the runtime,
/// reopened, when it opens.
pub fn check(
    dir: &Path,
    fixtures: &Fixtures,
    interrupted: &ChildArgs,
    report: &mut Report,
) -> Option<Runtime> {
    settle(dir);
    let rt = match open_runtime(dir) {
        Ok(rt) => rt,
        Err(e) => {
            report.fail("reopen", format!("Runtime::open failed: {e}"));
            return None;
        }
    };
    check_store(&rt, fixtures, report);
    check_containers(&rt, dir, interrupted, report);
    Some(rt)
}

/// `check()`, staging, layers and images.
fn check_store(rt: &Runtime, fixtures: &Fixtures, report: &mut Report) {
    let store = rt.storage();
    match store.check() {
        Ok(problems) if problems.is_empty() => {}
        Ok(problems) => report.fail("store check", problems.join("; ")),
        Err(e) => report.fail("store check", format!("check() failed: {e}")),
    }
    let staging = entries(&store.root().join("tmp"));
    if !staging.is_empty() {
        report.fail(
            "no staging",
            format!(
                "left in {}: {staging:?}",
                store.root().join("tmp").display()
            ),
        );
    }

    // Every layer on disk (after the reopen's repair: every recorded one) holds exactly its
    // tarball: a half-deleted or half-extracted layer would be reused by the next pull.
    let known: BTreeMap<String, _> = fixtures
        .layers
        .iter()
        .map(|(id, tree)| (id.hex(), tree))
        .collect();
    for name in entries(&store.root().join("layers")) {
        let diff = store.root().join("layers").join(&name).join("diff");
        match known.get(&name) {
            None => report.fail("layer known", format!("layers/{name} is no layer we made")),
            Some(expected) => match read_tree(&diff) {
                Ok(actual) => {
                    let diffs = differences(expected, &actual, 5);
                    if !diffs.is_empty() {
                        report.fail(
                            "layer whole",
                            format!("layers/{name}: {}", diffs.join("; ")),
                        );
                    }
                }
                Err(e) => report.fail("layer whole", format!("reading {}: {e}", diff.display())),
            },
        }
    }

    let images = match store.images() {
        Ok(images) => images,
        Err(e) => return report.fail("images", format!("images() failed: {e}")),
    };
    for image in &images {
        let Some(fixture) = fixtures.by_chain(&image.layers) else {
            report.fail(
                "image known",
                format!(
                    "image {} {:?} has layers {:?}",
                    image.id, image.names, image.layers
                ),
            );
            continue;
        };
        let id = image.id.hex();
        match store.mount_image(&id) {
            Ok(root) => {
                match read_tree(&root) {
                    Ok(actual) => {
                        let diffs = differences(&fixture.tree, &actual, 5);
                        if !diffs.is_empty() {
                            report.fail(
                                "image tree",
                                format!("{} ({id}) mounted: {}", fixture.name, diffs.join("; ")),
                            );
                        }
                    }
                    Err(e) => report.fail("image tree", format!("reading {}: {e}", root.display())),
                }
                if let Err(e) = store.unmount_image(&id, true) {
                    report.fail("image mount", format!("unmounting {}: {e}", fixture.name));
                }
            }
            Err(e) => report.fail(
                "image mount",
                format!("mounting {} ({id}): {e}", fixture.name),
            ),
        }
    }
    // Names point at the images they name.
    for fixture in std::iter::once(&fixtures.base).chain(fixtures.images.values()) {
        if let Ok(image) = store.image(&fixture.name)
            && image.layers != fixture.chain
        {
            report.fail(
                "image name",
                format!(
                    "{} names image {} with layers {:?}",
                    fixture.name, image.id, image.layers
                ),
            );
        }
    }
    if store.image(&fixtures.base.name).is_err() {
        report.fail("image name", "the base image is gone");
    }
}

/// What one container is, as the reopened runtime says after syncing.
struct Seen {
    name: String,
    state: ContainerState,
    has_storage: bool,
}

fn check_containers(rt: &Runtime, dir: &Path, interrupted: &ChildArgs, report: &mut Report) {
    let containers = match rt.containers() {
        Ok(c) => c,
        Err(e) => return report.fail("containers", format!("containers() failed: {e}")),
    };
    let mut seen: BTreeMap<String, Seen> = BTreeMap::new();
    for ctr in &containers {
        match ctr.state() {
            Ok(state) => {
                seen.insert(
                    ctr.id().to_string(),
                    Seen {
                        name: ctr.name().to_string(),
                        state,
                        has_storage: matches!(
                            ctr.config().rootfs,
                            Some(RootfsSource::Image { .. })
                        ),
                    },
                );
            }
            Err(e) => report.fail(
                "container state",
                format!("{} ({}): {e}", ctr.name(), ctr.id()),
            ),
        }
    }
    let run_root = rt.run_root().to_path_buf();
    let interrupted_id = (interrupted.op != OpKind::Create).then_some(interrupted.target.as_str());
    // A Removing or Stopping container is legal only as the one whose removal or stop was
    // cut short: its retry must then finish it.
    let transient_ok = |id: &str, status: ContainerStatus| {
        Some(id) == interrupted_id
            && match status {
                ContainerStatus::Removing => interrupted.op == OpKind::Rm,
                ContainerStatus::Stopping => matches!(interrupted.op, OpKind::Stop | OpKind::Rm),
                _ => false,
            }
    };

    // The interrupted create: absent, or whole (configured, with its storage).
    if interrupted.op == OpKind::Create
        && let Some((id, ctr)) = seen.iter().find(|(_, s)| s.name == interrupted.target)
        && ctr.state.status != ContainerStatus::Configured
    {
        report.fail(
            "create absent or whole",
            format!("{} ({id}) is {}", ctr.name, ctr.state.status),
        );
    }

    // Storage records and database rows go together.
    match rt.storage().containers() {
        Ok(records) => {
            let with_storage: BTreeSet<&String> = records.iter().map(|r| &r.id).collect();
            for id in &with_storage {
                if !seen.contains_key(*id) {
                    report.fail(
                        "storage has a row",
                        format!("storage of container {id} has no database row"),
                    );
                }
            }
            for (id, ctr) in &seen {
                if ctr.has_storage
                    && !with_storage.contains(id)
                    && !transient_ok(id, ctr.state.status)
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
        Err(e) => report.fail(
            "storage has a row",
            format!("storage containers() failed: {e}"),
        ),
    }

    // runc, conmon and the mounts agree with each container's state.
    let runc_root = run_root.join("runtime").join(rt.oci_runtime_name());
    let runc = match runc_list(&runc_root) {
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
    for id in runc.keys().filter(|id| !seen.contains_key(*id)) {
        report.fail(
            "runc state",
            format!("runc knows {id} ({:?}), which no longer exists", runc[id]),
        );
    }
    let mounts = mounts_beneath(dir);
    let mut allowed_mounts: BTreeSet<PathBuf> = BTreeSet::new();
    let mut expect_conmon: BTreeMap<String, i32> = BTreeMap::new();
    for (id, ctr) in &seen {
        let state = &ctr.state;
        let what = format!("{} ({id}) is {}", ctr.name, state.status);
        let in_runc = runc.get(id);
        let pid_alive = state.pid.is_some_and(alive);
        let conmon_alive = state.conmon_pid.is_some_and(alive);
        let mounted = matches!(
            state.status,
            ContainerStatus::Created
                | ContainerStatus::Running
                | ContainerStatus::Paused
                | ContainerStatus::Stopped
                | ContainerStatus::Stopping
        );
        let problem = match state.status {
            ContainerStatus::Configured | ContainerStatus::Exited => in_runc
                .map(|r| format!("but runc has it ({r:?})"))
                .or_else(|| pid_alive.then(|| format!("but its pid {:?} lives", state.pid))),
            ContainerStatus::Created => match in_runc {
                Some(r) if r.status == "created" => {
                    (!conmon_alive).then(|| format!("but conmon {:?} is gone", state.conmon_pid))
                }
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
                        (!conmon_alive)
                            .then(|| format!("but conmon {:?} is gone", state.conmon_pid))
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
            ContainerStatus::Stopping | ContainerStatus::Removing
                if transient_ok(id, state.status) =>
            {
                None
            }
            _ => Some("an illegal state here".to_string()),
        };
        if let Some(problem) = problem {
            report.fail("legal state", format!("{what} {problem}"));
        }
        if mounted || transient_ok(id, state.status) {
            if let Some(point) = &state.mountpoint {
                allowed_mounts.insert(point.clone());
                if mounted && !mounts.contains(point) {
                    report.fail(
                        "mounted",
                        format!("{what} but {} is not mounted", point.display()),
                    );
                }
            } else if mounted {
                report.fail("mounted", format!("{what} without a mount point"));
            }
            if let Some(run_dir) = &state.run_dir {
                allowed_mounts.insert(run_dir.join("shm"));
            }
        }
        if let (true, Some(pid)) = (in_runc.is_some(), state.conmon_pid) {
            expect_conmon.insert(id.clone(), pid);
        }
    }
    for point in &mounts {
        if !allowed_mounts.contains(point) {
            report.fail("no mount leaked", format!("{} is mounted", point.display()));
        }
    }

    // conmon: one per container that runc knows, none for any other. A conmon whose
    // container just exited may take a moment to go.
    let stray = |procs: Vec<OurProcess>| -> Vec<OurProcess> {
        procs
            .into_iter()
            .filter(|p| p.comm == "conmon")
            .filter(|p| {
                let id = p.arg_after("-c").unwrap_or_default();
                expect_conmon.get(id) != Some(&p.pid)
            })
            .collect()
    };
    let mut left = stray(processes_naming(dir));
    if !left.is_empty()
        && !host::wait_until(3.0, || {
            left = stray(processes_naming(dir));
            left.is_empty()
        })
    {
        for p in &left {
            let id = p.arg_after("-c").unwrap_or_default();
            let status = seen
                .get(id)
                .map(|s| s.state.status.as_str())
                .unwrap_or("gone");
            report.fail(
                "no conmon leaked",
                format!("conmon {} for container {id} ({status}) still runs", p.pid),
            );
        }
    }

    // The runtime's directories and exit files of containers that no longer exist.
    for (dir, what) in [
        (run_root.join("containers"), "run directory"),
        (rt.root().join("containers"), "static directory"),
        (run_root.join("exits"), "exit file"),
        (run_root.join("persist"), "persist directory"),
    ] {
        for name in entries(&dir) {
            let id = name.split('.').next().unwrap_or_default();
            if !seen.contains_key(id) {
                report.fail(
                    "no runtime state leaked",
                    format!("{what} {}", dir.join(&name).display()),
                );
            }
        }
    }
}

/// The names in a directory (none when it does not exist).
fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}
