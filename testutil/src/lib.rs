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
//! - [`require_root`] and [`serial`] guard tests that need root or share host state.
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

mod mounts;
mod podman;
mod processes;
pub mod registry;
mod rootfs;
mod runc;
mod temp;

pub use mounts::{mount_points_beneath, unmount_beneath};
pub use podman::{InitOutcome, Podman};
pub use rootfs::{BUSYBOX, GROUP, PASSWD, busybox_rootfs, tar_directory};
pub use runc::{RuncOutput, runc_run};
pub use temp::TempRoot;

use std::sync::{Mutex, MutexGuard, PoisonError};

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
