//! Placeholder until the auth branch lands: TLS settings per registry.

use crate::error::Result;
use std::path::PathBuf;

/// The TLS configuration for `host`.
pub fn tls_config(
    _host: &str,
    _certs_d: &[PathBuf],
    insecure: bool,
) -> Result<ureq::tls::TlsConfig> {
    Ok(ureq::tls::TlsConfig::builder()
        .disable_verification(insecure)
        .build())
}

/// Podman's certs.d directories.
pub fn default_certs_dirs() -> Vec<PathBuf> {
    vec![
        "/etc/containers/certs.d".into(),
        "/etc/docker/certs.d".into(),
    ]
}
