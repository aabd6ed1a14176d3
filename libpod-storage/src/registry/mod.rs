//! A blocking OCI distribution client: pull from and push to registries, with Podman's
//! credentials files, certs.d CAs and registries.conf mirrors and insecure registries.
//!
//! Blobs stream from the connection through the hasher and the decompressor into the layer
//! being unpacked, several layers at once; nothing is held whole in memory and nothing becomes
//! visible in the store before every digest has been checked.

mod auth_file;
mod auth_json;
mod challenge;
mod client;
mod fetch;
mod pull;
mod push;
mod source;
mod status;
mod system_roots;
mod tls;
mod token;

#[cfg(test)]
mod test_support;

pub use auth_file::{AuthFile, AuthFiles, Credentials, MAX_AUTH_FILE_SIZE};
pub use auth_json::AuthFileContent;
pub use challenge::{Challenge, parse_challenges};
pub use client::RegistryClient;
pub use fetch::{BlobReader, FetchedManifest};
pub use pull::{PullOptions, PullPolicy, remote_digest};
pub use push::{PushOptions, PushReport};
pub use source::{BlobProgress, ProgressCallback, RegistrySource};
pub use system_roots::{SYSTEM_CA_BUNDLES, SYSTEM_CA_DIRS};
pub use tls::{default_certs_dirs, tls_config};

use std::path::PathBuf;
use std::time::Duration;

/// How to talk to registries: credentials, TLS, retries and timeouts.
#[derive(Clone, Debug)]
pub struct RegistryOptions {
    /// Credentials for every registry (`--creds`); else the auth files are consulted.
    pub credentials: Option<Credentials>,
    /// The auth files (`--authfile`); default: Podman's, from the environment.
    pub auth_files: Option<AuthFiles>,
    /// `Some(false)`: plain HTTP and unverified TLS (`--tls-verify=false`); `Some(true)`:
    /// verified TLS even for registries.conf's insecure registries; `None`: registries.conf
    /// decides.
    pub tls_verify: Option<bool>,
    /// Directories of per-registry CAs and client certificates (`HOST[:PORT]/*.crt`).
    pub certs_dirs: Vec<PathBuf>,
    /// How many times a failed connection or a blob cut mid-transfer is retried.
    pub retries: u32,
    /// How long a connection may stay silent: every read (a response's head or body) and
    /// every write (a request body) must make progress within it, or the transfer fails with
    /// [`RegistryFailure::Timeout`](crate::RegistryFailure::Timeout) and is retried like a cut
    /// connection. Default [`DEFAULT_IO_TIMEOUT`].
    pub io_timeout: Duration,
    /// The longest one response body or request body may take in all, if set. Default none:
    /// a large layer on a slow link can rightly take hours, and a stalled one is caught by
    /// `io_timeout`.
    pub body_timeout: Option<Duration>,
}

/// The default [`RegistryOptions::io_timeout`]: a peer silent this long mid-transfer has
/// stalled (it also bounds the wait for a response, which [`RegistryClient`] otherwise
/// allows 120 s).
pub const DEFAULT_IO_TIMEOUT: Duration = Duration::from_secs(60);

impl Default for RegistryOptions {
    fn default() -> Self {
        RegistryOptions {
            credentials: None,
            auth_files: None,
            tls_verify: None,
            certs_dirs: default_certs_dirs(),
            retries: 3,
            io_timeout: DEFAULT_IO_TIMEOUT,
            body_timeout: None,
        }
    }
}

impl RegistryOptions {
    /// The auth files to consult.
    pub(crate) fn auth_files(&self) -> AuthFiles {
        match &self.auth_files {
            Some(files) => files.clone(),
            None => AuthFiles::from_env(|name| std::env::var_os(name)),
        }
    }
}
