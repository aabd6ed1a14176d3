//! The preconditions of each operation, made in the parent (not killed) on the roots the
//! previous trials left: the image to import is absent, the one to remove is there, a
//! container in the state the operation needs exists, and the roots stay small.

use super::fixtures::{Fixtures, ImageKind};
use super::ops::{ChildArgs, OpKind, Plan, container_options, pod_options, pull_options};
use super::roots::Roots;
use libpod_core::container::{
    Container, ContainerStatus, RemoveOptions, with_pod, with_restart_policy,
};
use libpod_core::pod::PodRemoveOptions;
use libpod_core::runtime::Runtime;
use libpod_spec::RestartPolicy;
use libpod_storage::ImageReference;
use std::time::{Duration, Instant};

/// At most this many containers (outside pods), and this many running, before an operation
/// adds one; at most this many pods.
pub(super) const MAX_CONTAINERS: usize = 4;
pub(super) const MAX_RUNNING: usize = 2;
const MAX_PODS: usize = 2;

/// Makes the plan's preconditions and returns what the child needs. `label` makes the names
/// of new containers unique.
pub fn prepare(
    rt: &Runtime,
    roots: &Roots,
    fixtures: &Fixtures,
    plan: &Plan,
    label: &str,
) -> Result<ChildArgs, String> {
    let mut args = ChildArgs {
        op: plan.op,
        dir: roots.path().to_path_buf(),
        target: String::new(),
        tarball: None,
        auth_file: fixtures.auth_file.clone(),
        cgroup: roots.cgroup.0.clone(),
        network: None,
        checkpoint: None,
    };
    let image = fixtures.image(plan.image);
    match plan.op {
        OpKind::Import | OpKind::Pull => {
            set_image(rt, fixtures, plan.image, false)?;
            set_image(rt, fixtures, plan.image.sibling(), plan.sibling_present)?;
            args.target = image.name.clone();
            args.tarball = image.tarball.clone();
        }
        OpKind::Rmi => {
            set_image(rt, fixtures, plan.image.sibling(), plan.sibling_present)?;
            set_image(rt, fixtures, plan.image, true)?;
            args.target = image.name.clone();
        }
        OpKind::Create => {
            make_room(rt, plan, MAX_CONTAINERS - 1)?;
            args.target = format!("crash-{label}");
        }
        OpKind::Start => {
            make_room(rt, plan, MAX_CONTAINERS - 1)?;
            limit_running(rt, MAX_RUNNING - 1)?;
            let ctr = pick_or_make(rt, roots, plan, label, |s| {
                matches!(s, ContainerStatus::Configured | ContainerStatus::Exited)
            })?;
            args.target = ctr.id().to_string();
        }
        OpKind::Stop | OpKind::Exec | OpKind::Healthcheck => {
            make_room(rt, plan, MAX_CONTAINERS - 1)?;
            let ctr = pick_or_make(rt, roots, plan, label, |s| s == ContainerStatus::Running)?;
            args.target = ctr.id().to_string();
        }
        OpKind::Rm => {
            make_room(rt, plan, MAX_CONTAINERS - 1)?;
            let running = plan.running;
            let ctr = pick_or_make(rt, roots, plan, label, |s| {
                (s == ContainerStatus::Running) == running
            })?;
            args.target = ctr.id().to_string();
        }
        OpKind::VolumeCreate => {
            limit_volumes(rt, 3)?;
            args.target = format!("crash-vol-{label}");
        }
        OpKind::VolumeRm => {
            limit_volumes(rt, 3)?;
            let unused = rt
                .volumes()
                .map_err(|e| format!("listing volumes: {e}"))?
                .into_iter()
                .find(|v| v.users().is_ok_and(|u| u.is_empty()));
            args.target = match unused {
                Some(volume) => volume.name().to_string(),
                None => rt
                    .new_volume([libpod_core::volume::with_volume_name(format!(
                        "crash-vol-{label}"
                    ))])
                    .map_err(|e| format!("creating a volume: {e}"))?
                    .name()
                    .to_string(),
            };
        }
        OpKind::Recreate => {
            make_room(rt, plan, MAX_CONTAINERS - 1)?;
            let ctr = pick_or_make(rt, roots, plan, label, |s| s == ContainerStatus::Running)?;
            args.target = ctr.name().to_string();
        }
        OpKind::Cleanup => {
            make_room(rt, plan, MAX_CONTAINERS - 1)?;
            limit_running(rt, MAX_RUNNING - 1)?;
            args.target = killed_always_container(rt, roots, label)?;
        }
        OpKind::PodCreate => {
            limit_pods(rt, MAX_PODS - 1)?;
            args.target = format!("crash-pod-{label}");
        }
        OpKind::PodStart | OpKind::PodRm => {
            limit_pods(rt, MAX_PODS - 1)?;
            let running = plan.op == OpKind::PodRm && plan.running;
            args.target = pod_with_member(rt, roots, label, running)?;
        }
        OpKind::NetStart | OpKind::NetStop | OpKind::NetConnect | OpKind::NetDisconnect => {
            super::net_setup::prepare(rt, roots, plan, label, &mut args)?;
        }
        OpKind::Checkpoint | OpKind::Restore | OpKind::RestoreImport => {
            super::checkpoint_ops::prepare(rt, roots, plan, label, &mut args)?;
        }
    }
    Ok(args)
}

