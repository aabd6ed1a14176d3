//! `pod ps --filter KEY=VALUE`, Podman 4.3's keys (pkg/domain/filters/pods.go): `id` and
//! `name` (regular expressions), `label` (`KEY` or `KEY=VALUE`, all of them), `status` (the
//! pod's), `ctr-names` and `ctr-ids` (regular expressions), `ctr-status`, `ctr-number`,
//! `network` (the infra container's, by name) and `until`. Values of one key are
//! alternatives; every key must match. `ctr-names` is matched against every container's name,
//! where Podman 4.3 looks only at its first container by ID (a loop that returns early).

use super::Result;
use super::row::PodRow;
use crate::errors::{Exit, OWN_ERROR};
use chrono::{DateTime, Utc};
use libpod_core::logs::parse_time;
use regex::Regex;

/// The pod statuses `status=` takes.
const POD_STATUSES: [&str; 7] = [
    "stopped", "running", "paused", "exited", "dead", "created", "degraded",
];
/// The container statuses `ctr-status=` takes.
const CTR_STATUSES: [&str; 6] = [
    "created", "running", "paused", "stopped", "exited", "unknown",
];

/// One key's test.
enum Filter {
    Id(Vec<Regex>),
    Name(Vec<Regex>),
    Label(Vec<String>),
    Status(Vec<String>),
    CtrNames(Vec<Regex>),
    CtrIds(Vec<Regex>),
    CtrStatus(Vec<String>),
    CtrNumber(Vec<String>),
    Network(Vec<String>),
    Until(DateTime<Utc>),
}

/// The filters given, one per key.
pub struct PodFilters(Vec<Filter>);

fn refused(message: String) -> Box<dyn std::error::Error> {
    Exit::new(OWN_ERROR, message).into()
}

fn regexes(values: &[String]) -> Result<Vec<Regex>> {
    values
        .iter()
        .map(|v| {
            Regex::new(v).map_err(|e| refused(format!("invalid regular expression {v:?}: {e}")))
        })
        .collect()
}

impl PodFilters {
    /// Reads `--filter` values in Podman's words for the refused ones.
    pub fn parse(given: &[String]) -> Result<PodFilters> {
        let mut by_key: Vec<(String, Vec<String>)> = Vec::new();
        for f in given {
            let (key, value) = f.split_once('=').ok_or_else(|| {
                refused(format!(
                    "filter input must be in the form of filter=value: {f} is invalid"
                ))
            })?;
            match by_key.iter_mut().find(|(k, _)| k == key) {
                Some((_, values)) => values.push(value.to_string()),
                None => by_key.push((key.to_string(), vec![value.to_string()])),
            }
        }
        let mut filters = Vec::new();
        for (key, values) in by_key {
            let check = |valid: &[&str], what: &str| -> Result {
                match values.iter().find(|v| !valid.contains(&v.as_str())) {
                    Some(bad) => Err(refused(format!("{bad} is not a valid {what}"))),
                    None => Ok(()),
                }
            };
            filters.push(match key.as_str() {
                "id" => Filter::Id(regexes(&values)?),
                "name" => Filter::Name(regexes(&values)?),
                "label" => Filter::Label(values),
                "status" => {
                    check(&POD_STATUSES, "pod status")?;
                    Filter::Status(values)
                }
                "ctr-names" => Filter::CtrNames(regexes(&values)?),
                "ctr-ids" => Filter::CtrIds(regexes(&values)?),
                "ctr-status" => {
                    check(&CTR_STATUSES, "status")?;
                    Filter::CtrStatus(values)
                }
                "ctr-number" => Filter::CtrNumber(values),
                "network" => Filter::Network(values),
                "until" => {
                    let now = chrono::Local::now().fixed_offset();
                    let mut latest = None;
                    for value in &values {
                        let until = parse_time(value, now).map_err(|e| refused(e.to_string()))?;
                        latest = latest.max(Some(until.with_timezone(&Utc)));
                    }
                    Filter::Until(latest.unwrap_or_else(Utc::now))
                }
                other => return Err(refused(format!("{other} is an invalid filter"))),
            });
        }
        Ok(PodFilters(filters))
    }

    /// Whether `row` passes every filter.
    pub fn matches(&self, row: &PodRow) -> bool {
        self.0.iter().all(|filter| filter.matches(row))
    }
}

