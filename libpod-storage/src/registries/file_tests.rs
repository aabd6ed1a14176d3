//! One file: containers/image's sysregistriesv2 testdata and the examples of
//! `man containers-registries.conf`.

use super::*;
use crate::error::StorageError;
use std::path::PathBuf;

const ORIGIN: &str = "/etc/containers/registries.conf";

fn load(text: &str) -> RegistriesConfig {
    parse(Path::new(ORIGIN), text, false).unwrap_or_else(|e| panic!("{e}"))
}

/// The reason of the error, checking that it names the file.
fn reason(text: &str, require_v2: bool) -> String {
    match parse(Path::new(ORIGIN), text, require_v2) {
        Err(StorageError::RegistriesConf { path, reason }) => {
            assert_eq!(path, Path::new(ORIGIN));
            reason
        }
        other => panic!("expected a registries.conf error, got {other:?}"),
    }
}

fn prefixes(config: &RegistriesConfig) -> Vec<&str> {
    config.registries().map(|r| r.prefix.as_str()).collect()
}

/// The EXAMPLE of `man containers-registries.conf`.
const MAN_EXAMPLE: &str = r#"
unqualified-search-registries = ["example.com"]

[[registry]]
prefix = "example.com/foo"
insecure = false
blocked = false
location = "internal-registry-for-example.com/bar"

[[registry.mirror]]
location = "example-mirror-0.local/mirror-for-foo"

[[registry.mirror]]
location = "example-mirror-1.local/mirrors/foo"
insecure = true

[[registry]]
location = "registry.com"

[[registry.mirror]]
location = "mirror.registry.com"
"#;

#[test]
fn reads_the_man_page_example() {
    let config = load(MAN_EXAMPLE);
    assert_eq!(config.unqualified_search_registries(), ["example.com"]);
    assert_eq!(config.unqualified_search_origin(), Some(Path::new(ORIGIN)));
    assert_eq!(prefixes(&config), ["example.com/foo", "registry.com"]);
    let foo = config.registries().next().unwrap();
    assert_eq!(foo.location, "internal-registry-for-example.com/bar");
    assert_eq!(
        foo.mirrors,
        [
            Mirror {
                location: "example-mirror-0.local/mirror-for-foo".into(),
                insecure: false,
                pull_from_mirror: PullFromMirror::All,
            },
            Mirror {
                location: "example-mirror-1.local/mirrors/foo".into(),
                insecure: true,
                pull_from_mirror: PullFromMirror::All,
            },
        ]
    );
    assert_eq!(foo.origin, Path::new(ORIGIN));
    assert_eq!(config.short_name_mode(), ShortNameMode::Permissive);
    assert_eq!(config.credential_helpers(), ["containers-auth.json"]);
    assert_eq!(config.sources(), [PathBuf::from(ORIGIN)]);
}

/// The v1 EXAMPLE of the man page and testdata/v1-compatibility.conf.
#[test]
fn converts_the_v1_format() {
    let config = load(
        r#"
        [registries.search]
        registries = ["registry-a.com////", "registry-c.com", "registry-d.com"]

        [registries.block]
        registries = ["registry-b.com"]

        [registries.insecure]
        registries = ["registry-d.com", "registry-e.com", "registry-a.com", "registry-b.com"]
        "#,
    );
    assert_eq!(
        config.unqualified_search_registries(),
        ["registry-a.com", "registry-c.com", "registry-d.com"]
    );
    let flags: Vec<(&str, &str, bool, bool)> = config
        .registries()
        .map(|r| {
            (
                r.prefix.as_str(),
                r.location.as_str(),
                r.insecure,
                r.blocked,
            )
        })
        .collect();
    assert_eq!(
        flags,
        [
            ("registry-a.com", "registry-a.com", true, false),
            ("registry-b.com", "registry-b.com", true, true),
            ("registry-d.com", "registry-d.com", true, false),
            ("registry-e.com", "registry-e.com", true, false),
        ]
    );
}

#[test]
fn v1_without_search_list_leaves_it_unset() {
    let config = load("[registries.block]\nregistries = [\"bad.com\"]");
    assert_eq!(config.unqualified_search_registries, None);
    assert!(config.registries().next().unwrap().blocked);
}

#[test]
fn refuses_mixing_v1_and_v2_even_when_empty() {
    let mixed = r#"
        unqualified-search-registries = ["a.com"]
        [registries.search]
        registries = ["b.com"]
    "#;
    assert!(reason(mixed, false).contains("mixing sysregistry v1/v2 is not supported"));
    let mixed_empty = r#"
        unqualified-search-registries = []
        [registries.search]
        registries = []
    "#;
    assert!(reason(mixed_empty, false).contains("mixing sysregistry v1/v2 is not supported"));
    let v1_and_aliases = "[aliases]\n[registries.block]\nregistries = []";
    assert!(reason(v1_and_aliases, false).contains("mixing"));
}

