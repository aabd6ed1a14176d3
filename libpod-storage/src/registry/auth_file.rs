//! Placeholder until the auth branch lands: credentials from auth files.

use crate::error::Result;
use std::ffi::OsString;
use std::path::PathBuf;

/// A username and password for one registry.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Credentials {
    /// The user name.
    pub username: String,
    /// The password.
    pub password: String,
}

/// The credentials files to consult, in order.
#[derive(Clone, Debug, Default)]
pub struct AuthFiles {
    paths: Vec<PathBuf>,
}

impl AuthFiles {
    /// Podman's files.
    pub fn from_env(_lookup: impl Fn(&str) -> Option<OsString>) -> Self {
        AuthFiles::default()
    }

    /// Only this file.
    pub fn explicit(path: impl Into<PathBuf>) -> Self {
        AuthFiles {
            paths: vec![path.into()],
        }
    }

    /// The credentials for a repository.
    pub fn lookup(&self, _registry: &str, _repository: &str) -> Result<Option<Credentials>> {
        let _ = &self.paths;
        Ok(None)
    }
}