impl Filter {
    fn matches(&self, row: &PodRow) -> bool {
        let any = |values: &[String], test: &dyn Fn(&str) -> bool| values.iter().any(|v| test(v));
        match self {
            Filter::Id(res) => res.iter().any(|re| re.is_match(&row.id)),
            Filter::Name(res) => res.iter().any(|re| re.is_match(&row.name)),
            Filter::Label(values) => values.iter().all(|v| match v.split_once('=') {
                Some((k, value)) => row.labels.get(k).is_some_and(|l| l == value),
                None => row.labels.contains_key(v.as_str()),
            }),
            Filter::Status(values) => any(values, &|v| row.status.as_str().eq_ignore_ascii_case(v)),
            Filter::CtrNames(res) => row
                .containers
                .iter()
                .any(|c| res.iter().any(|re| re.is_match(&c.name))),
            Filter::CtrIds(res) => row
                .containers
                .iter()
                .any(|c| res.iter().any(|re| re.is_match(&c.id))),
            Filter::CtrStatus(values) => row.containers.iter().any(|c| {
                // Podman compares its state names, with `stopped` taken for `exited`.
                let state = if c.state == "stopped" {
                    "exited"
                } else {
                    c.state
                };
                any(values, &|v| {
                    let v = if v == "stopped" { "exited" } else { v };
                    state == v
                })
            }),
            Filter::CtrNumber(values) => {
                any(values, &|v| v.parse::<usize>() == Ok(row.containers.len()))
            }
            Filter::Network(values) => row.networks.iter().any(|n| values.contains(n)),
            Filter::Until(until) => row.created_time().is_some_and(|t| t < *until),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pods::row::PodMember;
    use libpod_core::pod::PodStatus;

    fn pod() -> PodRow {
        let member = |id: &str, name: &str, state| PodMember {
            id: id.into(),
            name: name.into(),
            state,
        };
        PodRow {
            id: "abc123".into(),
            name: "web".into(),
            status: PodStatus::Degraded,
            created: "2026-12-01T10:00:00Z".into(),
            infra_id: "fff000".into(),
            cgroup_parent: "/libpod_parent".into(),
            labels: [("tier".to_string(), "front".to_string())].into(),
            networks: vec!["front".into()],
            containers: vec![
                member("abc999", "web-a", "running"),
                member("fff000", "fff000-infra", "stopped"),
            ],
        }
    }

    fn passes(filters: &[&str]) -> bool {
        let given: Vec<String> = filters.iter().map(|f| f.to_string()).collect();
        PodFilters::parse(&given).unwrap().matches(&pod())
    }

    #[test]
    fn values_of_a_key_are_alternatives_and_keys_all_apply() {
        assert!(passes(&["name=db", "name=^we"]));
        assert!(!passes(&["name=^eb"]));
        assert!(passes(&["id=^abc", "status=degraded"]));
        assert!(!passes(&["id=^abc", "status=running"]));
        assert!(passes(&["label=tier=front", "label=tier"]));
        assert!(!passes(&["label=tier=front", "label=other"]));
        assert!(passes(&["ctr-names=web-a"]) && passes(&["ctr-names=web"]));
        assert!(!passes(&["ctr-names=^web$"]));
        assert!(passes(&["ctr-ids=^abc9"]));
        assert!(passes(&["ctr-status=exited"]), "stopped counts as exited");
        assert!(passes(&["ctr-number=2"]) && !passes(&["ctr-number=3"]));
        assert!(passes(&["network=front"]) && !passes(&["network=back"]));
        assert!(passes(&["until=2026-12-02T00:00:00Z"]));
        assert!(!passes(&["until=2026-11-30T00:00:00Z"]));
    }

    #[test]
    fn refusals_are_in_podmans_words() {
        let err = |f: &str| {
            PodFilters::parse(&[f.to_string()])
                .err()
                .unwrap()
                .to_string()
        };
        assert_eq!(err("colour=red"), "colour is an invalid filter");
        assert_eq!(err("status=up"), "up is not a valid pod status");
        assert_eq!(err("ctr-status=up"), "up is not a valid status");
        assert_eq!(
            err("name"),
            "filter input must be in the form of filter=value: name is invalid"
        );
    }
}
