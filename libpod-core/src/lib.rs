//! The libpod-rs engine: a [`Runtime`](runtime::Runtime) on a storage root that creates,
//! starts, stops, inspects and removes containers running under the real `runc` with `conmon`
//! as their monitor, as Podman's libpod does; a container outlives the program that started it.
//!
//! ```no_run
//! use libpod_core::container::{RemoveOptions, with_command, with_name, with_rootfs_from_image};
//! use libpod_core::runtime::Runtime;
//!
//! let rt = Runtime::builder()
//!     .root("/var/lib/libpod-rs")       // images, layers, the state database
//!     .run_root("/run/libpod-rs")       // bundles, exit files, locks
//!     .open()?;
//! let ctr = rt.new_container([
//!     with_name("web"),
//!     with_rootfs_from_image("localhost/busybox"),
//!     with_command(["sh", "-c", "echo hello; exit 3"]),
//! ])?;
//! ctr.start()?;
//! assert_eq!(ctr.wait()?, 3);
//! rt.remove_container(&ctr, RemoveOptions::default())?;
//! # Ok::<(), libpod_core::CoreError>(())
//! ```
//!
//! How it is put together:
//! - [`runtime`]: the builder, containers.conf, opening (state database, store and spec
//!   generator side by side) and the refresh after a reboot.
//! - [`container`]: configs from functional options ([`container::CtrCreateOption`]), one file
//!   per lifecycle verb, and the `Locked` guard: a state change needs the container's lock and
//!   a freshly synced state. Exits are handled when the container is next looked at: the
//!   restart policy marked pending, else removal of an auto-remove container, else cleanup.
//!   Auto-update's part: the labels checked at create and
//!   [`Runtime::recreate_container`](runtime::Runtime::recreate_container) (the same
//!   container on another image, finished by the next open if interrupted).
//! - [`monitor`]: exits handled and restart policies applied with nothing of ours running:
//!   the cleanup entry point conmon's exit command runs (an embedder's binary calls
//!   [`monitor::run_cleanup`]), the exit monitor of an open runtime, and start on boot.
//! - [`oci`]: the [`OciRuntime`](oci::OciRuntime) trait and its conmon + runc implementation
//!   (conmon launched through `posix_spawn`, runc's start and delete done in process where
//!   runc only works on files), and an in-memory fake for unit tests.
//! - [`record`]: the stored records (container config and state), below the handles and the
//!   state layer.
//! - [`state`]: the [`StateStore`](state::StateStore) trait, SQLite (WAL, kept between
//!   connections) and in-memory implementations.
//! - [`health`]: healthchecks with no systemd: on demand
//!   ([`Container::healthcheck_run`](container::Container::healthcheck_run)), a timer process
//!   per container (the embedder's binary calling [`health::run_timer`]), or an open runtime's
//!   scheduler.
//! - [`logs`]: reading conmon's k8s-file logs.
//! - [`events`]: Podman's event file (written by every verb through
//!   [`Runtime::events`](runtime::Runtime::events), image operations included; read with
//!   filters, since/until and follow).
//! - [`stats`]: `Container::stats` (cgroup v1 and v2) and `Container::top` (psgo's
//!   descriptors).
//! - With the `testsuite` feature, the conformance suites of both traits, for backends in
//!   other crates: `state::suite` with `state_store_suite!`, `oci::suite` with
//!   `oci_runtime_suite!` (one `#[test]` per case).
//!
//! `unsafe` is denied but in the two places that place fds for conmon (`oci/spawn.rs`,
//! `oci/sync.rs`), each block with a `// SAFETY:` comment.

mod cgroup_warmup;
pub mod container;
mod error;
pub mod events;
pub mod exec;
pub mod health;
mod lock;
pub mod logs;
pub mod monitor;
pub mod network;
pub(crate) mod notify;
pub mod oci;
mod overlap;
pub mod pod;
pub mod record;
pub mod runtime;
pub mod state;
pub mod stats;
pub mod volume;

pub use error::{CoreError, Result};