#[test]
fn drop_ins_must_be_v2() {
    let v1 = "[registries.search]\nregistries = [\"a.com\"]";
    assert!(reason(v1, true).contains("must be in v2 format"));
    assert!(
        parse(
            Path::new(ORIGIN),
            "[[registry]]\nlocation = \"a.com\"",
            true
        )
        .is_ok()
    );
}

#[test]
fn conflicting_settings_for_one_location_are_refused() {
    let insecure = r#"
        [[registry]]
        location = "registry.com"
        [[registry]]
        prefix = "other.com"
        location = "registry.com"
        insecure = true
    "#;
    assert!(
        reason(insecure, false)
            .contains("\"registry.com\" is defined multiple times with conflicting \"insecure\"")
    );
    let blocked = r#"
        [[registry]]
        location = "registry.com"
        [[registry.mirror]]
        location = "mirror-1.registry.com"
        [[registry]]
        prefix = "x.com"
        location = "registry.com"
        blocked = true
    "#;
    assert!(reason(blocked, false).contains("conflicting \"blocked\""));
    let wildcard =
        "[[registry]]\nprefix = \"*.a.com\"\n[[registry]]\nprefix = \"*.a.com\"\ninsecure = true";
    assert!(reason(wildcard, false).contains("conflicting"));
}

#[test]
fn the_first_entry_for_a_prefix_wins() {
    let config = load(
        r#"
        [[registry]]
        prefix = "example.com"
        location = "first.example.com"
        [[registry]]
        prefix = "example.com/"
        location = "second.example.com"
        "#,
    );
    assert_eq!(prefixes(&config), ["example.com"]);
    assert_eq!(
        config.registries().next().unwrap().location,
        "first.example.com"
    );
}

#[test]
fn registries_are_kept_in_prefix_order() {
    let config = load(
        "[[registry]]\nlocation = \"z.com\"\n[[registry]]\nlocation = \"a.com\"\n[[registry]]\nprefix = \"*.m.com\"",
    );
    assert_eq!(prefixes(&config), ["*.m.com", "a.com", "z.com"]);
}

#[test]
fn locations_and_prefixes_are_checked() {
    let cases = [
        (
            "[[registry]]\nlocation = \"http://registry.com:5000\"",
            "URI schemes are not supported",
        ),
        (
            "[[registry]]\nlocation = \"a.com\"\nprefix = \"https://a.com\"",
            "URI schemes are not supported",
        ),
        (
            "[[registry]]\nlocation = \"registry-b.com\"\n[[registry]]\ninsecure = true",
            "both location and prefix are unset",
        ),
        (
            "[[registry]]\nprefix = \"example.com\"",
            "location is unset and prefix \"example.com\" is not in the format",
        ),
        (
            "[[registry]]\nlocation = \"a.com\"\n[[registry.mirror]]\ninsecure = true",
            "mirror location of \"a.com\" is unset",
        ),
        (
            "[[registry]]\nprefix = \"*.example.com/foo\"",
            "wildcarded prefix",
        ),
        (
            "[[registry]]\nprefix = \"*.example.com:5000\"",
            "wildcarded prefix",
        ),
        (
            "[[registry]]\nprefix = \"*.example.com\"\nlocation = \"a.com\"\n[[registry]]\nprefix = \"*.b.com@x\"",
            "wildcarded prefix",
        ),
    ];
    for (text, expected) in cases {
        let why = reason(text, false);
        assert!(why.contains(expected), "{text}: {why}");
    }
    let trimmed = load("[[registry]]\nlocation = \"example.com:5000/with/path//\"");
    assert_eq!(prefixes(&trimmed), ["example.com:5000/with/path"]);
    let wildcard = load("[[registry]]\nprefix = \"*.internal.example.com\"");
    assert_eq!(wildcard.registries().next().unwrap().location, "");
}

