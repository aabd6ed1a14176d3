//! OCI hooks from hooks directories (`/usr/share/containers/oci/hooks.d`, ...), as Podman's
//! pkg/hooks reads them: JSON files in the 1.0.0 schema (0.1.0 accepted and converted), each
//! injected into its stages when its `when` conditions match the container.
//!
//! ```
//! use libpod_spec::hooks::{HookManager, parse_hook};
//! use oci_spec::runtime::Spec;
//! use std::path::Path;
//!
//! let json = br#"{"version": "1.0.0", "hook": {"path": "/bin/sh", "args": ["sh", "-c", "true"]},
//!                 "when": {"always": true}, "stages": ["createRuntime"]}"#;
//! let hook = parse_hook(Path::new("always.json"), json)?;
//! let manager = HookManager::from_hooks([("always.json".to_owned(), hook)])?;
//!
//! let mut spec = Spec::default();
//! assert_eq!(manager.apply(&mut spec, false)?, ["always.json"]);
//! let injected = spec.hooks().as_ref().unwrap().create_runtime().as_ref().unwrap();
//! assert_eq!(injected[0].path(), Path::new("/bin/sh"));
//! # Ok::<(), libpod_spec::SpecError>(())
//! ```

mod json;
mod legacy;
mod manager;
mod matcher;
mod schema;

pub use manager::{AppliedHooks, HookManager};
pub use matcher::REGEX_SIZE_LIMIT;
pub use schema::{CURRENT_VERSION, Hook, When, parse_hook};

/// The directories Podman reads by default, in order (later ones override earlier ones by file
/// name).
pub const DEFAULT_HOOKS_DIRS: &[&str] = &[
    "/usr/share/containers/oci/hooks.d",
    "/etc/containers/oci/hooks.d",
];

/// The OCI runtime spec's hook stages, which [`HookManager::apply`] injects into the spec.
pub const OCI_STAGES: &[&str] = &[
    "prestart",
    "createRuntime",
    "createContainer",
    "startContainer",
    "poststart",
    "poststop",
];

/// Podman's extension stage: hooks run by the engine on the spec before the runtime is
/// called. Accepted in hook files, never injected into the spec.
pub const PRECREATE_STAGE: &str = "precreate";
