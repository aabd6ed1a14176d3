//! OCI runtime specs for containers, generated as Podman 4.3 generates them.
//!
//! `libpod-spec` turns what a user asks for (a [`CreateConfig`], the seed of Podman's
//! `CreateConfig`, plus the image's config) into the `config.json` that runc executes, with
//! Podman's defaults: its capability set, default mounts, masked and read-only paths,
//! environment, seccomp profile, OCI hooks, and resolution of users inside the image.
//!
//! The crate is pure: it reads only the files it is pointed at (the image's /etc/passwd, a
//! seccomp profile, hooks directories, host devices) and never mounts, spawns or writes.
//! `libpod-core` calls it at container init.
//!
//! # Design
//! - [`config`]: what the user asked for, as serde data holding the user's strings.
//! - [`parse`]: Podman's option strings (sizes, ulimits, volumes, devices, ...) into typed
//!   values, each failure a [`SpecError`] naming the option and the value.
//! - [`generate`]: [`SpecGenerator`] holds what is loaded once (defaults, the seccomp profile,
//!   hooks) and builds a [`Spec`](oci_spec::runtime::Spec) per container from a config and a
//!   [`SpecContext`] (the runtime's facts: rootfs, IDs, bind-mounted files, namespace paths).
//! - [`user`], [`seccomp`], [`hooks`], [`files`]: the parts of Podman each rule comes from.
//!
//! # Example
//! ```no_run
//! use libpod_spec::{CreateConfig, SpecContext, SpecDefaults, SpecGenerator};
//! use std::path::Path;
//!
//! let generator = SpecGenerator::new(SpecDefaults::default())?;
//! let mut config = CreateConfig::default();
//! config.command = Some(vec!["/bin/echo".into(), "hello".into()]);
//! config.security.cap_drop = vec!["ALL".into()];
//! let ctx = SpecContext::new("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
//!                            Path::new("/var/lib/ctr/rootfs"));
//! let spec = generator.generate(&config, None, &ctx)?;
//! assert_eq!(spec.hostname().as_deref(), Some("0123456789ab"));
//! # Ok::<(), libpod_spec::SpecError>(())
//! ```
#![forbid(unsafe_code)]

pub mod config;
mod error;
pub mod files;
pub mod generate;
pub mod hooks;
pub mod parse;
pub mod seccomp;
pub mod user;

pub use config::{
    CreateConfig, CreateResourceConfig, ImageVolumeMode, NamespaceKind, NamespaceMode,
    NetworkConfig, NetworkMode, SecurityConfig, UserConfig, UtsConfig,
};
pub use error::{Result, SpecError};
pub use generate::{CgroupManager, SpecContext, SpecDefaults, SpecGenerator};
pub use parse::RestartPolicy;

/// The image configuration the spec draws on (`Entrypoint`, `Cmd`, `Env`, `WorkingDir`, `User`,
/// `Volumes`, `StopSignal`, `Labels`): oci-spec's image `Config`.
pub type ImageConfig = oci_spec::image::Config;
