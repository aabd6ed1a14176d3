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

/// How to talk to registries: credentials, TLS and retries.
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
}

impl Default for RegistryOptions {
    fn default() -> Self {
        RegistryOptions {
            credentials: None,
            auth_files: None,
            tls_verify: None,
            certs_dirs: default_certs_dirs(),
            retries: 3,
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
