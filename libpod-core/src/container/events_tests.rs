//! The lifecycle's events, in order, with the fake runtime.

use super::tests::fixture;
use super::*;
use crate::events::{Event, EventStatus, EventType, ReadOptions};

fn events(rt: &Runtime) -> Vec<Event> {
    let mut out = Vec::new();
    rt.events()
        .read(&ReadOptions::default(), &|| false, &mut |e| {
            out.push(e);
            true
        })
        .unwrap();
    out
}

fn statuses(events: &[Event], kind: EventType) -> Vec<String> {
    events
        .iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.status.to_string())
        .collect()
}

#[test]
fn every_verb_records_its_event_in_order() {
    let f = fixture();
    let c = f.ctr(vec![with_name("web"), with_labels([("tier", "front")])]);
    c.init().unwrap();
    c.start().unwrap();
    c.pause().unwrap();
    c.unpause().unwrap();
    f.fake.ignore_signals(c.id(), &[10]);
    c.kill(10).unwrap();
    c.stop(Some(1)).unwrap();
    c.restart().unwrap();
    f.fake.exit(c.id(), 3);
    c.state().unwrap();
    f.rt.remove_container(&c, RemoveOptions::default()).unwrap();
    let all = events(&f.rt);
    assert_eq!(
        statuses(&all, EventType::Container),
        [
            "create", "init", "start", "pause", "unpause", "kill", "stop", "died", "cleanup",
            "init", "start", "restart", "died", "cleanup", "remove"
        ]
    );
    let died: Vec<&Event> = all
        .iter()
        .filter(|e| e.status == EventStatus::Died)
        .collect();
    assert_eq!(died[0].container_exit_code, 143);
    assert_eq!(died[1].container_exit_code, 3);
    for event in &all {
        assert_eq!((event.id.as_str(), event.name.as_str()), (c.id(), "web"));
        assert_eq!(event.attributes.as_ref().unwrap()["tier"], "front");
    }
}

#[test]
fn image_operations_reach_the_file_through_the_stores_sink() {
    let f = fixture();
    f.import_tiny_image();
    let store = f.rt.storage();
    store.tag("localhost/tiny", "localhost/other:1").unwrap();
    store.untag("localhost/tiny", "localhost/other:1").unwrap();
    store.tag("localhost/tiny", "localhost/again:2").unwrap();
    store.remove_image("localhost/tiny", false).unwrap();
    store.remove_image("localhost/again:2", false).unwrap();
    let all = events(&f.rt);
    let seen: Vec<(String, String)> = all
        .iter()
        .map(|e| (e.status.to_string(), e.name.clone()))
        .collect();
    let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    assert_eq!(
        seen,
        pairs(&[
            ("import", "localhost/tiny:latest"),
            ("tag", "localhost/other:1"),
            ("untag", "localhost/other:1"),
            ("tag", "localhost/again:2"),
            ("untag", "localhost/tiny:latest"),
            ("remove", "localhost/tiny"),
            ("untag", "localhost/again:2"),
            ("remove", "localhost/again:2"),
        ])
    );
    let id = &all[0].id;
    assert!(
        all.iter()
            .all(|e| e.kind == EventType::Image && &e.id == id)
    );
}

#[test]
fn events_logger_none_writes_nothing() {
    let dir = libpod_testutil::TempRoot::new().unwrap();
    let mut engine = crate::runtime::config::without_networking();
    engine.events_logger = "none".into();
    let rt = Runtime::builder()
        .root(dir.path().join("root"))
        .run_root(dir.path().join("run"))
        .engine_config(engine)
        .storage_driver("vfs")
        .state_store(Box::new(crate::state::MemoryState::new()))
        .with_oci(std::sync::Arc::new(crate::oci::FakeRuntime::new()))
        .open()
        .unwrap();
    assert!(rt.events().log().is_none());
    let rootfs = dir.path().join("rootfs");
    std::fs::create_dir_all(&rootfs).unwrap();
    rt.new_container([with_rootfs_path(rootfs)]).unwrap();
    assert!(!dir.path().join("run/events").exists());
}
