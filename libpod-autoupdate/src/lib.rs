//! Auto-update for libpod-rs containers, as `podman auto-update` does, and more: without
//! systemd, with a rollback when the updated container fails.
//!
//! A container opts in with the label `io.containers.autoupdate` at create:
//! - `registry` (or `image`): updated when its registry's manifest behind its image name
//!   differs from its image; the image name must be fully qualified and tagged, which the
//!   create checks;
//! - `local`: updated when the image now behind its name in the store is another than its own.
//!
//! [`auto_update`] takes the running containers with a policy whose image is in the store,
//! groups them per systemd unit (the `PODMAN_SYSTEMD_UNIT` label a create takes from its
//! environment; a pod member's is its infra container's), else per pod, else per container,
//! checks each (per-container auth file: `io.containers.autoupdate.authfile`), pulls each
//! image name once, restarts the group's updated containers (over D-Bus for a unit, or by
//! recreating them in process), probes them ([`HealthProbe`]: an exit, a restart, or an
//! `unhealthy` healthcheck within a grace period), and rolls the group back when one fails.
//! Errors are collected per container; one container's failure never stops the others. Each
//! container gets a [`Report`].
//!
//! ```no_run
//! use libpod_autoupdate::{Options, Updated, auto_update};
//! let rt = libpod_core::runtime::Runtime::builder().open()?;
//! let options = Options { dry_run: true, ..Options::new() };
//! let (reports, _errors) = auto_update(&rt, options);
//! let pending = reports.iter().filter(|r| r.updated == Updated::Pending).count();
//! println!("{pending} containers have a newer image");
//! # Ok::<(), libpod_core::CoreError>(())
//! ```
//!
//! Parts: [`policy`] (labels and policies), [`check`] (the work and the checks), [`update`]
//! (the pass), [`restart`] (systemd and in-process restarters), [`health`] (the probe the
//! rollback asks), [`report`].

#![forbid(unsafe_code)]

pub mod check;
mod error;
pub mod health;
pub mod policy;
pub mod report;
pub mod restart;
pub mod update;

pub use error::{AutoUpdateError, Result};
pub use health::{Health, HealthProbe, StateProbe};
pub use report::{Report, Updated};
pub use update::{Options, Updater, auto_update};
