//! OCI hooks from hooks directories (`/usr/share/containers/oci/hooks.d`, ...), as Podman's
//! pkg/hooks reads them: JSON files in the 1.0.0 schema (0.1.0 accepted and converted), each
//! injected into its stages when its `when` conditions match the container.

mod manager;
mod schema;

pub use manager::HookManager;
pub use schema::{Hook, When, parse_hook};

/// The directories Podman reads by default, in order (later ones override earlier ones by file
/// name).
pub const DEFAULT_HOOKS_DIRS: &[&str] = &[
    "/usr/share/containers/oci/hooks.d",
    "/etc/containers/oci/hooks.d",
];
