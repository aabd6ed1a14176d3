//! TLS settings for one registry host: the system roots plus the host's `certs.d` directory,
//! as containers/image 5.23 builds them (docker/docker_client.go `dockerCertDir`,
//! pkg/tlsclientconfig `SetupCertificates`).
//!
//! For host `HOST[:PORT]`, the first of the `certs.d` directories (in order) that has a
//! `HOST[:PORT]` entry is used, the others are not read:
//!
//! - every `*.crt` in it is a CA added to the system roots;
//! - every `*.cert` is a client certificate (chain) whose key is the `*.key` of the same
//!   stem; a `.cert` without its `.key`, or a `.key` without its `.cert`, is an error.

use super::auth_file::home_of;
use super::system_roots::{RootsError, SystemRoots, load_system_roots};
use crate::error::{Result, StorageError};
use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::ErrorKind;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts, TlsConfig, parse_pem};

/// Podman's `certs.d` directories, in the order they are tried:
/// `$HOME/.config/containers/certs.d` (for root too), `/etc/containers/certs.d`,
/// `/etc/docker/certs.d`.
pub fn default_certs_dirs() -> Vec<PathBuf> {
    let home = std::env::var_os("HOME")
        .filter(|home| !home.is_empty())
        .map(PathBuf::from)
        .or_else(|| home_of(nix::unistd::getuid().as_raw()));
    certs_dirs_for_home(home.as_deref())
}

/// [`default_certs_dirs`] for the home directory `home`.
pub(crate) fn certs_dirs_for_home(home: Option<&Path>) -> Vec<PathBuf> {
    home.map(|home| home.join(".config/containers/certs.d"))
        .into_iter()
        .chain(["/etc/containers/certs.d", "/etc/docker/certs.d"].map(PathBuf::from))
        .collect()
}

/// The TLS configuration for registry `host` (`HOST[:PORT]`, as in image references; Docker
/// Hub is `docker.io`): the system roots (found as `registry/system_roots.rs` says) plus the CAs and client
/// certificate of the host's directory in `certs_d` (see the module docs). With `insecure`,
/// certificates are not verified at all (the caller also allows plain HTTP then).
///
/// The system roots are read once per process. Without `insecure`, no trusted CA at all is
/// an error naming where they were looked for (every handshake would fail). Only the first
/// client certificate (by file name) is used; Go would offer the server whichever suits it.
pub fn tls_config(host: &str, certs_d: &[PathBuf], insecure: bool) -> Result<TlsConfig> {
    tls_config_with(host, certs_d, insecure, &*system_roots()?)
}

/// [`tls_config`] over the system roots `system`.
pub(crate) fn tls_config_with(
    host: &str,
    certs_d: &[PathBuf],
    insecure: bool,
    system: &SystemRoots,
) -> Result<TlsConfig> {
    check_host(host)?;
    let found = match host_certs_dir(host, certs_d)? {
        Some(dir) => read_certs_dir(&dir)?,
        None => HostCerts::default(),
    };
    if !insecure && system.certificates.is_empty() && found.roots.is_empty() {
        return Err(StorageError::NoTrustedCertificates {
            registry: host.to_owned(),
            searched: system.searched.clone(),
        });
    }
    let roots = if found.roots.is_empty() {
        RootCerts::Specific(Arc::clone(&system.certificates))
    } else {
        RootCerts::from(system.certificates.iter().cloned().chain(found.roots))
    };
    Ok(TlsConfig::builder()
        .root_certs(roots)
        .client_cert(found.client_cert)
        .disable_verification(insecure)
        .build())
}

/// A host name from a reference must not walk out of the `certs.d` directory.
fn check_host(host: &str) -> Result<()> {
    if host.is_empty() || host == "." || host == ".." || host.contains(['/', '\0']) {
        return Err(StorageError::invalid(
            "registry host",
            host,
            "not a HOST[:PORT]",
        ));
    }
    Ok(())
}

type CachedRoots = std::result::Result<Arc<SystemRoots>, RootsError>;

/// The system roots, found and parsed on first use.
fn system_roots() -> Result<Arc<SystemRoots>> {
    static ROOTS: OnceLock<CachedRoots> = OnceLock::new();
    ROOTS
        .get_or_init(|| {
            load_system_roots(Path::new("/"), |name| std::env::var_os(name)).map(Arc::new)
        })
        .clone()
        .map_err(|(path, reason)| StorageError::Certificate { path, reason })
}

/// `dockerCertDir`: `DIR/HOST[:PORT]` for the first `DIR` where it exists.
fn host_certs_dir(host: &str, certs_d: &[PathBuf]) -> Result<Option<PathBuf>> {
    for dir in certs_d {
        let candidate = dir.join(host);
        match fs::metadata(&candidate) {
            Ok(_) => return Ok(Some(candidate)),
            Err(err) if err.kind() == ErrorKind::NotFound => {}
            Err(err) if err.kind() == ErrorKind::PermissionDenied => {
                tracing::debug!("skipping {}: {err}", candidate.display());
            }
            Err(err) => return Err(StorageError::io("stat", candidate, err)),
        }
    }
    Ok(None)
}