/// Removes unused volumes until at most `max` are left.
fn limit_volumes(rt: &Runtime, max: usize) -> Result<(), String> {
    let volumes = rt.volumes().map_err(|e| format!("listing volumes: {e}"))?;
    for volume in volumes.iter().skip(max) {
        rt.remove_volume(volume, libpod_core::volume::VolumeRemoveOptions::default())
            .map_err(|e| format!("removing volume {}: {e}", volume.name()))?;
    }
    Ok(())
}

/// Makes image `kind` present (imported or pulled) or absent (removed).
fn set_image(
    rt: &Runtime,
    fixtures: &Fixtures,
    kind: ImageKind,
    present: bool,
) -> Result<(), String> {
    let fixture = fixtures.image(kind);
    let storage = rt.storage();
    let there = storage.image(&fixture.name).is_ok();
    let context = |what: &str, e: &dyn std::fmt::Display| format!("{what} {}: {e}", fixture.name);
    match (there, present) {
        (false, true) if kind.is_pull() => storage
            .pull_image(&fixture.name, &pull_options(&fixtures.auth_file))
            .map(drop)
            .map_err(|e| context("pulling", &e)),
        (false, true) => {
            let tarball = fixture.tarball.as_ref().expect("imports have a tarball");
            let file = std::fs::File::open(tarball).map_err(|e| context("opening", &e))?;
            let name = ImageReference::parse(&fixture.name).map_err(|e| context("parsing", &e))?;
            storage
                .import_tarball(file, Some(&name), &[])
                .map(drop)
                .map_err(|e| context("importing", &e))
        }
        (true, false) => storage
            .remove_image(&fixture.name, false)
            .map(drop)
            .map_err(|e| context("removing", &e)),
        _ => Ok(()),
    }
}

/// The containers outside pods with their statuses, by name (pods' go with their pods).
pub(super) fn containers(rt: &Runtime) -> Result<Vec<(Container, ContainerStatus)>, String> {
    let mut out = Vec::new();
    for ctr in rt
        .containers()
        .map_err(|e| format!("listing containers: {e}"))?
        .into_iter()
        .filter(|c| c.config().pod.is_none())
    {
        let status = ctr
            .status()
            .map_err(|e| format!("container {}: status: {e}", ctr.name()))?;
        out.push((ctr, status));
    }
    out.sort_by(|a, b| a.0.name().cmp(b.0.name()));
    Ok(out)
}

/// Removes containers (with force) until at most `max` are left.
pub(super) fn make_room(rt: &Runtime, plan: &Plan, max: usize) -> Result<(), String> {
    let mut all = containers(rt)?;
    while all.len() > max {
        let (ctr, _) = all.remove(usize::try_from(plan.pick % all.len() as u64).unwrap());
        rt.remove_container(&ctr, RemoveOptions::default().force(true).timeout(2))
            .map_err(|e| format!("removing container {}: {e}", ctr.name()))?;
    }
    Ok(())
}

