//! Registry credentials from Podman's credentials files (`auth.json`, Docker's `config.json`
//! and the legacy `~/.dockercfg`), looked up as Podman 4.3 (containers/image 5.23) does.
//!
//! Which files, in which order, is [`AuthFiles`]; what one file says is
//! [`AuthFileContent`](super::AuthFileContent). Credential helpers (`credHelpers`,
//! `credsStore`) are not run: see [`AuthFileContent::find`](super::AuthFileContent::find).

use super::auth_json::AuthFileContent;
use crate::error::{Result, StorageError};
use std::ffi::OsString;
use std::fmt;
use std::fs::File;
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};

/// The largest credentials file we read; real ones are a few hundred bytes.
pub const MAX_AUTH_FILE_SIZE: u64 = 1 << 20;

/// A username and password for a registry, from a credentials file.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user name (the part of the `auth` field before the first `:`).
    pub username: String,
    /// The password (the rest, with NUL bytes trimmed from both ends as Docker does).
    pub password: String,
    /// The entry's `identitytoken`, if any: an OAuth2 refresh token that containers/image
    /// exchanges for a bearer token instead of sending the password. It is only read from an
    /// entry whose `auth` field is valid too, as containers/image does.
    pub identity_token: Option<String>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Secrets must not end up in logs or panic messages.
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field(
                "identity_token",
                &self.identity_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// One credentials file to consult.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthFile {
    /// Where it is; it may not exist.
    pub path: PathBuf,
    /// Whether it is in the legacy `~/.dockercfg` format: the registry map at the top level
    /// instead of under `"auths"`, and keyed by registry only.
    pub legacy_format: bool,
}

/// The ordered list of credentials files to consult; the first file with credentials for a
/// registry wins.
///
/// The order is containers/image's `getAuthFilePaths` and `getPathToAuthWithOS`
/// (pkg/docker/config/config.go, v5.23 as vendored by Podman 4.3), checked against the real
/// `podman login --get-login` (see the tests):
///
/// 1. the primary file: the `--authfile` or `$REGISTRY_AUTH_FILE` path if given (Podman makes
///    `$REGISTRY_AUTH_FILE` the default of `--authfile`), else
///    `$XDG_RUNTIME_DIR/containers/auth.json` (skipped, with a warning, when
///    `$XDG_RUNTIME_DIR` names a directory that does not exist), else
///    `/run/containers/$UID/auth.json`;
/// 2. `$XDG_CONFIG_HOME/containers/auth.json` (`~/.config/containers/auth.json`);
/// 3. `$DOCKER_CONFIG/config.json` if `$DOCKER_CONFIG` is set, else `~/.docker/config.json`;
/// 4. `~/.dockercfg`, in the legacy format.
///
/// In Podman 4.3 a user-specified file does not stop the search: the other files are still
/// read after it (later containers/image versions changed that). [`AuthFiles::explicit`] reads
/// only the given file. Empty variables count as unset, as in containers/image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthFiles {
    files: Vec<AuthFile>,
}

impl AuthFiles {
    /// The files Podman reads for this process's user, given its environment (`lookup`
    /// returns a variable's value; pass `|name| std::env::var_os(name)` for the real one).
    /// `$REGISTRY_AUTH_FILE` is honoured as Podman's CLI does.
    pub fn from_env(lookup: impl Fn(&str) -> Option<OsString>) -> AuthFiles {
        Self::for_uid(&lookup, None, nix::unistd::getuid().as_raw())
    }

    /// The files Podman reads with `--authfile auth_file`: that file first, in place of the
    /// default primary file, then the same fallbacks as [`AuthFiles::from_env`].
    pub fn from_env_with_auth_file(
        auth_file: impl Into<PathBuf>,
        lookup: impl Fn(&str) -> Option<OsString>,
    ) -> AuthFiles {
        let uid = nix::unistd::getuid().as_raw();
        Self::for_uid(&lookup, Some(auth_file.into()), uid)
    }

    /// Only `path` (for callers that want `--authfile` to be the only source).
    pub fn explicit(path: impl Into<PathBuf>) -> AuthFiles {
        AuthFiles {
            files: vec![AuthFile {
                path: path.into(),
                legacy_format: false,
            }],
        }
    }

    /// Exactly these files, in this order.
    pub fn from_files(files: Vec<AuthFile>) -> AuthFiles {
        AuthFiles { files }
    }

    /// The files, in the order they are consulted.
    pub fn files(&self) -> &[AuthFile] {
        &self.files
    }

