//! The runtime: the engine opened on a storage root, as libpod's `Runtime`.
//!
//! ```no_run
//! use libpod_core::runtime::Runtime;
//! let rt = Runtime::builder()
//!     .root("/var/lib/libpod-rs")
//!     .run_root("/run/libpod-rs")
//!     .oci_runtime("runc")
//!     .open()?;
//! for ctr in rt.containers()? {
//!     println!("{} {}", ctr.id(), ctr.name());
//! }
//! # Ok::<(), libpod_core::CoreError>(())
//! ```
//!
//! # Who extends `Runtime`
//!
//! This file holds the handle, its builder and what every wing shares; each wing adds its own
//! verbs to `Runtime` in its own folder, so that this file imports none of them:
//!
//! | folder | adds to `Runtime` |
//! |---|---|
//! | `runtime/open.rs` | `RuntimeBuilder::open` (config, state, spec, store, OCI runtime; the refresh after a reboot) |
//! | `runtime/intents.rs` | the repair at open of creates and inits a kill interrupted |
//! | `container/create.rs` | `new_container`, `build_container` |
//! | `container/remove.rs` | `remove_container`, `remove_broken_container` |
//! | `container/prune.rs` | `prune_containers`, `container_exists` |
//! | `container/rename.rs` | `rename_container` |
//! | `monitor/` | `cleanup_container` (the exit command's work), `watch_exits` (the exit monitor), `boot` (start on boot) |
//! | `exec/` | `Container::exec*` (sessions, sessionless exec); the container's OCI runtime's `exec_side()` (else `oci_exec()`, the builder's) runs them |
//! | `volume/` | `volume`, `volumes`, `volume_exists` (mod.rs), `new_volume` (create.rs), `remove_volume` (remove.rs), `prune_volumes` (prune.rs), `import_volume` (export.rs) |
//! | `events/` | the `events()` emitter (every verb's one-line event; the store's image events) |
//! | `stats/` | `Container::stats`, `Container::top` (on the container handle) |
//! | `health/` | `schedule_healthchecks`; `health_scheduler()` (its thread, started at first use, holds a `WeakRuntime` from `downgrade()`) |
//! | `network/` | `networks()` (the configs), `create_network`, `remove_network`, `prune_networks`, `network_users` (verbs.rs), `connect_network`, `disconnect_network` (connect.rs); `networking()` reaches the backend and namespaces |
//! | `pod/` | `pod`, `pods`, `pod_exists` (mod.rs), `new_pod` (create.rs), `remove_pod` (remove.rs), `prune_pods` (remove.rs); `lock_pod()` takes a pod's guard |
//! | `container/recreate.rs` | `recreate_container` (the same container on another image; an interrupted one finished at open) |
//!
//! A new wing (pods, volumes, exec sessions, networks) adds its row here.
//!
//! # Its parts
//!
//! The fields are private to `runtime/`; the wings reach them through narrow crate-private
//! accessors: `state()` (the state store), `oci()` (the OCI runtime), `spec_generator()`,
//! `boot_id()`, and the locks, taken only as typed guards: `lock_container(id)` (and later a
//! pod's). The lock order is pod, then container, then exec session (see `lock.rs`): an exec session's lock comes only from its container's guard, a
//! pod's containers' locks only from the pod's guard, and a thread holding a deeper lock
//! cannot take a shallower one. A container's state changes only on its `Locked` guard
//! (`container/mod.rs`).

pub mod config;
pub(crate) mod held;
pub(crate) mod intents;
pub(crate) mod modes;
mod open;

pub use config::EngineConfig;
pub(crate) use open::EXITS_DIR;

use crate::container::Container;
use crate::error::{CoreError, Result};
use crate::lock::{ContainerGuard, LockManager, VolumeGuard};
use crate::monitor::{ExitCommand, ExitHandling};
use crate::oci::{OciExec, OciRuntime};
use crate::state::StateStore;
use libpod_spec::SpecGenerator;
use libpod_storage::Store;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};

/// Opens a [`Runtime`], in the style of libpod's `RuntimeOption`s: every setting has a default
/// from containers.conf, and each call here overrides one.
#[derive(Debug, Default)]
#[must_use]
pub struct RuntimeBuilder {
    root: Option<PathBuf>,
    run_root: Option<PathBuf>,
    oci_runtime: Option<String>,
    conmon_path: Option<PathBuf>,
    hooks_dirs: Option<Vec<PathBuf>>,
    default_ulimits: Option<Vec<String>>,
    log_level: Option<String>,
    storage_driver: Option<String>,
    engine: Option<EngineConfig>,
    state: Option<Box<dyn StateStore>>,
    oci: Option<Arc<dyn OciRuntime>>,
    added_oci: Vec<Arc<dyn OciRuntime>>,
    exit_command: Option<ExitCommand>,
    exit_monitor: Option<bool>,
    oci_exec: Option<Arc<dyn OciExec>>,
    network_backend: Option<crate::network::SharedBackend>,
    network_config_dir: Option<PathBuf>,
}

