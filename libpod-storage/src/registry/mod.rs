//! A blocking OCI distribution client: pull from and push to registries, with Podman's
//! credentials files, certs.d CAs and registries.conf mirrors and insecure registries.
