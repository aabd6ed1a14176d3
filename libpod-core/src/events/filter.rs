//! `--filter` as Podman 4.3 applies it to events (libpod/events/filters.go): `KEY=VALUE`
//! with the keys `container`, `event` (or `status`), `image`, `pod`, `volume`, `type` and
//! `label`; values of one key are alternatives, different keys must all match.

use super::{Event, EventType};
use crate::error::{CoreError, Result};
use chrono::{DateTime, FixedOffset};
use std::collections::BTreeMap;

/// Which events to keep.
///
/// ```
/// use libpod_core::events::{Event, EventFilter, EventStatus, EventType};
/// let filter = EventFilter::parse(&["event=start", "event=stop", "type=container"])?;
/// let start = Event::new(EventType::Container, EventStatus::Start);
/// let pull = Event::new(EventType::Image, EventStatus::Pull);
/// assert!(filter.accepts(&start));
/// assert!(!filter.accepts(&pull));
/// # Ok::<(), libpod_core::CoreError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// The values of each key, keys upper-cased as Podman compares them.
    by_key: BTreeMap<String, Vec<(Key, String)>>,
    since: Option<DateTime<FixedOffset>>,
    until: Option<DateTime<FixedOffset>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Key {
    Container,
    Status,
    Image,
    Pod,
    Volume,
    Type,
    Label,
}

impl EventFilter {
    /// Parses `KEY=VALUE` filters; an unknown key or a filter without `=` is Podman's
    /// "... is an invalid filter".
    pub fn parse<S: AsRef<str>>(filters: &[S]) -> Result<EventFilter> {
        let mut out = EventFilter::default();
        for filter in filters {
            let filter = filter.as_ref();
            let invalid = |what: &str| CoreError::InvalidOption {
                option: "filter",
                reason: format!("{what} is an invalid filter"),
            };
            let (key, value) = filter.split_once('=').ok_or_else(|| invalid(filter))?;
            let kind = match key.to_ascii_uppercase().as_str() {
                "CONTAINER" => Key::Container,
                "EVENT" | "STATUS" => Key::Status,
                "IMAGE" => Key::Image,
                "POD" => Key::Pod,
                "VOLUME" => Key::Volume,
                "TYPE" => Key::Type,
                "LABEL" => Key::Label,
                _ => return Err(invalid(key)),
            };
            out.by_key
                .entry(key.to_string())
                .or_default()
                .push((kind, value.to_string()));
        }
        Ok(out)
    }

    /// Also keeps only events after `since` (exclusive, as Podman's `After`).
    #[must_use]
    pub fn since(mut self, since: Option<DateTime<FixedOffset>>) -> EventFilter {
        self.since = since;
        self
    }

    /// Also keeps only events before `until` (exclusive).
    #[must_use]
    pub fn until(mut self, until: Option<DateTime<FixedOffset>>) -> EventFilter {
        self.until = until;
        self
    }

    /// The `until` bound, if any.
    pub fn until_time(&self) -> Option<DateTime<FixedOffset>> {
        self.until
    }

    /// Whether `event` passes every key (one of its values) and the time bounds.
    pub fn accepts(&self, event: &Event) -> bool {
        self.since.is_none_or(|since| event.time > since)
            && self.until.is_none_or(|until| event.time < until)
            && self.by_key.values().all(|values| {
                values
                    .iter()
                    .any(|(key, value)| matches(*key, value, event))
            })
    }
}

/// Podman's `generateEventFilter`, one key.
fn matches(key: Key, value: &str, event: &Event) -> bool {
    let named_or_prefix = |kind: EventType| {
        event.kind == kind && (event.name == value || event.id.starts_with(value))
    };
    match key {
        Key::Container => named_or_prefix(EventType::Container),
        Key::Image => named_or_prefix(EventType::Image),
        Key::Pod => named_or_prefix(EventType::Pod),
        Key::Volume => event.kind == EventType::Volume && event.id.starts_with(value),
        Key::Status => event.status.as_str() == value,
        Key::Type => event.kind.as_str() == value,
        Key::Label => match value.split_once('=') {
            Some((k, v)) => event
                .attributes
                .as_ref()
                .and_then(|attributes| attributes.get(k))
                .is_some_and(|found| found == v),
            None => false,
        },
    }
}

#[cfg(test)]
#[path = "filter_tests.rs"]
mod tests;