    /// The order of [`AuthFiles`] for user `uid`, with `auth_file` as `--authfile`.
    pub(crate) fn for_uid(
        lookup: &dyn Fn(&str) -> Option<OsString>,
        auth_file: Option<PathBuf>,
        uid: u32,
    ) -> AuthFiles {
        let var = |name: &str| {
            lookup(name)
                .filter(|value| !value.is_empty())
                .map(PathBuf::from)
        };
        let mut files = Vec::new();
        let mut push = |path: PathBuf, legacy_format: bool| {
            files.push(AuthFile {
                path,
                legacy_format,
            })
        };

        if let Some(primary) = auth_file.or_else(|| var("REGISTRY_AUTH_FILE")) {
            push(primary, false);
        } else if let Some(runtime_dir) = var("XDG_RUNTIME_DIR") {
            // containers/image checks this one only to explain a typo in the variable.
            if matches!(runtime_dir.try_exists(), Ok(false)) {
                tracing::warn!(
                    "{} set by $XDG_RUNTIME_DIR does not exist; not reading credentials from it",
                    runtime_dir.display()
                );
            } else {
                push(runtime_dir.join("containers/auth.json"), false);
            }
        } else {
            push(format!("/run/containers/{uid}/auth.json").into(), false);
        }

        let home = var("HOME").or_else(|| home_of(uid));
        if home.is_none() {
            tracing::debug!("no home directory for uid {uid}: skipping per-user credentials");
        }
        if let Some(config_home) = var("XDG_CONFIG_HOME").or_else(|| home_join(&home, ".config")) {
            push(config_home.join("containers/auth.json"), false);
        }
        if let Some(docker_config) = var("DOCKER_CONFIG") {
            push(docker_config.join("config.json"), false);
        } else if let Some(path) = home_join(&home, ".docker/config.json") {
            push(path, false);
        }
        if let Some(path) = home_join(&home, ".dockercfg") {
            push(path, true);
        }
        AuthFiles { files }
    }

    /// The credentials for `repository` (`ns/name`, without the registry; empty for the
    /// registry as a whole) on `registry` (`HOST[:PORT]`, `docker.io` for Docker Hub): those of
    /// the first file, in order, that has an entry for them. Within a file the most specific
    /// key wins (`registry/ns/name`, then `registry/ns`, then `registry`), then legacy keys
    /// (`https://registry/v1/`, `http://registry`, `index.docker.io` for `docker.io`...).
    ///
    /// Missing files are skipped; a file that cannot be read or parsed, or a matching entry
    /// whose `auth` field is not base64, is an error (only if no earlier file matched).
    pub fn lookup(&self, registry: &str, repository: &str) -> Result<Option<Credentials>> {
        for file in &self.files {
            let Some(bytes) = read_auth_file(&file.path)? else {
                continue;
            };
            let content = AuthFileContent::parse(&file.path, &bytes, file.legacy_format)?;
            if let Some(credentials) = content.find(registry, repository)? {
                tracing::debug!(
                    "credentials for {registry}/{repository} from {}",
                    file.path.display()
                );
                return Ok(Some(credentials));
            }
        }
        tracing::debug!("no credentials for {registry}/{repository}");
        Ok(None)
    }
}

/// The home directory of `uid` from the password database, for when `$HOME` is unset (as
/// containers/storage's `homedir.Get` does).
pub(crate) fn home_of(uid: u32) -> Option<PathBuf> {
    nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid))
        .ok()
        .flatten()
        .map(|user| user.dir)
}

fn home_join(home: &Option<PathBuf>, relative: &str) -> Option<PathBuf> {
    home.as_ref().map(|home| home.join(relative))
}

/// Reads a credentials file, `None` if it does not exist, refusing files over
/// [`MAX_AUTH_FILE_SIZE`].
fn read_auth_file(path: &Path) -> Result<Option<Vec<u8>>> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(StorageError::io("open", path, err)),
    };
    let mut bytes = Vec::new();
    file.take(MAX_AUTH_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| StorageError::io("read", path, err))?;
    if bytes.len() as u64 > MAX_AUTH_FILE_SIZE {
        return Err(StorageError::AuthFile {
            path: path.to_owned(),
            reason: format!("larger than {MAX_AUTH_FILE_SIZE} bytes"),
        });
    }
    Ok(Some(bytes))
}

#[cfg(test)]
#[path = "auth_file_tests.rs"]
mod tests;