/// Stops running containers until at most `max` run.
pub(super) fn limit_running(rt: &Runtime, max: usize) -> Result<(), String> {
    let running: Vec<Container> = containers(rt)?
        .into_iter()
        .filter(|(_, s)| *s == ContainerStatus::Running)
        .map(|(c, _)| c)
        .collect();
    for ctr in running.iter().skip(max) {
        ctr.stop(None)
            .map_err(|e| format!("stopping container {}: {e}", ctr.name()))?;
    }
    Ok(())
}

/// One of the containers whose status `wanted` accepts (chosen by the plan), else a new one
/// brought to a status it accepts (configured, else running, else exited).
fn pick_or_make(
    rt: &Runtime,
    roots: &Roots,
    plan: &Plan,
    label: &str,
    wanted: impl Fn(ContainerStatus) -> bool,
) -> Result<Container, String> {
    let candidates: Vec<Container> = containers(rt)?
        .into_iter()
        .filter(|(_, s)| wanted(*s))
        .map(|(c, _)| c)
        .collect();
    if !candidates.is_empty() {
        let at = usize::try_from(plan.pick % candidates.len() as u64).unwrap();
        return Ok(candidates.into_iter().nth(at).expect("in range"));
    }
    let name = format!("crash-{label}-pre");
    let ctr = rt
        .new_container(container_options(&name, &roots.cgroup.0))
        .map_err(|e| format!("creating container {name}: {e}"))?;
    if wanted(ContainerStatus::Configured) {
        return Ok(ctr);
    }
    ctr.start()
        .map_err(|e| format!("starting container {name}: {e}"))?;
    if wanted(ContainerStatus::Running) {
        return Ok(ctr);
    }
    ctr.stop(None)
        .map_err(|e| format!("stopping container {name}: {e}"))?;
    Ok(ctr)
}

/// A new `always` container, started and killed: its exit file is there, nothing handled it
/// (the harness's runtimes have no exit command and no exit monitor). Its ID.
fn killed_always_container(rt: &Runtime, roots: &Roots, label: &str) -> Result<String, String> {
    let name = format!("crash-{label}-always");
    let mut options = container_options(&name, &roots.cgroup.0);
    options.push(with_restart_policy(RestartPolicy::Always));
    let ctr = rt
        .new_container(options)
        .map_err(|e| format!("creating container {name}: {e}"))?;
    ctr.start()
        .map_err(|e| format!("starting container {name}: {e}"))?;
    ctr.kill(9)
        .map_err(|e| format!("killing container {name}: {e}"))?;
    let exit_file = roots.path().join("run/exits").join(ctr.id());
    let deadline = Instant::now() + Duration::from_secs(10);
    while !exit_file.exists() {
        if Instant::now() > deadline {
            return Err(format!("container {name}: no exit file after SIGKILL"));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Ok(ctr.id().to_string())
}

/// Removes pods (with force) until at most `max` are left.
fn limit_pods(rt: &Runtime, max: usize) -> Result<(), String> {
    let pods = rt.pods().map_err(|e| format!("listing pods: {e}"))?;
    for pod in pods.iter().skip(max) {
        rt.remove_pod(pod, PodRemoveOptions::default().force(true).timeout(2))
            .map_err(|e| format!("removing pod {}: {e}", pod.name()))?;
    }
    Ok(())
}

/// A new pod with one member, running or not (its ID).
fn pod_with_member(
    rt: &Runtime,
    roots: &Roots,
    label: &str,
    running: bool,
) -> Result<String, String> {
    let name = format!("crash-pod-{label}-pre");
    let pod = rt
        .new_pod(pod_options(&name, &roots.cgroup.0))
        .map_err(|e| format!("creating pod {name}: {e}"))?;
    let mut options = container_options(&format!("{name}-member"), &roots.cgroup.0);
    options.push(with_pod(&pod));
    rt.new_container(options)
        .map_err(|e| format!("creating a member of pod {name}: {e}"))?;
    if running {
        pod.start()
            .map_err(|e| format!("starting pod {name}: {e}"))?;
    }
    Ok(pod.id().to_string())
}
