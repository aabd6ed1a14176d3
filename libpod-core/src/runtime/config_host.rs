//! The host facts Podman's defaults depend on.

use std::path::Path;

/// What the built-in defaults depend on, probed once from the host (or set by tests).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HostFacts {
    /// systemd is PID 1 (`/proc/1/comm` is `systemd`, as containers/common 0.50 checks):
    /// the default cgroup manager is then `systemd`, else `cgroupfs`.
    pub systemd: bool,
    /// systemd runs and its journal is readable (a readable directory in /run/log/journal or
    /// /var/log/journal): the default log driver is then `journald`, else `k8s-file`.
    pub journald: bool,
    /// The default OCI runtime: the first of runc, crun, kata and runsc that has one of its
    /// built-in candidate paths, or is on `$PATH`; empty when none is.
    pub runtime: String,
}

impl HostFacts {
    /// Looks at this host.
    ///
    /// On the Debian 12 machines of this project (no systemd as PID 1, crun and runc
    /// installed) this gives `systemd: false`, `journald: false` and `runtime: "crun"`, as
    /// `podman info` shows: Podman 4.3.1 picks crun whenever it is installed.
    pub fn probe() -> HostFacts {
        let systemd = std::fs::read_to_string("/proc/1/comm")
            .is_ok_and(|comm| comm.trim_end_matches('\n') == "systemd");
        let journald = systemd
            && ["/run/log/journal", "/var/log/journal"]
                .iter()
                .any(|root| has_readable_subdir(Path::new(root)));
        let runtime =
            super::find::default_runtime(std::env::var_os("PATH").as_deref()).unwrap_or_default();
        HostFacts {
            systemd,
            journald,
            runtime,
        }
    }
}

fn has_readable_subdir(root: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(root) else {
        return false;
    };
    entries.flatten().any(|entry| {
        entry.file_type().is_ok_and(|kind| kind.is_dir()) && std::fs::read_dir(entry.path()).is_ok()
    })
}
