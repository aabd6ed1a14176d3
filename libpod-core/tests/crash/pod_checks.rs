//! Pods after a kill: the next look removes a pod whose create was cut short; every pod left
//! is whole (its infra container and cgroup there), no pod directory or pod cgroup is left
//! without its pod; an interrupted start or removal finishes when done again.

use super::invariants::{Report, entries};
use super::ops::{ChildArgs, OpKind};
use libpod_core::CoreError;
use libpod_core::pod::{PodRemoveOptions, PodStatus};
use libpod_core::runtime::Runtime;

pub fn check_pods(rt: &Runtime, report: &mut Report) {
    let pods = match rt.pods() {
        Ok(p) => p,
        Err(e) => return report.fail("pods", format!("listing pods: {e}")),
    };
    for pod in &pods {
        let state = match pod.state() {
            Ok(s) => s,
            Err(e) => return report.fail("pods", format!("pod {}: state: {e}", pod.name())),
        };
        match &state.infra_container_id {
            Some(infra) if rt.container(infra).is_err() => {
                report.fail(
                    "pods",
                    format!("pod {}: its infra container is gone", pod.name()),
                );
            }
            None if pod.has_infra() => {
                report.fail("pods", format!("pod {}: no infra container", pod.name()));
            }
            _ => {}
        }
        if let Some(path) = &state.cgroup_path {
            let dir =
                std::path::Path::new("/sys/fs/cgroup/memory").join(path.trim_start_matches('/'));
            if !dir.is_dir() {
                report.fail(
                    "pods",
                    format!("pod {}: no cgroup {}", pod.name(), dir.display()),
                );
            }
        }
    }
    for dir in entries(&rt.root().join("pods")) {
        if !pods.iter().any(|p| p.id() == dir) {
            report.fail("pods", format!("directory pods/{dir} has no pod"));
        }
    }
    let containers = rt.containers().unwrap_or_default();
    for ctr in containers {
        if let Some(pod) = &ctr.config().pod
            && !pods.iter().any(|p| p.id() == pod)
        {
            report.fail("pods", format!("container {} is in no pod", ctr.name()));
        }
    }
}

/// An interrupted pod operation, done again, finishes.
pub fn retry(rt: &Runtime, args: &ChildArgs, report: &mut Report) {
    let pod = match rt.pod(&args.target) {
        Ok(p) => p,
        Err(CoreError::PodNotFound(_)) => return,
        Err(e) => return report.fail("retry", format!("looking up pod {}: {e}", args.target)),
    };
    let outcome = match args.op {
        OpKind::PodStart => pod
            .start()
            .map_err(|e| format!("pod start again: {e}"))
            .and_then(|()| match pod.status() {
                Ok(PodStatus::Running) => Ok(()),
                Ok(other) => Err(format!("pod start again left it {other}")),
                Err(e) => Err(format!("after pod start again: {e}")),
            }),
        OpKind::PodRm => rt
            .remove_pod(&pod, PodRemoveOptions::default().force(true).timeout(2))
            .map_err(|e| format!("pod rm again: {e}")),
        _ => Ok(()),
    };
    if let Err(e) = outcome {
        report.fail("retry", format!("pod {}: {e}", pod.name()));
    }
}
