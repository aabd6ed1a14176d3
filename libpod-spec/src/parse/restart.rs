//! `--restart no|always|on-failure[:N]|unless-stopped`.

use crate::error::Result;

/// When a container is restarted after it exits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum RestartPolicy {
    /// Never (`no`, the default).
    #[default]
    No,
    /// Always, unless it was stopped by the user and the policy is `unless-stopped`.
    Always,
    /// On a non-zero exit, at most `max_retries` times (0: no limit).
    OnFailure {
        /// The number of restarts allowed; 0 is unlimited.
        max_retries: u32,
    },
    /// Like `always`, but not after the user stopped it.
    UnlessStopped,
}

/// Parses a restart policy string.
///
/// ```
/// use libpod_spec::parse::{parse_restart_policy, RestartPolicy};
/// assert_eq!(parse_restart_policy("on-failure:3").unwrap(), RestartPolicy::OnFailure { max_retries: 3 });
/// assert!(parse_restart_policy("on-failure:-1").is_err());
/// assert!(parse_restart_policy("always:2").is_err());
/// ```
pub fn parse_restart_policy(value: &str) -> Result<RestartPolicy> {
    let _ = value;
    todo!("helper D")
}
