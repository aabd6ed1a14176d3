//! What must hold after any kill, checked as a new process would see it: the store and the
//! runtime reopen, the store checks clean, no staging, every layer and image is whole, every
//! container is in a legal state that agrees with runc, conmon and the mount table, nothing
//! is leaked, and the interrupted operation is absent or whole.

use super::container_checks::check_containers;
use super::fixtures::Fixtures;
use super::host::{self, processes_naming};
use super::ops::ChildArgs;
use super::roots::open_runtime;
use super::store_checks::check_store;
use libpod_core::runtime::Runtime;
use std::fmt;
use std::path::Path;

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

/// Waits for the runc and netavark processes left by a killed child (conmon's `runc create`,
/// a `runc kill` or `delete` of ours, a netavark setup or teardown) to finish, as a new
/// process would find the host a moment later.
pub fn settle(dir: &Path) {
    host::wait_until(10.0, || {
        !processes_naming(dir)
            .iter()
            .any(|p| p.comm == "runc" || p.comm == "netavark")
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
    super::checkpoint_checks::settle(dir);
    let rt = match open_runtime(dir) {
        Ok(rt) => rt,
        Err(e) => {
            report.fail("reopen", format!("Runtime::open failed: {e}"));
            return None;
        }
    };
    check_store(&rt, fixtures, report);
    check_containers(&rt, dir, interrupted, report);
    super::volume_checks::check_volumes(&rt, report);
    super::pod_checks::check_pods(&rt, report);
    super::network_checks::check_networks(&rt, report);
    super::checkpoint_checks::check_checkpoints(&rt, dir, &interrupted.cgroup, interrupted, report);
    Some(rt)
}

/// The names in a directory (none when it does not exist).
pub fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}