/// testdata/invalid-config-level-mirror.conf, invalid-conflict-mirror.conf,
/// invalid-value-mirror.conf.
#[test]
fn pull_from_mirror_is_checked() {
    let registry_level = "[[registry]]\nprefix = \"registry-a.com/foo\"\nlocation = \"registry-a.com/bar\"\npull-from-mirror = \"digest-only\"";
    assert!(reason(registry_level, false).contains(
        "pull-from-mirror must not be set for a non-mirror registry \"registry-a.com/foo\""
    ));
    let conflict = "[[registry]]\nprefix = \"registry-a.com/foo\"\nlocation = \"registry-a.com/bar\"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = \"mirror-1.registry-a.com\"\npull-from-mirror = \"digest-only\"";
    assert!(reason(conflict, false).contains("cannot set mirror usage mirror-by-digest-only for the registry (\"registry-a.com/foo\") and pull-from-mirror for per-mirror (\"mirror-1.registry-a.com\")"));
    let value = "[[registry]]\nlocation = \"registry-a.com\"\n[[registry.mirror]]\nlocation = \"mirror-1.registry-a.com\"\npull-from-mirror = \"notvalid\"";
    assert!(reason(value, false).contains(
        "unsupported pull-from-mirror value \"notvalid\" for mirror \"mirror-1.registry-a.com\""
    ));
    let modes = load(
        "[[registry]]\nlocation = \"a.com\"\n[[registry.mirror]]\nlocation = \"m1.com\"\npull-from-mirror = \"tag-only\"\n[[registry.mirror]]\nlocation = \"m2.com\"\npull-from-mirror = \"digest-only\"\n[[registry.mirror]]\nlocation = \"m3.com\"\npull-from-mirror = \"all\"",
    );
    let kinds: Vec<PullFromMirror> = modes
        .registries()
        .next()
        .unwrap()
        .mirrors
        .iter()
        .map(|m| m.pull_from_mirror)
        .collect();
    assert_eq!(
        kinds,
        [
            PullFromMirror::TagOnly,
            PullFromMirror::DigestOnly,
            PullFromMirror::All
        ]
    );
}

#[test]
fn short_name_modes() {
    for (text, mode) in [
        ("short-name-mode = \"enforcing\"", ShortNameMode::Enforcing),
        (
            "short-name-mode = \"permissive\"",
            ShortNameMode::Permissive,
        ),
        ("short-name-mode = \"disabled\"", ShortNameMode::Disabled),
        ("short-name-mode = \"\"", ShortNameMode::Permissive),
    ] {
        assert_eq!(load(text).short_name_mode(), mode, "{text}");
    }
    assert!(reason("short-name-mode = \"xxx\"", false).contains("invalid short-name mode \"xxx\""));
}

#[test]
fn search_registries_must_be_hosts() {
    let config =
        load("unqualified-search-registries = [\"quay.io/\", \"[::1]:5000\", \"localhost\"]");
    assert_eq!(
        config.unqualified_search_registries(),
        ["quay.io", "[::1]:5000", "localhost"]
    );
    for bad in [
        "quay.io/ns",
        "https://quay.io",
        "-bad.com",
        "a.com:port",
        "",
    ] {
        let text = format!("unqualified-search-registries = [{bad:?}]");
        assert!(!reason(&text, false).is_empty(), "{bad}");
    }
}

/// The `[aliases]` table is checked (the rules themselves are tested in aliases_tests.rs).
#[test]
fn aliases_are_checked() {
    let why = reason("[aliases]\nimage1=\"quay.io/repo/image:1\"", false);
    assert!(
        why.starts_with("validating short-name aliases: invalid alias"),
        "{why}"
    );
    let config = load("[aliases]\n\"docker\" = \"docker.io/alpine\"");
    assert_eq!(
        config.alias("docker").unwrap().to_string(),
        "docker.io/library/alpine"
    );
}

#[test]
fn toml_errors_name_file_line_and_column() {
    let why = reason(
        "unqualified-search-registries = [\"a.com\"]\n[[registry]\nlocation = 1",
        false,
    );
    assert!(why.starts_with("line 2, column "), "{why}");
    let why = reason(
        "[[registry]]\nlocation = \"a.com\"\ninsecure = \"yes\"",
        false,
    );
    assert!(why.starts_with("line 3"), "{why}");
    assert!(reason("unqualified-search-registries = \"a.com\"", false).starts_with("line 1"));
}

#[test]
fn unknown_keys_are_ignored() {
    let config = load(
        "unknown = 1\n[[registry]]\nlocation = \"a.com\"\nunqualified-search = true\n[other]\nx = 2",
    );
    assert_eq!(prefixes(&config), ["a.com"]);
}

#[test]
fn credential_helpers_are_kept() {
    let config = load("credential-helpers = [\"pass\", \"secretservice\"]");
    assert_eq!(config.credential_helpers(), ["pass", "secretservice"]);
    assert_eq!(
        load("credential-helpers = []").credential_helpers(),
        ["containers-auth.json"]
    );
}
