//! `--restart no|always|on-failure[:N]|unless-stopped`.

use crate::error::{Result, SpecError};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// When a container is restarted after it exits.
///
/// Displayed, serialised and parsed as the `--restart` string (`on-failure:3`).
///
/// ```
/// use libpod_spec::parse::RestartPolicy;
/// let policy: RestartPolicy = "on-failure:3".parse().unwrap();
/// assert_eq!(policy.to_string(), "on-failure:3");
/// assert_eq!(serde_json::to_string(&RestartPolicy::UnlessStopped).unwrap(), "\"unless-stopped\"");
/// ```
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
/// As Podman 4.3: the names are lower case, `""` is `no`, and a retry count is allowed only
/// after `on-failure` (`on-failure:0` is unlimited, like `on-failure`).
///
/// ```
/// use libpod_spec::parse::{parse_restart_policy, RestartPolicy};
/// assert_eq!(parse_restart_policy("on-failure:3").unwrap(), RestartPolicy::OnFailure { max_retries: 3 });
/// assert!(parse_restart_policy("on-failure:-1").is_err());
/// assert!(parse_restart_policy("always:2").is_err());
/// ```
pub fn parse_restart_policy(value: &str) -> Result<RestartPolicy> {
    let invalid = |reason: &str| SpecError::invalid("restart policy", value, reason);
    let mut parts = value.split(':');
    let name = parts.next().unwrap_or_default();
    let retries = parts.next();
    if parts.next().is_some() {
        return Err(invalid("may specify retries at most once"));
    }
    if let Some(retries) = retries {
        // Podman compares the name case-insensitively here, then refuses an upper-case name.
        if !name.eq_ignore_ascii_case("on-failure") {
            return Err(invalid(
                "retries can only be specified with the on-failure restart policy",
            ));
        }
        // Go's Atoi: an optional sign, then decimal digits.
        let count = retries
            .parse::<i64>()
            .map_err(|_| invalid("the retry count is not a number"))?;
        if count < 0 {
            return Err(invalid(
                "the retry count must be a number greater than or equal to 0",
            ));
        }
        let max_retries =
            u32::try_from(count).map_err(|_| invalid("the retry count is too large"))?;
        if name != "on-failure" {
            return Err(invalid("not a valid restart policy"));
        }
        return Ok(RestartPolicy::OnFailure { max_retries });
    }
    match name {
        "" | "no" => Ok(RestartPolicy::No),
        "always" => Ok(RestartPolicy::Always),
        "on-failure" => Ok(RestartPolicy::OnFailure { max_retries: 0 }),
        "unless-stopped" => Ok(RestartPolicy::UnlessStopped),
        _ => Err(invalid("not a valid restart policy")),
    }
}

impl fmt::Display for RestartPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RestartPolicy::No => f.write_str("no"),
            RestartPolicy::Always => f.write_str("always"),
            RestartPolicy::OnFailure { max_retries: 0 } => f.write_str("on-failure"),
            RestartPolicy::OnFailure { max_retries } => write!(f, "on-failure:{max_retries}"),
            RestartPolicy::UnlessStopped => f.write_str("unless-stopped"),
        }
    }
}

impl FromStr for RestartPolicy {
    type Err = crate::SpecError;

    fn from_str(value: &str) -> Result<Self> {
        parse_restart_policy(value)
    }
}

impl Serialize for RestartPolicy {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RestartPolicy {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_restart_policy(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[path = "restart_tests.rs"]
mod tests;
