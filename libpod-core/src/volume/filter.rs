//! `volume ls --filter` and `volume prune --filter`, as Podman 4.3's volume filters: `name`
//! (a regular expression), `driver`, `scope`, `label=KEY[=VALUE]`, `label!=KEY[=VALUE]`,
//! `opt=KEY[=VALUE]`, `dangling=true|false`, `until=TIME` (RFC 3339, Unix seconds, or a
//! duration before now: `10m`, `2h`).

use super::Volume;
use crate::error::{CoreError, Result};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// One filter; a volume is listed (or pruned) when every filter given matches it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum VolumeFilter {
    /// Its name matches the expression.
    Name(regex::Regex),
    /// Its driver is this one.
    Driver(String),
    /// Its scope is this one (always `local`).
    Scope(String),
    /// It has the label (with this value, if given).
    Label(String, Option<String>),
    /// It has not the label (with this value, if given).
    LabelNot(String, Option<String>),
    /// It has the driver option (with this value, if given).
    Opt(String, Option<String>),
    /// No container uses it (`true`), or one does (`false`).
    Dangling(bool),
    /// It was created before this time.
    Until(DateTime<Utc>),
}

fn invalid(reason: String) -> CoreError {
    CoreError::InvalidOption {
        option: "filter",
        reason,
    }
}

/// `KEY[=VALUE]`.
fn key_value(text: &str) -> (String, Option<String>) {
    match text.split_once('=') {
        Some((k, v)) => (k.to_string(), Some(v.to_string())),
        None => (text.to_string(), None),
    }
}

impl VolumeFilter {
    /// Parses one `KEY=VALUE` filter.
    ///
    /// ```
    /// use libpod_core::volume::VolumeFilter;
    /// assert!(VolumeFilter::parse("label=app=db").is_ok());
    /// assert!(VolumeFilter::parse("colour=red").is_err());
    /// ```
    pub fn parse(filter: &str) -> Result<Self> {
        let Some((key, value)) = filter.split_once('=') else {
            return Err(invalid(format!("{filter:?} is an invalid volume filter")));
        };
        Ok(match key {
            "name" => VolumeFilter::Name(
                regex::Regex::new(value).map_err(|e| invalid(format!("{value:?}: {e}")))?,
            ),
            "driver" => VolumeFilter::Driver(value.to_string()),
            "scope" => VolumeFilter::Scope(value.to_string()),
            "label" => {
                let (k, v) = key_value(value);
                VolumeFilter::Label(k, v)
            }
            "label!" => {
                let (k, v) = key_value(value);
                VolumeFilter::LabelNot(k, v)
            }
            "opt" => {
                let (k, v) = key_value(value);
                VolumeFilter::Opt(k, v)
            }
            "dangling" => match value {
                "true" | "1" => VolumeFilter::Dangling(true),
                "false" | "0" => VolumeFilter::Dangling(false),
                _ => {
                    return Err(invalid(format!(
                        "{value:?} is not a valid value for the \"dangling\" filter - must be true or false"
                    )));
                }
            },
            "until" => VolumeFilter::Until(parse_until(value)?),
            _ => return Err(invalid(format!("{key:?} is an invalid volume filter"))),
        })
    }

    /// Whether every filter matches `volume`.
    pub fn all_match(filters: &[VolumeFilter], volume: &Volume) -> Result<bool> {
        for filter in filters {
            if !filter.matches(volume)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Whether this filter matches `volume`.
    pub fn matches(&self, volume: &Volume) -> Result<bool> {
        let config = volume.config();
        let has = |map: &BTreeMap<String, String>, k: &str, v: &Option<String>| {
            map.get(k)
                .is_some_and(|found| v.as_ref().is_none_or(|v| v == found))
        };
        Ok(match self {
            VolumeFilter::Name(re) => re.is_match(&config.name),
            VolumeFilter::Driver(d) => &config.driver == d,
            VolumeFilter::Scope(s) => s == "local",
            VolumeFilter::Label(k, v) => has(&config.labels, k, v),
            VolumeFilter::LabelNot(k, v) => !has(&config.labels, k, v),
            VolumeFilter::Opt(k, v) => has(&config.options, k, v),
            VolumeFilter::Dangling(dangling) => volume.users()?.is_empty() == *dangling,
            VolumeFilter::Until(until) => DateTime::parse_from_rfc3339(&config.created)
                .is_ok_and(|created| created.with_timezone(&Utc) < *until),
        })
    }
}

/// Podman's `ComputeUntilTimestamp`, for the forms it is given in practice.
pub(crate) fn parse_until(value: &str) -> Result<DateTime<Utc>> {
    if let Ok(time) = DateTime::parse_from_rfc3339(value) {
        return Ok(time.with_timezone(&Utc));
    }
    if let Ok(seconds) = value.parse::<i64>() {
        return DateTime::from_timestamp(seconds, 0)
            .ok_or_else(|| invalid(format!("until {value:?} is out of range")));
    }
    let (number, unit) = value.split_at(value.trim_end_matches(char::is_alphabetic).len());
    let seconds: i64 = match (number.parse::<i64>(), unit) {
        (Ok(n), "s") => n,
        (Ok(n), "m") => n * 60,
        (Ok(n), "h") => n * 3600,
        _ => {
            return Err(invalid(format!(
                "until {value:?} is not a time (RFC 3339, Unix seconds, or 10s/5m/2h)"
            )));
        }
    };
    Ok(Utc::now() - chrono::Duration::seconds(seconds))
}
