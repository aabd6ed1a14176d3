//! Shared fixtures for libpod-rs tests and examples.
//!
//! The integration tests of the workspace run real containers, as root, on the host. These
//! helpers keep them short and keep them from touching host state:
//!
//! - [`busybox_rootfs`] builds a minimal root filesystem from the host's static busybox (the
//!   same rootfs the Podman reference outputs in the repository were recorded with).
//! - [`TempRoot`] is a temporary directory that unmounts whatever was mounted beneath it
//!   before removing it.
//! - [`runc_run`] runs a bundle with runc, with a private state directory.
//! - [`Podman`] drives the host's `podman` against a private store, to compare our output
//!   with Podman's.
//! - [`require_root`] and [`serial`] guard tests that need root or share host state;
//!   [`require_criu`] those that checkpoint.
//! - [`registry`] runs real registries (plain, TLS, htpasswd, token auth) on 127.0.0.1, pushes
//!   images into them with skopeo, and puts a misbehaving proxy in front of them.
//!
//! ```no_run
//! use libpod_testutil::{busybox_rootfs, require_root, serial, TempRoot};
//!
//! require_root();
//! let _guard = serial();
//! let tmp = TempRoot::new()?;
//! busybox_rootfs(&tmp.path().join("rootfs"))?;
//! assert!(tmp.path().join("rootfs/bin/sh").exists());
//! # Ok::<(), std::io::Error>(())
//! ```
#![forbid(unsafe_code)]

mod cgroups;
mod mounts;
mod podman;
mod processes;
pub mod registry;
mod rootfs;
mod runc;
mod temp;

pub use cgroups::remove_cgroup_parent;
pub use mounts::{mount_points_beneath, unmount_beneath};
pub use podman::{InitOutcome, Podman};
pub use processes::dead_pid;
pub use rootfs::{BUSYBOX, GROUP, PASSWD, busybox_rootfs, tar_directory};
pub use runc::{RuncOutput, runc_run};
pub use temp::TempRoot;

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Where to get a CRIU that works on this host's kernel, for the messages of [`require_criu`].
const CRIU_HINT: &str = "checkpoint tests need a working CRIU first in PATH: `cargo xtask criu` \
     builds one under target/host-tools/criu-4.1.1/ and `cargo xtask test` puts it first in PATH";

/// Asserts that the first `criu` in `PATH` (the one runc and libpod-core use) passes
/// `criu check` on this kernel, so that a checkpoint test fails with a clear message rather
/// than with CRIU's first error; returns its path.
///
/// ```no_run
/// libpod_testutil::require_root();
/// let criu = libpod_testutil::require_criu();
/// assert!(criu.ends_with("criu"));
/// ```
///
/// # Panics
/// When no `criu` is in `PATH`, or it fails its self-check (Debian 12's CRIU 3.17 does on
/// recent kernels).
pub fn require_criu() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let criu = std::env::split_paths(&path)
        .map(|dir| dir.join("criu"))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| panic!("no criu in PATH; {CRIU_HINT}"));
    let output = std::process::Command::new(&criu)
        .arg("check")
        .output()
        .unwrap_or_else(|err| panic!("running {}: {err}; {CRIU_HINT}", criu.display()));
    assert!(
        output.status.success(),
        "`{} check` fails on this kernel ({}): {}\n{CRIU_HINT}",
        criu.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr).trim()
    );
    criu
}

/// Asserts that the process runs as root (effective UID 0), so that a test that needs root
/// fails loudly instead of passing without having checked anything.
///
/// # Panics
/// When the effective UID is not 0.
pub fn require_root() {
    assert!(
        nix::unistd::geteuid().is_root(),
        "this test needs root (CI runs as root)"
    );
}

/// Takes a process-wide lock, for tests that share host state (mounts, cgroups, runc, podman)
/// and must not run at the same time as each other.
///
/// A test that panicked while holding the lock does not poison it for the others.
///
/// ```
/// let _guard = libpod_testutil::serial();
/// // ... touch shared host state ...
/// ```
pub fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(PoisonError::into_inner)
}
