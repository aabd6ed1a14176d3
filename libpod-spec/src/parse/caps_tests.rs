use super::{all_capabilities, merge_capabilities, normalize_capability};
use crate::SpecError;
use caps::{CapSet, Capability};

fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| name.to_string()).collect()
}

/// The bounding set of this thread, read independently of the code under test.
fn bounding_from_procfs() -> Vec<String> {
    let status = std::fs::read_to_string("/proc/thread-self/status").unwrap();
    let mask = status
        .lines()
        .find_map(|line| line.strip_prefix("CapBnd:"))
        .unwrap()
        .trim();
    let mask = u64::from_str_radix(mask, 16).unwrap();
    let last: u8 = std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let mut names: Vec<String> = caps::all()
        .into_iter()
        .filter(|cap| cap.index() <= last && mask & cap.bitmask() != 0)
        .map(|cap| cap.to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn normalize_adds_the_prefix_and_upper_cases() {
    assert_eq!(normalize_capability("net_admin").unwrap(), "CAP_NET_ADMIN");
    assert_eq!(normalize_capability("Cap_Chown").unwrap(), "CAP_CHOWN");
    assert_eq!(
        normalize_capability("CAP_SYS_ADMIN").unwrap(),
        "CAP_SYS_ADMIN"
    );
}

#[test]
fn normalize_refuses_unknown_names_as_podman_spells_them() {
    for (text, canonical) in [
        ("FOO", "CAP_FOO"),
        ("cap_foo", "CAP_FOO"),
        ("", "CAP_"),
        ("all", "ALL"),
        ("CAP_ALL", "CAP_ALL"),
    ] {
        match normalize_capability(text) {
            Err(SpecError::UnknownCapability { name }) => assert_eq!(name, canonical),
            other => panic!("{text}: {other:?}"),
        }
    }
    let err = normalize_capability("foo").unwrap_err();
    assert_eq!(err.to_string(), "unknown capability \"CAP_FOO\"");
}

#[test]
fn all_capabilities_is_the_bounding_set() {
    let all = all_capabilities();
    assert_eq!(all, bounding_from_procfs());
    assert!(
        all.windows(2).all(|pair| pair[0] < pair[1]),
        "sorted and unique"
    );
    assert!(all.iter().all(|cap| cap.starts_with("CAP_")));
}

#[test]
fn add_and_drop() {
    let base = strings(&["CAP_CHOWN", "CAP_KILL"]);
    let caps = merge_capabilities(&base, &strings(&["net_admin"]), &strings(&["KILL"])).unwrap();
    assert_eq!(caps, ["CAP_CHOWN", "CAP_NET_ADMIN"]);
}

#[test]
fn nothing_to_merge_returns_the_base_sorted() {
    let base = strings(&["kill", "CAP_CHOWN", "chown"]);
    assert_eq!(
        merge_capabilities(&base, &[], &[]).unwrap(),
        ["CAP_CHOWN", "CAP_KILL"]
    );
}

#[test]
fn adding_what_is_there_and_dropping_what_is_not() {
    let base = strings(&["CAP_CHOWN"]);
    let caps =
        merge_capabilities(&base, &strings(&["chown", "CHOWN"]), &strings(&["SETUID"])).unwrap();
    assert_eq!(caps, ["CAP_CHOWN"]);
}

#[test]
fn drop_all_keeps_only_the_added() {
    let base = strings(&["CAP_CHOWN", "CAP_KILL"]);
    assert_eq!(
        merge_capabilities(&base, &strings(&["setuid", "CHOWN"]), &strings(&["all"])).unwrap(),
        ["CAP_CHOWN", "CAP_SETUID"]
    );
    assert!(
        merge_capabilities(&base, &[], &strings(&["ALL"]))
            .unwrap()
            .is_empty()
    );
    // With ALL dropped, a capability both added and dropped is no conflict (as in Podman).
    assert_eq!(
        merge_capabilities(&base, &strings(&["KILL"]), &strings(&["ALL", "KILL"])).unwrap(),
        ["CAP_KILL"]
    );
}

#[test]
fn add_all_is_the_bounding_set_minus_the_dropped() {
    let base = strings(&["CAP_CHOWN"]);
    let expected: Vec<String> = bounding_from_procfs()
        .into_iter()
        .filter(|cap| cap != "CAP_KILL")
        .collect();
    let caps = merge_capabilities(&base, &strings(&["ALL", "chown"]), &strings(&["kill"])).unwrap();
    assert_eq!(caps, expected);
    assert_eq!(
        merge_capabilities(&[], &strings(&["all"]), &[]).unwrap(),
        bounding_from_procfs()
    );
}

#[test]
fn adding_and_dropping_the_same_capability_conflicts() {
    let err = merge_capabilities(&[], &strings(&["net_admin"]), &strings(&["CAP_NET_ADMIN"]))
        .unwrap_err();
    match err {
        SpecError::Conflict {
            first: "cap-add",
            second: "cap-drop",
            reason,
        } => {
            assert_eq!(
                reason,
                "capability \"CAP_NET_ADMIN\" cannot be dropped and added"
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn adding_and_dropping_all_conflicts() {
    let err = merge_capabilities(&[], &strings(&["all"]), &strings(&["ALL"])).unwrap_err();
    assert!(matches!(err, SpecError::Conflict { .. }));
    assert!(
        err.to_string()
            .contains("adding all caps and removing all caps not allowed")
    );
}

#[test]
fn unknown_names_are_refused_naming_the_flag() {
    let err = merge_capabilities(&[], &strings(&["foo"]), &[]).unwrap_err();
    assert!(
        matches!(err, SpecError::InvalidValue { field: "cap-add", ref value, .. } if value == "foo")
    );
    assert!(
        err.to_string().contains("\"CAP_FOO\": unknown capability"),
        "{err}"
    );
    let err = merge_capabilities(&[], &[], &strings(&["all2"])).unwrap_err();
    assert!(matches!(
        err,
        SpecError::InvalidValue {
            field: "cap-drop",
            ..
        }
    ));
    // Unknown names are refused even when ALL makes them irrelevant.
    assert!(merge_capabilities(&[], &strings(&["bogus"]), &strings(&["ALL"])).is_err());
    let err = merge_capabilities(&strings(&["CAP_BOGUS"]), &[], &[]).unwrap_err();
    assert!(matches!(err, SpecError::UnknownCapability { ref name } if name == "CAP_BOGUS"));
}

#[test]
fn capabilities_outside_the_bounding_set_are_left_out() {
    // The bounding set is per thread: dropping from it here leaves the other tests alone.
    std::thread::spawn(|| {
        let missing = "CAP_MKNOD";
        if bounding_from_procfs().contains(&missing.to_string()) {
            caps::drop(None, CapSet::Bounding, Capability::CAP_MKNOD)
                .expect("dropping CAP_MKNOD from this thread's bounding set");
        }
        assert!(!bounding_from_procfs().contains(&missing.to_string()));
        assert!(!all_capabilities().contains(&missing.to_string()));
        let base = strings(&["CAP_CHOWN", missing]);
        assert_eq!(
            merge_capabilities(&base, &[], &strings(&["kill"])).unwrap(),
            ["CAP_CHOWN"]
        );
        assert_eq!(
            merge_capabilities(&[], &strings(&["mknod", "chown"]), &strings(&["ALL"])).unwrap(),
            ["CAP_CHOWN"]
        );
        // Normalising still accepts it: the kernel knows it.
        assert_eq!(normalize_capability("mknod").unwrap(), "CAP_MKNOD");
    })
    .join()
    .unwrap();
}
