//! Real registries on `127.0.0.1` for the registry client's tests: the host's
//! `docker-registry` (distribution 2.8) in plain HTTP, TLS, htpasswd and token variants,
//! images pushed into them with `skopeo`, and a proxy that misbehaves.
//!
//! - [`TestRegistry`] runs one registry with [`RegistryOptions`]; [`TestCa`] makes its TLS
//!   certificates and [`TokenServer`] issues its Bearer tokens.
//! - [`copy_to_registry`] and [`inspect`] drive `skopeo`; [`busybox_oci_layout`],
//!   [`multi_arch_layout`] and [`zstd_oci_layout`] build the images to push.
//! - [`FaultProxy`] sits between a client and a plain-HTTP registry: it cuts, corrupts,
//!   lengthens or stalls blob bodies, redirects blob downloads or moves upload locations to
//!   another host, and records the requests it forwards.
//!
//! ```no_run
//! use libpod_testutil::registry::{busybox_oci_layout, copy_to_registry, RegistryOptions, TestRegistry};
//! let tmp = libpod_testutil::TempRoot::new()?;
//! let registry = TestRegistry::start(RegistryOptions::default().htpasswd("user", "secret"))?;
//! let layout = tmp.path().join("layout");
//! busybox_oci_layout(&layout, "latest")?;
//! copy_to_registry(&format!("oci:{}:latest", layout.display()), &registry, "busybox:latest", &[])?;
//! // now GET http://{registry.host()}/v2/busybox/manifests/latest with user:secret
//! # Ok::<(), std::io::Error>(())
//! ```

mod accept;
mod http;
mod images;
mod layout;
mod proxy;
mod server;
mod skopeo;
mod tls;
mod token;

pub use images::{busybox_oci_layout, multi_arch_layout, multi_arch_platforms, zstd_oci_layout};
pub use layout::{LayerCompression, OciLayoutBuilder, Platform};
pub use proxy::{Fault, FaultProxy, FaultProxyStats, MIN_FAULTY_BODY, RecordedRequest};
pub use server::{RegistryAuth, RegistryOptions, TestRegistry};
pub use skopeo::{copy_to_registry, inspect};
pub use tls::TestCa;
pub use token::{TOKEN_LIFETIME_SECS, TokenServer, TokenServerOptions};
