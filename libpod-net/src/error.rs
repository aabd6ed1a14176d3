//! The crate's one error type.

/// What went wrong in libpod-net. Each variant names the value and what was wrong with it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetError {
    /// A `-p/--publish` value that does not parse, with Podman's reason.
    #[error("invalid publish value {value:?}: {reason}")]
    InvalidPublish {
        /// The value as given.
        value: String,
        /// Why it was refused, in Podman's words.
        reason: String,
    },
    /// A port mapping's protocol that is not `tcp`, `udp` or `sctp`.
    #[error("unrecognized protocol {protocol:?} in port mapping")]
    InvalidProtocol {
        /// The protocol as given.
        protocol: String,
    },
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, NetError>;
