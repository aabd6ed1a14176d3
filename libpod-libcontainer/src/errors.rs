//! The runtime's errors, as libpod-core's: an operation that failed is
//! `CoreError::OciRuntime` (as runc's errors), what this runtime cannot do is
//! `CoreError::RuntimeUnsupported`.

use libpod_core::CoreError;
use std::path::Path;

/// The message of a create whose ID is in use (runc's words, which callers recognise).
pub(crate) const EXISTS: &str = "container with given ID already exists";
/// The message for an ID the runtime does not know (runc's words).
pub(crate) const NOT_EXIST: &str = "container does not exist";

/// Operation `op` on container `id` failed with `message`.
pub(crate) fn oci(id: &str, op: &'static str, message: impl std::fmt::Display) -> CoreError {
    CoreError::OciRuntime {
        id: id.to_string(),
        runtime: crate::RUNTIME_NAME.to_string(),
        op,
        message: message.to_string(),
    }
}

/// Container `id` asked for `what`, which this runtime does not do (yet).
pub(crate) fn unsupported(id: &str, what: &'static str) -> CoreError {
    CoreError::RuntimeUnsupported {
        id: id.to_string(),
        runtime: crate::RUNTIME_NAME.to_string(),
        what,
    }
}

/// A failed system call on `path`.
pub(crate) fn io(op: &'static str, path: &Path, source: std::io::Error) -> CoreError {
    CoreError::Io {
        op,
        path: path.to_path_buf(),
        source,
    }
}

/// Refuses IDs that are not a single, plain path component (libpod-core's rule; libcontainer
/// is stricter still and says why in its create error).
pub(crate) fn check_id(id: &str) -> Result<(), CoreError> {
    let bad = id.is_empty() || id == "." || id == ".." || id.contains(['/', '\0']);
    if bad {
        return Err(CoreError::InvalidOption {
            option: "container ID",
            reason: format!("{id:?} is not a valid container ID"),
        });
    }
    Ok(())
}