impl RuntimeBuilder {
    /// The persistent root (default `/var/lib/libpod-rs`): images, layers, the state database.
    pub fn root(mut self, path: impl Into<PathBuf>) -> Self {
        self.root = Some(path.into());
        self
    }

    /// The volatile root (default `/run/libpod-rs`): bundles, exit files, locks.
    pub fn run_root(mut self, path: impl Into<PathBuf>) -> Self {
        self.run_root = Some(path.into());
        self
    }

    /// The OCI runtime, by name (`runc`, `crun`: looked up as containers.conf says) or path.
    pub fn oci_runtime(mut self, name_or_path: impl Into<String>) -> Self {
        self.oci_runtime = Some(name_or_path.into());
        self
    }

    /// The conmon binary.
    pub fn conmon_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.conmon_path = Some(path.into());
        self
    }

    /// OCI hooks directories (a missing one is then an error).
    pub fn hooks_dirs(mut self, dirs: Vec<PathBuf>) -> Self {
        self.hooks_dirs = Some(dirs);
        self
    }

    /// Default ulimits of every container (`nofile=1024:1024`, ...).
    pub fn default_ulimits(mut self, ulimits: Vec<String>) -> Self {
        self.default_ulimits = Some(ulimits);
        self
    }

    /// conmon's log level (`info`, `debug`, ...).
    pub fn log_level(mut self, level: impl Into<String>) -> Self {
        self.log_level = Some(level.into());
        self
    }

    /// The storage driver (`overlay` or `vfs`).
    pub fn storage_driver(mut self, driver: impl Into<String>) -> Self {
        self.storage_driver = Some(driver.into());
        self
    }

    /// Uses this configuration instead of reading containers.conf.
    pub fn engine_config(mut self, config: EngineConfig) -> Self {
        self.engine = Some(config);
        self
    }

    /// Uses this state store instead of the SQLite database under the root (for tests).
    pub fn state_store(mut self, store: Box<dyn StateStore>) -> Self {
        self.state = Some(store);
        self
    }

    /// Uses this OCI runtime instead of conmon + runc (the fake one in unit tests, or one from
    /// another crate such as libpod-libcontainer's). With [`oci_runtime`](Self::oci_runtime)
    /// naming it too, the exit command reopens the runtime with `--runtime NAME`.
    pub fn with_oci(mut self, oci: Arc<dyn OciRuntime>) -> Self {
        self.oci = Some(oci);
        self
    }

    /// Offers this OCI runtime too, under its name, beside the configured one: each container
    /// records the name of the runtime it was created with, and every operation on it uses
    /// that runtime. [`oci_runtime`](Self::oci_runtime) with its name makes it the runtime
    /// of new containers (the configured conmon one stays for the containers made with it).
    pub fn add_oci_runtime(mut self, oci: Arc<dyn OciRuntime>) -> Self {
        self.added_oci.push(oci);
        self
    }

    /// The program conmon runs when a container created by this runtime exits (Podman's
    /// `exit_command`): the embedder's binary, which calls
    /// [`run_cleanup`](crate::monitor::run_cleanup), so that exits are cleaned up and restart
    /// policies applied with no program of ours running (see [`monitor`](crate::monitor)).
    /// None by default: a library cannot tell which binary serves it.
    ///
    /// ```no_run
    /// use libpod_core::monitor::ExitCommand;
    /// let rt = libpod_core::runtime::Runtime::builder()
    ///     .exit_command(ExitCommand::new("/usr/local/bin/myapp").args(["cleanup"]))
    ///     .open()?;
    /// # Ok::<(), libpod_core::CoreError>(())
    /// ```
    pub fn exit_command(mut self, command: ExitCommand) -> Self {
        self.exit_command = Some(command);
        self
    }

    /// Whether the runtime may run an exit monitor while it is open (default: yes). A
    /// short-lived program whose containers have an exit command (a CLI) turns it off: its
    /// process would be cut short in the middle of a restart.
    pub fn exit_monitor(mut self, enabled: bool) -> Self {
        self.exit_monitor = Some(enabled);
        self
    }

    /// Uses this runtime for the exec sessions of the containers made with the runtime given
    /// to [`with_oci`](Self::with_oci), when it has no exec side of its own
    /// ([`OciRuntime::exec_side`]): every other container uses its runtime's (conmon's, or
    /// libpod-libcontainer's), or has none.
    pub fn with_oci_exec(mut self, exec: Arc<dyn OciExec>) -> Self {
        self.oci_exec = Some(exec);
        self
    }

    /// Uses this network backend instead of netavark (a [`FakeBackend`] in tests of callers).
    ///
    /// [`FakeBackend`]: crate::network::FakeBackend
    pub fn network_backend(mut self, backend: Arc<dyn crate::network::NetworkBackend>) -> Self {
        self.network_backend = Some(crate::network::SharedBackend(backend));
        self
    }

    /// Where network configs live (default: containers.conf's `network_config_dir`, else
    /// `ROOT/networks`).
    pub fn network_config_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.network_config_dir = Some(dir.into());
        self
    }

    /// Opens the runtime (see [`Runtime`]).
    pub fn open(self) -> Result<Runtime> {
        open::open(self)
    }
}

