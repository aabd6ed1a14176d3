//! The crate's one error type.

use std::path::PathBuf;

/// Everything that can go wrong in the store, naming the object (image, layer, container, blob,
/// reference) and the path or entry involved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    // -- shared --
    /// A filesystem operation failed.
    #[error("{op} {path}")]
    Io {
        /// What was being done (`create`, `read`, `rename`, `mount`, ...).
        op: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A path inside a directory someone else wrote was refused: a symlink where none is
    /// followed, not the kind of file expected, too large, or outside its root. (A failed
    /// system call of [`libpod_fs`] is an [`StorageError::Io`]; a refusal inside an OCI
    /// layout is an [`StorageError::InvalidLayout`].)
    #[error(transparent)]
    Fs(libpod_fs::FsError),
    /// A user-supplied value could not be used.
    #[error("invalid {field} {value:?}: {reason}")]
    InvalidValue {
        /// What the value is (`reference`, `digest`, `change`, `tag`, ...).
        field: &'static str,
        /// The value as given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// JSON metadata (a manifest, a config, the store's records) is malformed.
    #[error("malformed {what} in {path}")]
    Json {
        /// What the document is (`manifest`, `image config`, `index`, `store metadata`).
        what: &'static str,
        /// Where it came from.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },
    /// A blob stream ran past the size its descriptor gives: it was cut there, before
    /// anything past the size was staged or unpacked.
    #[error(
        "blob {digest} is longer than the {expected} bytes its descriptor gives: cut after {received} bytes"
    )]
    BlobTooLarge {
        /// The blob's digest.
        digest: String,
        /// The size its descriptor gives.
        expected: u64,
        /// The bytes received when it was cut (one past the size).
        received: u64,
    },
    /// Content did not match its digest.
    #[error("digest mismatch for {what}: expected {expected}, got {actual}")]
    DigestMismatch {
        /// What was verified (`blob`, `layer diff`, `manifest`, `config`).
        what: &'static str,
        /// The digest it should have.
        expected: String,
        /// The digest it has.
        actual: String,
    },

    // -- digest, reference, registries --
    /// An image reference is not valid.
    #[error("invalid image reference {reference:?}: {reason}")]
    InvalidReference {
        /// The reference as given.
        reference: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A registries.conf file is not valid.
    #[error("invalid registries configuration {path}: {reason}")]
    RegistriesConf {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A short name matched no alias and there is no search registry to qualify it.
    #[error("short name {name:?} did not resolve: no alias and no unqualified-search registries")]
    ShortNameUnresolved {
        /// The short name.
        name: String,
    },
    /// `short-name-mode = "enforcing"` and several unqualified-search registries could supply a
    /// short name that has no alias: Podman would prompt on a terminal, and fails without one.
    #[error("short name {name:?} is ambiguous: short-name-mode is enforcing and it could be any of {}; use a fully-qualified name or define an alias (short-name resolution enforced but cannot prompt)", .candidates.join(", "))]
    ShortNameAmbiguous {
        /// The short name.
        name: String,
        /// The fully-qualified references it could mean, in search order.
        candidates: Vec<String>,
    },
    /// registries.conf forbids pulling from the registry a reference is in (`blocked = true`)
    /// and no unblocked mirror can serve it.
    #[error("registry {prefix} is blocked in {}", origin.display())]
    RegistryBlocked {
        /// The `prefix` of the blocking `[[registry]]` entry.
        prefix: String,
        /// The file that blocks it.
        origin: PathBuf,
    },

    // -- layer --
    /// A layer tarball tried something not allowed: writing outside its root, an unsafe
    /// whiteout, a forbidden xattr...
    #[error("refused layer entry {entry:?}: {reason}")]
    HostileLayer {
        /// The tar entry's path as written in the archive.
        entry: String,
        /// What it tried.
        reason: String,
    },
    /// A layer tarball is not a readable tar (or compressed tar) stream.
    #[error("malformed layer archive: {reason}")]
    MalformedLayer {
        /// What is wrong.
        reason: String,
    },

    // -- registries --
    /// A registry refused or failed a request.
    #[error("registry {registry}: {operation} {reference}: {failure}")]
    Registry {
        /// The registry host (`HOST[:PORT]`).
        registry: String,
        /// The reference or repository the request was for.
        reference: String,
        /// What was being done (`ping`, `get manifest`, `get blob`, `token`, `push blob`, ...).
        operation: &'static str,
        /// What went wrong.
        failure: RegistryFailure,
    },
    /// A credentials file (auth.json, Docker's config.json) is malformed.
    #[error("invalid credentials file {path}: {reason}")]
    AuthFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A certificate or key (system roots, certs.d) could not be used.
    #[error("invalid certificate {path}: {reason}")]
    Certificate {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// Verified TLS was asked for, but no CA certificate is trusted: the system trust store
    /// has none and certs.d has none for the registry.
    #[error("no trusted CA certificates for registry {registry}: none in the system trust store (looked in {}) nor in its certs.d directory", paths_text(.searched))]
    NoTrustedCertificates {
        /// The registry host (`HOST[:PORT]`).
        registry: String,
        /// The system bundles and directories looked at.
        searched: Vec<PathBuf>,
    },

    // -- image formats and transports --
    /// An image (manifest, index, config, layout) uses something we do not support.
    #[error("unsupported {what}: {reason}")]
    Unsupported {
        /// What (`media type`, `manifest schema`, `platform`, ...).
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// An image layout or archive is malformed.
    #[error("invalid image layout {path}: {reason}")]
    InvalidLayout {
        /// The layout directory or archive.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    // -- store --
    /// No image has this name or ID.
    #[error("image not known: {0}")]
    ImageNotKnown(String),
    /// No layer has this ID.
    #[error("layer not known: {0}")]
    LayerNotKnown(String),
    /// No container storage has this ID.
    #[error("container storage not known: {0}")]
    ContainerNotKnown(String),
    /// An ID prefix matches several objects.
    #[error("{kind} ID prefix {prefix:?} is ambiguous")]
    Ambiguous {
        /// `image` or `container`.
        kind: &'static str,
        /// The prefix given.
        prefix: String,
    },
    /// The image is used by containers and removal was not forced.
    #[error("image {image} is in use by containers {containers:?}")]
    ImageInUse {
        /// The image ID.
        image: String,
        /// The containers using it.
        containers: Vec<String>,
    },
    /// A container's storage is still mounted.
    #[error("container storage {0} is mounted")]
    ContainerMounted(String),
    /// The store's records (`store.json`) are missing while the store holds layers, blobs or
    /// containers: nothing is repaired or deleted until the file is restored.
    #[error("the store's records {path} are missing but the store is not empty: restore the file")]
    RecordsMissing {
        /// The missing file.
        path: PathBuf,
    },
    /// The store was made with another storage driver than the one asked for.
    #[error("the store at {root} uses the {recorded} storage driver, not {requested}")]
    DriverMismatch {
        /// The store's root.
        root: PathBuf,
        /// The driver the store records.
        recorded: crate::driver::DriverKind,
        /// The driver asked for.
        requested: crate::driver::DriverKind,
    },
}

/// Why a registry request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryFailure {
    /// 401: no or wrong credentials.
    #[error("unauthorized (401){}", detail_suffix(.0))]
    Unauthorized(String),
    /// 403: the credentials do not allow this.
    #[error("denied (403){}", detail_suffix(.0))]
    Denied(String),
    /// 404: no such manifest, blob or repository.
    #[error("not found (404){}", detail_suffix(.0))]
    NotFound(String),
    /// 429: rate limited; the server's Retry-After, if it gave one.
    #[error("too many requests (429){}", .retry_after.map(|s| format!(", retry after {s} s")).unwrap_or_default())]
    TooManyRequests {
        /// Seconds the server asked to wait.
        retry_after: Option<u64>,
    },
    /// A 5xx status.
    #[error("server error ({status}){}", detail_suffix(.detail))]
    Server {
        /// The HTTP status.
        status: u16,
        /// The registry's error message, if any.
        detail: String,
    },
    /// Any other status we did not expect.
    #[error("unexpected status {status}{}", detail_suffix(.detail))]
    UnexpectedStatus {
        /// The HTTP status.
        status: u16,
        /// The registry's error message, if any.
        detail: String,
    },
    /// The connection failed or was cut (after any retries).
    #[error("connection failed: {0}")]
    Connection(String),
    /// The registry stayed silent (or stopped reading) longer than the timeout allows (after
    /// any retries); which timeout it was.
    #[error("timed out: {0}")]
    Timeout(String),
    /// The registry answered something we cannot use (a malformed header, token, body).
    #[error("invalid response: {0}")]
    InvalidResponse(String),
}

/// `a, b, c`.
fn paths_text(paths: &[PathBuf]) -> String {
    let texts: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    texts.join(", ")
}

fn detail_suffix(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(": {detail}")
    }
}

/// The crate's result type.
pub type Result<T, E = StorageError> = std::result::Result<T, E>;

impl StorageError {
    /// Shorthand for [`StorageError::Io`].
    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        StorageError::Io {
            op,
            path: path.into(),
            source,
        }
    }

    /// Shorthand for [`StorageError::InvalidValue`].
    pub(crate) fn invalid(
        field: &'static str,
        value: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        StorageError::InvalidValue {
            field,
            value: value.into(),
            reason: reason.into(),
        }
    }
}

/// A failed system call is an [`StorageError::Io`], as the store's own are; a refusal is
/// wrapped as [`StorageError::Fs`].
impl From<libpod_fs::FsError> for StorageError {
    fn from(err: libpod_fs::FsError) -> Self {
        match err {
            libpod_fs::FsError::Io { op, path, source } => StorageError::Io { op, path, source },
            refused => StorageError::Fs(refused),
        }
    }
}
