//! The crate's one error type.

use crate::record::ContainerStatus;
use std::path::PathBuf;

/// Everything that can go wrong in the engine. Variants name the container (or pod) and the
/// path, command or option involved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CoreError {
    // -- shared --
    /// A filesystem or process operation failed.
    #[error("{op} {path}")]
    Io {
        /// What was being done.
        op: &'static str,
        /// The path (or program) involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A path inside a directory someone else wrote was refused (a symlink where none is
    /// followed, not the kind of file expected, too large, outside its root). A failed system
    /// call of [`libpod_fs`] is an [`CoreError::Io`].
    #[error(transparent)]
    Fs(libpod_fs::FsError),
    /// An option was refused.
    #[error("invalid {option}: {reason}")]
    InvalidOption {
        /// The option (`name`, `restart policy`, `stop timeout`, ...).
        option: &'static str,
        /// Why.
        reason: String,
    },
    /// The spec could not be generated.
    #[error("container {id}: cannot generate its OCI spec")]
    Spec {
        /// The container.
        id: String,
        /// The cause.
        #[source]
        source: libpod_spec::SpecError,
    },
    /// A configuration option from libpod-spec was refused before the container existed.
    #[error(transparent)]
    InvalidSpec(#[from] libpod_spec::SpecError),
    /// The store failed.
    #[error(transparent)]
    Storage(#[from] libpod_storage::StorageError),

    // -- containers --
    /// A copy into or out of a container was refused (`podman cp`'s errors): the path, and
    /// why (`could not be found on container web: no such file or directory`).
    #[error("{path:?} {reason}")]
    Copy {
        /// The path, in the container or on the host.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// No container has this name, ID or ID prefix.
    #[error("no container with name or ID {0:?} found")]
    ContainerNotFound(String),
    /// An ID prefix matches several containers.
    #[error("more than one container matches {0:?}")]
    AmbiguousContainer(String),
    /// The name is taken, by a container or a pod (they share one namespace of names).
    #[error("the name {0:?} is already in use by a container or a pod")]
    NameInUse(String),
    /// The operation is not allowed in the container's state.
    #[error("container {id} is {status}: cannot {operation}")]
    InvalidState {
        /// The container.
        id: String,
        /// Its state.
        status: ContainerStatus,
        /// What was attempted (`start`, `pause`, ...).
        operation: &'static str,
    },
    /// A dependency is not running.
    #[error("container {id} depends on container {dependency}, which is not running")]
    DependencyNotRunning {
        /// The container.
        id: String,
        /// The dependency.
        dependency: String,
    },
    /// Other containers depend on this one.
    #[error("container {id} has dependent containers {dependents:?}")]
    HasDependents {
        /// The container.
        id: String,
        /// Its dependents.
        dependents: Vec<String>,
    },
    /// The container is already on this network.
    #[error("container {container} is already connected to network {network:?}")]
    NetworkConnected {
        /// The container.
        container: String,
        /// The network.
        network: String,
    },
    /// The container is not on this network.
    #[error("container {container} is not connected to network {network:?}")]
    NetworkNotConnected {
        /// The container.
        container: String,
        /// The network.
        network: String,
    },

    // -- pods, volumes, exec sessions --
    /// No pod has this name, ID or ID prefix.
    #[error("no pod with name or ID {0:?} found")]
    PodNotFound(String),
    /// An ID prefix matches several pods.
    #[error("more than one pod matches {0:?}")]
    AmbiguousPod(String),
    /// The pod still has containers.
    #[error("pod {id} has containers {containers:?}")]
    PodHasContainers {
        /// The pod.
        id: String,
        /// Its containers.
        containers: Vec<String>,
    },
    /// No volume has this name or name prefix.
    #[error("no volume with name {0:?} found")]
    VolumeNotFound(String),
    /// A name prefix matches several volumes.
    #[error("more than one volume matches {0:?}")]
    AmbiguousVolume(String),
    /// The volume is in use by containers.
    #[error("volume {name:?} is being used by containers {containers:?}")]
    VolumeInUse {
        /// The volume.
        name: String,
        /// The containers using it.
        containers: Vec<String>,
    },
    /// No exec session has this ID.
    #[error("no exec session with ID {0:?} found")]
    ExecSessionNotFound(String),

    /// Waiting took longer than allowed.
    #[error("container {id}: timed out waiting for {what}")]
    Timeout {
        /// The container.
        id: String,
        /// What was awaited.
        what: &'static str,
    },
    /// Removing a container failed part-way; its row stays (`Removing`), so removing it again
    /// retries what is left.
    #[error("container {id}: removal incomplete, retry it")]
    RemovalIncomplete {
        /// The container.
        id: String,
        /// What failed.
        #[source]
        source: Box<CoreError>,
    },
    /// Cleanup after a failure failed too; both are reported.
    #[error("{primary} (and cleanup failed: {cleanup})")]
    WithCleanupFailure {
        /// The first failure.
        primary: Box<CoreError>,
        /// What cleanup said.
        cleanup: String,
    },

    // -- state --
    /// The state database failed.
    #[error("state database: {op}")]
    Database {
        /// What was being done.
        op: &'static str,
        /// The cause.
        #[source]
        source: rusqlite::Error,
    },
    /// A stored record could not be decoded.
    #[error("state database: malformed {what} of {id}")]
    Corrupt {
        /// What (`config`, `state`).
        what: &'static str,
        /// The object's ID.
        id: String,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// The database was written by a newer libpod-rs: its schema version is past the
    /// migrations this code knows, so it is left untouched.
    #[error(
        "state database {path}: schema version {found} is newer than this libpod-rs supports ({supported})"
    )]
    SchemaTooNew {
        /// The database file.
        path: PathBuf,
        /// The version found in the file.
        found: i64,
        /// The newest version this code knows.
        supported: i64,
    },

    // -- oci --
    /// The OCI runtime (runc, crun) reported an error.
    #[error("container {id}: {runtime} {op} failed: {message}")]
    OciRuntime {
        /// The container.
        id: String,
        /// The runtime's name.
        runtime: String,
        /// The operation (`create`, `start`, `kill`, ...).
        op: &'static str,
        /// The runtime's own message (its JSON log's `msg`, or stderr).
        message: String,
    },
    /// conmon failed or broke its protocol.
    #[error("container {id}: conmon: {reason}")]
    Conmon {
        /// The container.
        id: String,
        /// What went wrong.
        reason: String,
    },

    // -- runtime --
    /// A configuration file (containers.conf) is malformed.
    #[error("invalid configuration {path}: {reason}")]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A program the configuration names (the OCI runtime, conmon) is in none of the places
    /// it may be.
    #[error("cannot find {program}: tried {}", tried.join(", "))]
    ProgramNotFound {
        /// The program (`runc`, `conmon`).
        program: String,
        /// Where it was looked for, in order (paths, then `$PATH`), with why each was
        /// passed over when it exists.
        tried: Vec<String>,
    },

    // -- logs --
    /// A line of a k8s-file container log is not a `TIME STREAM TAG MESSAGE` record.
    #[error("malformed log record {line:?}: {reason}")]
    LogRecord {
        /// The line (its first 200 bytes, decoded lossily).
        line: String,
        /// What is wrong with it.
        reason: &'static str,
    },

    // -- exec sessions (the exec wing) --
    /// The runtime could not run an exec's command because it is not there (Podman's
    /// `ErrOCIRuntimeNotFound`; exit code 127).
    #[error("{runtime}: {message}: OCI runtime attempted to invoke a command that was not found")]
    ExecCommandNotFound {
        /// The container.
        container: String,
        /// The runtime's name.
        runtime: String,
        /// The runtime's message, as Podman cuts it.
        message: String,
    },
    /// The runtime could not run an exec's command: not executable, or not permitted
    /// (Podman's `ErrOCIRuntimePermissionDenied`; exit code 126).
    #[error("{runtime}: {message}: OCI permission denied")]
    ExecCannotInvoke {
        /// The container.
        container: String,
        /// The runtime's name.
        runtime: String,
        /// The runtime's message, as Podman cuts it.
        message: String,
    },
    /// An exec session is not in a state that allows the operation.
    #[error("exec session {id} is {status}: cannot {operation}")]
    ExecSessionState {
        /// The session.
        id: String,
        /// Its status (`created`, `running`, `stopped`).
        status: &'static str,
        /// What was refused.
        operation: &'static str,
    },

    // -- volumes (the volume wing) --
    /// A volume with this name already exists.
    #[error("volume with name {0} already exists")]
    VolumeExists(String),
    /// A checkpoint import would restore the contents of a volume that exists already
    /// (Podman's words).
    #[error(
        "volume with name {0} already exists. Use --ignore-volumes to not restore content of volumes"
    )]
    ImportVolumeExists(String),
    /// A volume option the driver does not take, or a value it refuses.
    #[error("volume {name}: invalid option {option:?}: {reason}")]
    VolumeOption {
        /// The volume.
        name: String,
        /// The option as given (`type`, `o=size`...).
        option: String,
        /// Why it is refused.
        reason: String,
    },
    /// A command the local driver runs (`mount`) failed.
    #[error("volume {name}: {command} failed: {stderr}")]
    VolumeCommand {
        /// The volume.
        name: String,
        /// The command line.
        command: String,
        /// What it wrote to stderr (or its exit status).
        stderr: String,
    },
    // -- healthchecks (the health wing) --
    /// The container has no healthcheck (none given, or `NONE`).
    #[error("container {0} has no defined healthcheck")]
    NoHealthCheck(String),

    // -- attach, update, checkpoint (issue 14, points 2 and 7) --
    /// CRIU, which checkpoint and restore need, does not work on this host.
    #[error("container {id}: cannot {operation}: CRIU does not work on this host: {reason}")]
    CriuUnavailable {
        /// The container.
        id: String,
        /// `checkpoint` or `restore`.
        operation: &'static str,
        /// CRIU's own words (its error lines), or that it is missing.
        reason: String,
    },
    /// A checkpoint or restore failed: CRIU's own words (its log's error lines), else the
    /// runtime's.
    #[error("container {id}: {operation} failed: {reason}")]
    Criu {
        /// The container.
        id: String,
        /// `checkpoint` or `restore`.
        operation: &'static str,
        /// CRIU's error lines, or the runtime's message.
        reason: String,
    },
    /// A restore found no complete checkpoint (CRIU's `inventory.img`) of the container
    /// (Podman's words).
    #[error(
        "container {id}: a complete checkpoint for this container cannot be found, cannot restore"
    )]
    NoCheckpoint {
        /// The container.
        id: String,
    },
    /// A checkpoint archive could not be read or made.
    #[error("checkpoint archive {path}: {reason}")]
    CheckpointArchive {
        /// The archive.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },

    // -- networks (the network wing) --
    /// A network config, an address or the backend's setup or teardown failed for a
    /// container.
    #[error("container {container}: networking")]
    Network {
        /// The container.
        container: String,
        /// libpod-net's error (`NoSuchNetwork`, `SubnetExhausted`, `AddressInUse`,
        /// `Netavark`...).
        #[source]
        source: libpod_net::NetError,
    },
    /// A network verb on no container failed (`NoSuchNetwork`, `NetworkExists`, ...).
    #[error(transparent)]
    NetworkConfig(#[from] libpod_net::NetError),
    /// A network still has containers on it (`network rm` without force).
    #[error("network {network} is being used by containers: {}", .containers.join(", "))]
    NetworkInUse {
        /// The network.
        network: String,
        /// The containers on it.
        containers: Vec<String>,
    },

    // -- pods (the pod wing) --
    /// The pod was removed: a container cannot join it (Podman's `ErrPodRemoved`).
    #[error("pod {0} has been removed")]
    PodRemoved(String),
    /// An operation on a pod's containers failed for some of them (Podman's
    /// `ErrPodPartialFail`); the others were acted on.
    #[error("{operation} pod {id}: {} of its containers failed: {}", failures.len(), summary(failures))]
    PodPartialFailure {
        /// The pod.
        id: String,
        /// What was done (`start`, `stop`, ...).
        operation: &'static str,
        /// Each failed container's ID and error.
        failures: Vec<(String, CoreError)>,
    },
    /// A pod's containers depend on each other in a circle.
    #[error("pod {id}: its containers' dependencies form a cycle through {container}")]
    PodDependencyCycle {
        /// The pod.
        id: String,
        /// A container on the cycle.
        container: String,
    },
    /// The infra container goes only with its pod.
    #[error(
        "container {id} is the infra container of pod {pod} and cannot be removed without removing the pod"
    )]
    PodInfraContainer {
        /// The infra container.
        id: String,
        /// Its pod.
        pod: String,
    },
    /// A pod's cgroup could not be made, limited or removed.
    #[error("pod {id}: cgroup {path}: {op}")]
    PodCgroup {
        /// The pod.
        id: String,
        /// The cgroup directory or file.
        path: std::path::PathBuf,
        /// What failed.
        op: &'static str,
        /// The cause.
        #[source]
        source: std::io::Error,
    },

    // -- auto-update (the autoupdate wing) --
    /// An `io.containers.autoupdate` label value that names no policy.
    #[error("invalid auto-update policy {value:?}: valid policies are [{valid}]")]
    InvalidAutoUpdatePolicy {
        /// The label's value.
        value: String,
        /// The valid values, quoted and sorted (Podman's `%+q` of them).
        valid: String,
    },
    /// A container with the registry auto-update policy whose image reference cannot be
    /// checked against a registry.
    #[error("{reason}: {image:?}")]
    InvalidAutoUpdateReference {
        /// The image reference as given.
        image: String,
        /// What is wrong with it.
        reason: String,
    },

    // -- a second OCI runtime (libpod-libcontainer) --
    /// The OCI runtime cannot do what the container asks for (yet).
    #[error("container {id}: {what} is not supported by the OCI runtime {runtime}")]
    RuntimeUnsupported {
        /// The container.
        id: String,
        /// The runtime's name.
        runtime: String,
        /// What it cannot do.
        what: &'static str,
    },
    /// The container was created with an OCI runtime this runtime was not opened with.
    #[error("container {id}: its OCI runtime {runtime} is not available here")]
    OciRuntimeMissing {
        /// The container.
        id: String,
        /// The name of the runtime it was created with.
        runtime: String,
    },
    // -- pods' networks (the pods wing) --
    /// A container joining a pod's network namespace asked for networking of its own
    /// (published ports, networks): those are the pod's, set when it is created (Podman's
    /// `ErrNetworkOnPodContainer`, in its words).
    #[error(
        "{what} must be defined when the pod is created: network cannot be configured when it is shared with a pod"
    )]
    NetworkOnPodMember {
        /// The pod.
        pod: String,
        /// What was asked for: `published or exposed ports`, `networks`.
        what: &'static str,
    },
    /// A pod create option this engine cannot honour, named by Podman's flag (`--userns`,
    /// `--dns none`, ...): refused, never ignored.
    #[error("pod option {flag} {value:?} is not supported: {reason}")]
    PodOptionUnsupported {
        /// Podman's flag for it.
        flag: &'static str,
        /// The value given.
        value: String,
        /// Why.
        reason: String,
    },
}

/// The failures of a [`CoreError::PodPartialFailure`], one `ID: error` each.
fn summary(failures: &[(String, CoreError)]) -> String {
    failures
        .iter()
        .map(|(id, e)| format!("{}: {e}", &id[..id.len().min(12)]))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The crate's result type.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;

impl CoreError {
    /// Shorthand for [`CoreError::Io`].
    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        CoreError::Io {
            op,
            path: path.into(),
            source,
        }
    }
}

/// A failed system call is an [`CoreError::Io`], as the engine's own are; a refusal is
/// wrapped as [`CoreError::Fs`].
impl From<libpod_fs::FsError> for CoreError {
    fn from(err: libpod_fs::FsError) -> Self {
        match err {
            libpod_fs::FsError::Io { op, path, source } => CoreError::Io { op, path, source },
            refused => CoreError::Fs(refused),
        }
    }
}