/// What a host's `certs.d` directory holds.
#[derive(Default)]
struct HostCerts {
    roots: Vec<Certificate<'static>>,
    client_cert: Option<ClientCert>,
}

/// `SetupCertificates`: the `.crt`, `.cert` and `.key` files of `dir`, in name order.
fn read_certs_dir(dir: &Path) -> Result<HostCerts> {
    tracing::debug!("looking for certificates in {}", dir.display());
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == ErrorKind::NotFound => return Ok(HostCerts::default()),
        Err(err) if err.kind() == ErrorKind::PermissionDenied => {
            tracing::debug!("skipping {}: {err}", dir.display());
            return Ok(HostCerts::default());
        }
        Err(err) => return Err(StorageError::io("read directory", dir, err)),
    };
    let mut names = entries
        .map(|entry| entry.map(|entry| entry.file_name()))
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(|err| StorageError::io("read directory", dir, err))?;
    names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    let has = |name: &OsStr| names.iter().any(|n| n == name);

    let mut found = HostCerts::default();
    for name in &names {
        let path = dir.join(name);
        if name.as_bytes().ends_with(b".crt") {
            match fs::read(&path) {
                Ok(pem) => found.roots.extend(read_certificates(&path, &pem)?),
                // A dangling link, or a file removed since we listed the directory.
                Err(err) if err.kind() == ErrorKind::NotFound => {
                    tracing::warn!("skipping CA {}: {err}", path.display());
                }
                Err(err) => return Err(StorageError::io("read", path, err)),
            }
        } else if let Some(stem) = strip_suffix(name, b".cert") {
            let key_name = with_suffix(stem, ".key");
            if !has(&key_name) {
                return Err(StorageError::Certificate {
                    path,
                    reason: format!(
                        "missing key {} for this client certificate (CA certificates must use the extension .crt)",
                        key_name.to_string_lossy()
                    ),
                });
            }
            let client_cert = read_client_cert(&path, &dir.join(&key_name))?;
            if found.client_cert.is_none() {
                found.client_cert = Some(client_cert);
            } else {
                tracing::warn!(
                    "{}: only the first client certificate is used",
                    path.display()
                );
            }
        } else if let Some(stem) = strip_suffix(name, b".key") {
            let cert_name = with_suffix(stem, ".cert");
            if !has(&cert_name) {
                return Err(StorageError::Certificate {
                    path,
                    reason: format!(
                        "missing client certificate {} for this key",
                        cert_name.to_string_lossy()
                    ),
                });
            }
        }
    }
    Ok(found)
}

fn strip_suffix<'a>(name: &'a OsStr, suffix: &[u8]) -> Option<&'a [u8]> {
    name.as_bytes().strip_suffix(suffix)
}

fn with_suffix(stem: &[u8], suffix: &str) -> OsString {
    let mut name = OsStr::from_bytes(stem).to_owned();
    name.push(suffix);
    name
}

/// A client certificate chain and its key.
fn read_client_cert(cert_path: &Path, key_path: &Path) -> Result<ClientCert> {
    let read = |path: &Path| fs::read(path).map_err(|err| StorageError::io("read", path, err));
    let chain = read_certificates(cert_path, &read(cert_path)?)?;
    let key_pem = read(key_path)?;
    let mut key: Option<PrivateKey<'static>> = None;
    for item in parse_pem(&key_pem) {
        match item.map_err(|err| bad_pem(key_path, &err))? {
            PemItem::PrivateKey(found) if key.is_none() => key = Some(found),
            _ => {}
        }
    }
    let key = key.ok_or_else(|| StorageError::Certificate {
        path: key_path.to_owned(),
        reason: "no PEM private key in it".to_owned(),
    })?;
    Ok(ClientCert::new_with_certs(&chain, key))
}

/// The PEM certificates of a file; other PEM items are skipped, a file without any
/// certificate is an error.
pub(super) fn read_certificates(path: &Path, pem: &[u8]) -> Result<Vec<Certificate<'static>>> {
    let mut certificates = Vec::new();
    for item in parse_pem(pem) {
        if let PemItem::Certificate(certificate) = item.map_err(|err| bad_pem(path, &err))? {
            certificates.push(certificate);
        }
    }
    if certificates.is_empty() {
        return Err(StorageError::Certificate {
            path: path.to_owned(),
            reason: "no PEM certificate in it".to_owned(),
        });
    }
    Ok(certificates)
}

fn bad_pem(path: &Path, err: &ureq::Error) -> StorageError {
    StorageError::Certificate {
        path: path.to_owned(),
        reason: format!("malformed PEM: {err}"),
    }
}

#[cfg(test)]
#[path = "tls_tests.rs"]
mod tests;