/// One container in [`Runtime::list_containers`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ContainerEntry {
    /// A container whose records decode.
    Sound(Container),
    /// A container whose config or state does not decode.
    Broken(BrokenContainer),
}

/// A container whose records in the state database do not decode: all that is known of it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BrokenContainer {
    /// Its ID.
    pub id: String,
    /// Its name.
    pub name: String,
    /// What does not decode, and why.
    pub reason: String,
}

/// The engine, opened on a root: containers, their state and storage. Cheap to clone and
/// safe to share between threads.
#[derive(Clone, Debug)]
pub struct Runtime {
    inner: Arc<RuntimeInner>,
}

/// The runtime's parts, private to `runtime/` (see the module header for the accessors).
#[derive(Debug)]
struct RuntimeInner {
    root: PathBuf,
    run_root: PathBuf,
    engine: EngineConfig,
    state: Box<dyn StateStore>,
    storage: Store,
    oci: Arc<dyn OciRuntime>,
    other_oci: Vec<Arc<dyn OciRuntime>>,
    oci_exec: Option<Arc<dyn OciExec>>,
    locks: LockManager,
    spec: SpecGenerator,
    boot_id: String,
    events: crate::events::EventEmitter,
    exits: ExitHandling,
    health: crate::health::Scheduler,
    network: crate::network::Networking,
}

impl Runtime {
    /// A builder with every setting at its default.
    pub fn builder() -> RuntimeBuilder {
        RuntimeBuilder::default()
    }

    /// The persistent root.
    pub fn root(&self) -> &Path {
        &self.inner.root
    }

    /// The volatile root.
    pub fn run_root(&self) -> &Path {
        &self.inner.run_root
    }

    /// The image and container store.
    pub fn storage(&self) -> &Store {
        &self.inner.storage
    }

    /// The engine configuration in effect.
    pub fn engine_config(&self) -> &EngineConfig {
        &self.inner.engine
    }

    /// The OCI runtime's name.
    pub fn oci_runtime_name(&self) -> &str {
        self.inner.oci.name()
    }

    /// The state store.
    pub(crate) fn state(&self) -> &dyn StateStore {
        &*self.inner.state
    }

    /// The OCI runtime (cloned by verbs that wait on it with the lock released).
    pub(crate) fn oci(&self) -> &Arc<dyn OciRuntime> {
        &self.inner.oci
    }

    /// Every OCI runtime, the one of new containers first (containers record theirs by name).
    pub(crate) fn all_oci(&self) -> impl Iterator<Item = &Arc<dyn OciRuntime>> {
        std::iter::once(&self.inner.oci).chain(&self.inner.other_oci)
    }

    /// The spec generator.
    pub(crate) fn spec_generator(&self) -> &SpecGenerator {
        &self.inner.spec
    }

    /// This boot's ID, recorded in the states that a reboot invalidates.
    pub(crate) fn boot_id(&self) -> &str {
        &self.inner.boot_id
    }

