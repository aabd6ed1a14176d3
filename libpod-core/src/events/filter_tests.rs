use super::*;
use crate::events::EventStatus;

fn container(id: &str, name: &str, status: EventStatus) -> Event {
    let mut event = Event::new(EventType::Container, status);
    event.id = id.into();
    event.name = name.into();
    event
}

#[test]
fn values_of_one_key_are_alternatives_and_keys_must_all_match() {
    let filter = EventFilter::parse(&["event=start", "event=stop", "container=web"]).unwrap();
    assert!(filter.accepts(&container("aaa", "web", EventStatus::Start)));
    assert!(filter.accepts(&container("aaa", "web", EventStatus::Stop)));
    assert!(!filter.accepts(&container("aaa", "web", EventStatus::Create)));
    assert!(!filter.accepts(&container("aaa", "db", EventStatus::Start)));
}

#[test]
fn containers_match_by_name_or_id_prefix_and_only_containers() {
    let filter = EventFilter::parse(&["container=abc"]).unwrap();
    assert!(filter.accepts(&container("abcdef", "x", EventStatus::Start)));
    assert!(!filter.accepts(&container("xabc", "x", EventStatus::Start)));
    let mut image = Event::image(EventStatus::Pull, "abcdef", "busybox");
    assert!(!filter.accepts(&image));
    image.kind = EventType::Image;
    let by_image = EventFilter::parse(&["image=busybox"]).unwrap();
    assert!(by_image.accepts(&image));
}

#[test]
fn labels_match_key_and_value() {
    let filter = EventFilter::parse(&["label=tier=front"]).unwrap();
    let event = container("a", "b", EventStatus::Start).with_attribute("tier", "front");
    assert!(filter.accepts(&event));
    let other = container("a", "b", EventStatus::Start).with_attribute("tier", "back");
    assert!(!filter.accepts(&other));
    assert!(!EventFilter::parse(&["label=tier"]).unwrap().accepts(&event));
}

#[test]
fn type_and_status_keys() {
    let filter = EventFilter::parse(&["type=image", "status=untag"]).unwrap();
    assert!(filter.accepts(&Event::image(EventStatus::Untag, "a", "b")));
    assert!(!filter.accepts(&Event::image(EventStatus::Tag, "a", "b")));
}

#[test]
fn since_and_until_are_exclusive() {
    let at = |s| chrono::DateTime::parse_from_rfc3339(s).unwrap();
    let filter = EventFilter::default()
        .since(Some(at("2024-01-01T00:00:00Z")))
        .until(Some(at("2024-01-02T00:00:00Z")));
    let mut event = Event::new(EventType::System, EventStatus::Refresh);
    event.time = at("2024-01-01T00:00:00Z");
    assert!(!filter.accepts(&event));
    event.time = at("2024-01-01T12:00:00Z");
    assert!(filter.accepts(&event));
    event.time = at("2024-01-02T00:00:00Z");
    assert!(!filter.accepts(&event));
}

#[test]
fn bad_filters_are_refused_in_podmans_words() {
    let err = EventFilter::parse(&["nokey"]).unwrap_err().to_string();
    assert!(err.contains("nokey is an invalid filter"), "{err}");
    let err = EventFilter::parse(&["colour=red"]).unwrap_err().to_string();
    assert!(err.contains("colour is an invalid filter"), "{err}");
}
