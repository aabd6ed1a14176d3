//! A blocking OCI distribution client: pull from and push to registries, with Podman's
//! credentials files, certs.d CAs and registries.conf mirrors and insecure registries.

mod auth_file;
mod auth_json;
mod tls;

#[cfg(test)]
mod test_support;

pub use auth_file::{AuthFile, AuthFiles, Credentials, MAX_AUTH_FILE_SIZE};
pub use auth_json::AuthFileContent;
pub use tls::{SYSTEM_CA_BUNDLE, default_certs_dirs, tls_config};
