//! `network ls --filter` and `network prune --filter`, as c/common's network filters:
//! values of one key match if any does; every key must match.

use super::Result;
use crate::errors::{Exit, OWN_ERROR};
use libpod_core::network::Network;
use regex::Regex;

/// One `--filter KEY=VALUE`.
pub enum NetworkFilter {
    /// The name matches a regular expression (unanchored, as Go's `MatchString`).
    Name(Regex),
    /// The ID starts with this.
    Id(String),
    /// The driver is this.
    Driver(String),
    /// The network has this label (`KEY` or `KEY=VALUE`).
    Label(String),
    /// The network has not this label.
    NotLabel(String),
}

/// Which keys a verb takes.
#[derive(Clone, Copy)]
pub enum Verb {
    /// `network ls`: name, id, driver, label, label!.
    List,
    /// `network prune`: label, label!.
    Prune,
}

impl NetworkFilter {
    /// Parses the given filters for `verb`, refusing others in Podman's words.
    pub fn parse_all(given: &[String], verb: Verb) -> Result<Vec<NetworkFilter>> {
        given
            .iter()
            .map(|f| NetworkFilter::parse(f, verb))
            .collect()
    }

    fn parse(given: &str, verb: Verb) -> Result<NetworkFilter> {
        let (key, value) = given
            .split_once('=')
            .ok_or_else(|| refused(format!("invalid filter {given:?}")))?;
        let filter = match (key, verb) {
            ("label", _) => NetworkFilter::Label(value.to_string()),
            ("label!", _) => NetworkFilter::NotLabel(value.to_string()),
            ("name", Verb::List) => NetworkFilter::Name(
                Regex::new(value).map_err(|e| refused(format!("invalid filter {given:?}: {e}")))?,
            ),
            ("id", Verb::List) => NetworkFilter::Id(value.to_string()),
            ("driver", Verb::List) => {
                if !["bridge", "macvlan", "ipvlan"].contains(&value) {
                    return Err(refused(format!("unsupported driver {value}")));
                }
                NetworkFilter::Driver(value.to_string())
            }
            (_, Verb::List) => return Err(refused(format!("invalid filter {key:?}"))),
            (_, Verb::Prune) => {
                return Err(refused(format!("{key:?} filter is not supported in prune")));
            }
        };
        Ok(filter)
    }

    /// Whether `network` passes every filter (of one kind, any value).
    pub fn all_match(filters: &[NetworkFilter], network: &Network) -> bool {
        let kinds = [
            |f: &NetworkFilter| matches!(f, NetworkFilter::Name(_)),
            |f: &NetworkFilter| matches!(f, NetworkFilter::Id(_)),
            |f: &NetworkFilter| matches!(f, NetworkFilter::Driver(_)),
        ];
        let any_of_kind = kinds.iter().all(|kind| {
            let mut of_kind = filters.iter().filter(|f| kind(f)).peekable();
            of_kind.peek().is_none() || of_kind.any(|f| f.matches(network))
        });
        // Labels: each must match, as c/common's MatchLabelFilters.
        any_of_kind
            && filters
                .iter()
                .filter(|f| matches!(f, NetworkFilter::Label(_) | NetworkFilter::NotLabel(_)))
                .all(|f| f.matches(network))
    }

    fn matches(&self, network: &Network) -> bool {
        match self {
            NetworkFilter::Name(re) => re.is_match(&network.name),
            NetworkFilter::Id(prefix) => network.id.starts_with(prefix.as_str()),
            NetworkFilter::Driver(driver) => network.driver == *driver,
            NetworkFilter::Label(label) => has_label(network, label),
            NetworkFilter::NotLabel(label) => !has_label(network, label),
        }
    }
}

fn has_label(network: &Network, label: &str) -> bool {
    match label.split_once('=') {
        Some((key, value)) => network.labels.get(key).is_some_and(|v| v == value),
        None => network.labels.contains_key(label),
    }
}

fn refused(message: String) -> Box<dyn std::error::Error> {
    Exit::new(OWN_ERROR, message).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn network(name: &str, id: &str, labels: &[(&str, &str)]) -> Network {
        let mut n = Network::default();
        n.name = name.into();
        n.id = id.into();
        n.driver = "bridge".into();
        n.labels = labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        n
    }

    fn passes(filters: &[&str], n: &Network) -> bool {
        let given: Vec<String> = filters.iter().map(|f| f.to_string()).collect();
        NetworkFilter::all_match(&NetworkFilter::parse_all(&given, Verb::List).unwrap(), n)
    }

    #[test]
    fn values_of_a_key_are_alternatives_and_keys_all_apply() {
        let web = network("web", "abc123", &[("tier", "front")]);
        assert!(passes(&["name=db", "name=we"], &web));
        assert!(!passes(&["name=^eb"], &web));
        assert!(passes(&["id=abc", "driver=bridge"], &web));
        assert!(!passes(&["id=abc", "driver=macvlan"], &web));
        assert!(passes(&["label=tier=front", "label=tier"], &web));
        assert!(!passes(&["label=tier=front", "label=other"], &web));
        assert!(!passes(&["label!=tier"], &web));
    }

    #[test]
    fn unknown_keys_are_refused_in_podmans_words() {
        let err = |f: &str, verb| {
            NetworkFilter::parse_all(&[f.to_string()], verb)
                .err()
                .unwrap()
                .to_string()
        };
        assert_eq!(err("colour=red", Verb::List), "invalid filter \"colour\"");
        assert_eq!(
            err("name=x", Verb::Prune),
            "\"name\" filter is not supported in prune"
        );
    }
}
