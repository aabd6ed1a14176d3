use super::{ULIMIT_NAMES, Ulimit, parse_ulimit};
use crate::SpecError;

fn limit(kind: &str, soft: u64, hard: u64) -> Ulimit {
    Ulimit {
        kind: kind.to_string(),
        soft,
        hard,
    }
}

#[test]
fn soft_and_hard() {
    assert_eq!(
        parse_ulimit("nofile=1024:2048").unwrap(),
        limit("RLIMIT_NOFILE", 1024, 2048)
    );
    assert_eq!(
        parse_ulimit("nproc=10:10").unwrap(),
        limit("RLIMIT_NPROC", 10, 10)
    );
}

#[test]
fn a_single_value_sets_both() {
    assert_eq!(
        parse_ulimit("nofile=512").unwrap(),
        limit("RLIMIT_NOFILE", 512, 512)
    );
    assert_eq!(
        parse_ulimit("nofile=+7").unwrap(),
        limit("RLIMIT_NOFILE", 7, 7)
    );
}

#[test]
fn every_name_maps_to_its_rlimit() {
    for name in ULIMIT_NAMES {
        let u = parse_ulimit(&format!("{name}=1")).unwrap();
        assert_eq!(u.kind, format!("RLIMIT_{}", name.to_uppercase()));
    }
    assert_eq!(ULIMIT_NAMES.len(), 15);
}

#[test]
fn minus_one_is_unlimited() {
    assert_eq!(
        parse_ulimit("core=-1").unwrap(),
        limit("RLIMIT_CORE", u64::MAX, u64::MAX)
    );
    assert_eq!(
        parse_ulimit("core=-1:-1").unwrap(),
        limit("RLIMIT_CORE", u64::MAX, u64::MAX)
    );
    assert_eq!(
        parse_ulimit("nofile=1:-1").unwrap(),
        limit("RLIMIT_NOFILE", 1, u64::MAX)
    );
}

#[test]
fn other_negative_values_wrap_as_in_podman() {
    assert_eq!(
        parse_ulimit("nofile=-5").unwrap(),
        limit("RLIMIT_NOFILE", u64::MAX - 4, u64::MAX - 4)
    );
}

#[test]
fn soft_above_hard_is_refused() {
    let err = parse_ulimit("nofile=2048:1024").unwrap_err();
    assert!(err.to_string().contains("2048 > 1024"), "{err}");
    let err = parse_ulimit("nofile=-1:1024").unwrap_err();
    assert!(err.to_string().contains("unlimited"), "{err}");
}

#[test]
fn unknown_and_disabled_names_are_refused() {
    for text in ["bogus=1", "as=1024", "NOFILE=1", "=1", " nofile=1"] {
        let err = parse_ulimit(text).unwrap_err();
        assert!(
            err.to_string().contains("invalid ulimit type"),
            "{text}: {err}"
        );
    }
}

#[test]
fn malformed_values_are_refused() {
    for text in [
        "nofile",
        "",
        "nofile=",
        "nofile=1024:",
        "nofile=:1024",
        "nofile=1:2:3",
        "nofile=1k",
        "nofile=infinity",
        "nofile=1.5",
        "nofile= 1",
        "nofile=9223372036854775808",
    ] {
        match parse_ulimit(text) {
            Err(SpecError::InvalidValue {
                field: "ulimit",
                value,
                ..
            }) => assert_eq!(value, text),
            other => panic!("{text}: {other:?}"),
        }
    }
}
