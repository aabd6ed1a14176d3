use super::*;
use crate::record::RootfsSource;

fn config() -> ContainerConfig {
    let mut config = ContainerConfig {
        id: "0123456789abcdef".into(),
        name: "web".into(),
        rootfs: Some(RootfsSource::Image {
            id: "feed".into(),
            name: "localhost/busybox:latest".into(),
        }),
        ..ContainerConfig::default()
    };
    config.labels.insert("tier".into(), "front".into());
    config
}

#[test]
fn container_events_carry_podmans_fields_and_keys() {
    let event = Event::container(&config(), EventStatus::Died).with_exit_code(3);
    let line = event.to_json();
    // Go writes the struct's fields in their order.
    let keys = [
        "ContainerExitCode",
        "ID",
        "Image",
        "Name",
        "Status",
        "Time",
        "Type",
        "Attributes",
    ];
    let at: Vec<usize> = keys
        .iter()
        .map(|k| line.find(&format!("\"{k}\":")).unwrap())
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{line}");
    let json: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(json.as_object().unwrap().len(), keys.len());
    assert_eq!(json["ContainerExitCode"], 3);
    assert_eq!(json["ID"], "0123456789abcdef");
    assert_eq!(json["Image"], "localhost/busybox:latest");
    assert_eq!(json["Name"], "web");
    assert_eq!(json["Status"], "died");
    assert_eq!(json["Type"], "container");
    assert_eq!(json["Attributes"]["tier"], "front");
}

#[test]
fn a_zero_exit_code_and_no_attributes_are_written_as_go_writes_them() {
    let event = Event::image(EventStatus::Pull, "abc", "docker.io/library/busybox:latest");
    let json = event.to_json();
    assert!(!json.contains("ContainerExitCode"), "{json}");
    assert!(
        json.ends_with(r#""Type":"image","Attributes":null}"#),
        "{json}"
    );
}

#[test]
fn a_line_podman_wrote_reads_back_unchanged() {
    let line = r#"{"ID":"4e1b5bb8b3a1","Image":"docker.io/library/alpine:latest","Name":"x","Status":"health_status","Time":"2022-11-20T10:11:12.123456789+01:00","Type":"container","health_status":"healthy","PodID":"p1","Attributes":{"image":"alpine","name":"x"}}"#;
    let event: Event = serde_json::from_str(line).unwrap();
    assert_eq!(event.status, EventStatus::HealthStatus);
    assert_eq!(event.health_status, "healthy");
    assert_eq!(event.pod_id, "p1");
    assert_eq!(event.to_json(), line);
}

#[test]
fn unknown_statuses_are_kept() {
    let line = r#"{"Status":"frobnicate","Time":"2024-01-01T00:00:00Z","Type":"system","Attributes":null}"#;
    let event: Event = serde_json::from_str(line).unwrap();
    assert_eq!(event.status, EventStatus::Other("frobnicate".into()));
    assert_eq!(event.to_json(), line);
}

#[test]
fn human_lines_are_podmans() {
    let mut event = Event::container(&config(), EventStatus::Start);
    event.time = chrono::DateTime::parse_from_rfc3339("2024-05-01T10:00:00.25Z").unwrap();
    assert_eq!(
        event.to_human(),
        "2024-05-01 10:00:00.25 +0000 UTC container start 0123456789abcdef \
         (image=localhost/busybox:latest, name=web, tier=front)"
    );
    let mut image = Event::image(EventStatus::Tag, "feed", "localhost/a:1");
    image.time = event.time;
    assert_eq!(
        image.to_human(),
        "2024-05-01 10:00:00.25 +0000 UTC image tag feed localhost/a:1"
    );
}
