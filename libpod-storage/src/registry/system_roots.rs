//! The system trust store, found where Go's `crypto/x509` finds it on Linux (root_linux.go,
//! root_unix.go), so that Debian, Fedora/RHEL, SUSE and Alpine hosts all verify registries.
//!
//! - `$SSL_CERT_FILE`, when set, is the one bundle read (it must exist and hold
//!   certificates); otherwise the first of [`SYSTEM_CA_BUNDLES`] that exists.
//! - `$SSL_CERT_DIR` (`:`-separated), when set, names directories whose files are all read
//!   as well, as Go does. Without it, [`SYSTEM_CA_DIRS`] are read only when no bundle was
//!   found: where a bundle exists it already holds every certificate of those directories,
//!   and parsing them all twice would slow every process's first TLS connection.
//! - In a directory, files that hold no certificate are skipped, and so are symlinks to a
//!   file of the same directory (the OpenSSL hash links), as Go skips them.

use super::tls::read_certificates;
use std::collections::HashSet;
use std::ffi::OsString;
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use ureq::tls::Certificate;

/// The CA bundles of the common distributions, tried in this order (Go's `certFiles`).
pub const SYSTEM_CA_BUNDLES: &[&str] = &[
    // Debian, Ubuntu, Gentoo, Arch
    "/etc/ssl/certs/ca-certificates.crt",
    // Fedora, RHEL 6
    "/etc/pki/tls/certs/ca-bundle.crt",
    // openSUSE, SLES
    "/etc/ssl/ca-bundle.pem",
    // OpenELEC
    "/etc/pki/tls/cacert.pem",
    // CentOS, RHEL 7 and later
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    // Alpine
    "/etc/ssl/cert.pem",
];

/// Directories of CA files, read when no bundle exists (Go's `certDirectories`: SLES 10/11,
/// Fedora/RHEL).
pub const SYSTEM_CA_DIRS: &[&str] = &["/etc/ssl/certs", "/etc/pki/tls/certs"];

/// The system's trusted certificates and where they were looked for.
#[derive(Debug, Default)]
pub(crate) struct SystemRoots {
    /// The certificates, without duplicates (shared by every client's TLS configuration).
    pub certificates: Arc<Vec<Certificate<'static>>>,
    /// The files and directories looked at, in order, for messages.
    pub searched: Vec<PathBuf>,
}

/// A bundle or directory that could not be used: its path and why.
pub(crate) type RootsError = (PathBuf, String);

/// Loads the trust store of the filesystem under `root` (`/` but in tests) with the
/// environment's `SSL_CERT_FILE` and `SSL_CERT_DIR` (paths in them are taken as they are).
pub(crate) fn load_system_roots(
    root: &Path,
    env: impl Fn(&str) -> Option<OsString>,
) -> Result<SystemRoots, RootsError> {
    let set = |name: &str| env(name).filter(|value| !value.is_empty());
    let mut searched = Vec::new();
    let mut all = Vec::new();
    let mut seen = HashSet::new();
    let mut add = |all: &mut Vec<Certificate<'static>>, certificates: Vec<Certificate<'static>>| {
        for certificate in certificates {
            if seen.insert(certificate.der().to_vec()) {
                all.push(certificate);
            }
        }
    };
    let mut first_error: Option<RootsError> = None;

    let bundle = match set("SSL_CERT_FILE") {
        Some(file) => {
            let path = PathBuf::from(file);
            searched.push(path.clone());
            // Named on purpose: missing or unreadable is an error, not a silent fallback.
            let pem = fs::read(&path).map_err(|err| (path.clone(), err.to_string()))?;
            Some((path, pem))
        }
        None => find_bundle(root, &mut searched, &mut first_error),
    };
    let have_bundle = bundle.is_some();
    if let Some((path, pem)) = bundle {
        let certificates = read_certificates(&path, &pem).map_err(|err| (path, err.to_string()))?;
        add(&mut all, certificates);
    }

    let dirs: Vec<PathBuf> = match set("SSL_CERT_DIR") {
        Some(dirs) => std::env::split_paths(&dirs).collect(),
        None if have_bundle => Vec::new(),
        None => SYSTEM_CA_DIRS.iter().map(|dir| under(root, dir)).collect(),
    };
    for dir in dirs {
        searched.push(dir.clone());
        match read_cert_dir(&dir) {
            Ok(certificates) => add(&mut all, certificates),
            Err(err) if err.kind() == ErrorKind::NotFound => {}
            Err(err) => {
                tracing::warn!("skipping CA directory {}: {err}", dir.display());
                first_error.get_or_insert((dir, err.to_string()));
            }
        }
    }

    if all.is_empty() {
        if let Some(err) = first_error {
            return Err(err);
        }
        tracing::warn!(
            "no system CA certificates found (looked in {})",
            searched_text(&searched)
        );
    }
    Ok(SystemRoots {
        certificates: Arc::new(all),
        searched,
    })
}

/// The first bundle of [`SYSTEM_CA_BUNDLES`] under `root` that can be read.
fn find_bundle(
    root: &Path,
    searched: &mut Vec<PathBuf>,
    first_error: &mut Option<RootsError>,
) -> Option<(PathBuf, Vec<u8>)> {
    for bundle in SYSTEM_CA_BUNDLES {
        let path = under(root, bundle);
        searched.push(path.clone());
        match fs::read(&path) {
            Ok(pem) => return Some((path, pem)),
            Err(err) if err.kind() == ErrorKind::NotFound => {}
            Err(err) => {
                tracing::warn!("skipping CA bundle {}: {err}", path.display());
                first_error.get_or_insert((path, err.to_string()));
            }
        }
    }
    None
}

/// Every certificate of the files of `dir`, in name order; files without one are skipped.
fn read_cert_dir(dir: &Path) -> std::io::Result<Vec<Certificate<'static>>> {
    let mut names = fs::read_dir(dir)?
        .map(|entry| entry.map(|entry| entry.file_name()))
        .collect::<std::io::Result<Vec<_>>>()?;
    names.sort();
    let mut certificates = Vec::new();
    for name in names {
        let path = dir.join(name);
        if is_same_dir_symlink(&path) {
            continue;
        }
        let Ok(pem) = fs::read(&path) else { continue };
        match read_certificates(&path, &pem) {
            Ok(found) => certificates.extend(found),
            Err(err) => tracing::debug!("no certificate taken from {}: {err}", path.display()),
        }
    }
    Ok(certificates)
}

/// A symlink whose target has no `/`: another name for a file of the same directory.
fn is_same_dir_symlink(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    fs::read_link(path).is_ok_and(|target| !target.as_os_str().as_bytes().contains(&b'/'))
}

/// `absolute` inside `root`.
fn under(root: &Path, absolute: &str) -> PathBuf {
    root.join(absolute.trim_start_matches('/'))
}

/// `a, b, c`, for messages.
fn searched_text(searched: &[PathBuf]) -> String {
    searched
        .iter()
        .map(|path| path.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
#[path = "system_roots_tests.rs"]
mod tests;