    /// Locks container `id` (one not locked under its pod's guard), as the lock order allows
    /// (see [`lock`](crate::lock)): the guard also removes the lock file of a container that
    /// is gone.
    pub(crate) fn lock_container(&self, id: &str) -> Result<ContainerGuard<'_>> {
        self.inner.locks.container(id)
    }

    /// How exits are handled: the exit command, the reopen flags, the exit monitor.
    pub(crate) fn exit_handling(&self) -> &ExitHandling {
        &self.inner.exits
    }

    /// A handle that does not keep the runtime open (the exit monitor's).
    pub(crate) fn downgrade(&self) -> WeakRuntime {
        WeakRuntime(Arc::downgrade(&self.inner))
    }

    /// The exec side given to the builder, if any (see `RuntimeBuilder::with_oci_exec`).
    pub(crate) fn oci_exec(&self) -> Option<&Arc<dyn OciExec>> {
        self.inner.oci_exec.as_ref()
    }

    /// Locks named volume `name` (alone, or under a container's guard: never before one).
    pub(crate) fn lock_volume(&self, name: &str) -> Result<VolumeGuard> {
        self.inner.locks.volume(name)
    }

    /// The network configs (`network create/ls/inspect/rm`), opened on first use with the
    /// default network made if missing.
    pub fn networks(&self) -> Result<&crate::network::NetworkStore> {
        self.inner.network.store()
    }

    /// The networking parts: backend, namespaces' directory.
    pub(crate) fn networking(&self) -> &crate::network::Networking {
        &self.inner.network
    }

    /// The event emitter: where every operation records its event (see
    /// [`events`](crate::events)), and the reader of the event file.
    pub fn events(&self) -> &crate::events::EventEmitter {
        &self.inner.events
    }

    /// The healthcheck scheduler (its thread starts at its first use).
    pub(crate) fn health_scheduler(&self) -> &crate::health::Scheduler {
        &self.inner.health
    }

    /// Locks pod `id`, the outermost lock: its containers are locked through the guard.
    pub(crate) fn lock_pod(&self, id: &str) -> Result<crate::lock::PodGuard<'_>> {
        self.inner.locks.pod(id)
    }

    /// The container with this name, ID or unique ID prefix.
    pub fn container(&self, name_or_id: &str) -> Result<Container> {
        let id = self.inner.state.lookup_container(name_or_id)?;
        Container::load(self, &id)
    }

    /// Every container whose config decodes (the others are logged, and listed by
    /// [`list_containers`](Self::list_containers)).
    pub fn containers(&self) -> Result<Vec<Container>> {
        let mut out = Vec::new();
        for id in self.inner.state.all_containers()? {
            match Container::load(self, &id) {
                Ok(c) => out.push(c),
                // Removed by another process since the listing.
                Err(CoreError::ContainerNotFound(_)) => {}
                Err(err @ CoreError::Corrupt { .. }) => {
                    tracing::warn!(container = %id, %err, "left out of the list");
                }
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// Every container, sorted by ID, a damaged one included: one whose config or state
    /// does not decode is [`ContainerEntry::Broken`] (`ps -a` shows it; only
    /// [`remove_broken_container`](Self::remove_broken_container) acts on it).
    pub fn list_containers(&self) -> Result<Vec<ContainerEntry>> {
        let state = &self.inner.state;
        let mut out = Vec::new();
        for id in state.all_containers()? {
            let loaded =
                Container::load(self, &id).and_then(|ctr| state.container_state(&id).map(|_| ctr));
            match loaded {
                Ok(ctr) => out.push(ContainerEntry::Sound(ctr)),
                Err(CoreError::ContainerNotFound(_)) => {}
                Err(err @ CoreError::Corrupt { .. }) => {
                    let name = match state.container_name(&id) {
                        Ok(name) => name,
                        Err(CoreError::ContainerNotFound(_)) => continue,
                        Err(e) => return Err(e),
                    };
                    out.push(ContainerEntry::Broken(BrokenContainer {
                        id,
                        name,
                        reason: err.to_string(),
                    }));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// Releases the runtime. Containers keep running: conmon watches them.
    pub fn shutdown(self) -> Result<()> {
        Ok(())
    }

    /// The directory of a container's generated files and OCI bundle.
    pub(crate) fn container_run_dir(&self, id: &str) -> PathBuf {
        self.inner.run_root.join("containers").join(id)
    }

    /// The directory of a container's files that outlive a reboot (its log).
    pub(crate) fn container_static_dir(&self, id: &str) -> PathBuf {
        self.inner.root.join("containers").join(id)
    }
}

/// A [`Runtime`] that is not kept open by this handle.
#[derive(Clone, Debug)]
pub(crate) struct WeakRuntime(Weak<RuntimeInner>);

impl WeakRuntime {
    /// The runtime, while some handle keeps it open.
    pub(crate) fn upgrade(&self) -> Option<Runtime> {
        self.0.upgrade().map(|inner| Runtime { inner })
    }
}

/// The current time as RFC 3339 with nanoseconds (UTC), as Podman records times.
pub(crate) use libpod_fs::now_rfc3339;
