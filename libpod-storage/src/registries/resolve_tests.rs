//! Short-name resolution: containers/image's pkg/shortnames tests (Resolve, IsShortName) and
//! the aliases documented in `man containers-registries.conf`.

use super::*;

const DIGEST: &str = "sha256:d366a4665ab44f0648d7a00ae3fae139d55e32f9712c67accd604bb55df9d05a";

fn config(text: &str) -> RegistriesConfig {
    RegistriesConfig::from_toml_str(Path::new("/etc/containers/registries.conf"), text).unwrap()
}

fn resolved(config: &RegistriesConfig, name: &str) -> Vec<String> {
    let candidates = config
        .resolve_short_name(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    candidates.iter().map(ToString::to_string).collect()
}

/// pkg/shortnames/testdata/aliases.conf.
const ALIASES_CONF: &str = r#"
short-name-mode="enforcing"

[aliases]
docker="docker.io/library/foo"
"quay/foo"="quay.io/library/foo"
example="example.com/library/foo"
empty=""
"#;

#[test]
fn aliases_win_and_keep_the_tag_or_digest() {
    let config = config(ALIASES_CONF);
    assert_eq!(config.short_name_mode(), ShortNameMode::Enforcing);
    let cases = [
        ("docker", "docker.io/library/foo:latest".to_owned()),
        ("docker:tag", "docker.io/library/foo:tag".into()),
        (
            &format!("docker@{DIGEST}"),
            format!("docker.io/library/foo@{DIGEST}"),
        ),
        ("quay/foo", "quay.io/library/foo:latest".into()),
        ("quay/foo:tag", "quay.io/library/foo:tag".into()),
        (
            &format!("quay/foo@{DIGEST}"),
            format!("quay.io/library/foo@{DIGEST}"),
        ),
        ("example:tag", "example.com/library/foo:tag".into()),
        (
            &format!("example:v1@{DIGEST}"),
            format!("example.com/library/foo:v1@{DIGEST}"),
        ),
    ];
    for (name, expected) in cases {
        assert_eq!(resolved(&config, name), [expected], "{name}");
    }
}

#[test]
fn without_alias_or_search_registry_a_short_name_does_not_resolve() {
    let config = config(ALIASES_CONF);
    for name in ["doesnotexist", "empty", "empty:tag"] {
        match config.resolve_short_name(name) {
            Err(StorageError::ShortNameUnresolved { name: n }) => assert_eq!(n, name),
            other => panic!("{name}: {other:?}"),
        }
    }
    assert!(
        RegistriesConfig::default()
            .resolve_short_name("busybox")
            .is_err()
    );
}

#[test]
fn invalid_names_are_refused() {
    let config = config(ALIASES_CONF);
    for name in [
        "",
        "Invalid#$",
        "$$$",
        "::",
        "docker://quay.io/library/foo:bar",
        " ",
    ] {
        assert!(
            matches!(
                config.resolve_short_name(name),
                Err(StorageError::InvalidReference { .. })
            ),
            "{name:?}"
        );
    }
}

#[test]
fn qualified_names_come_back_normalised() {
    let config = config(ALIASES_CONF);
    assert_eq!(
        resolved(&config, "quay.io/repo/fedora"),
        ["quay.io/repo/fedora:latest"]
    );
    assert_eq!(
        resolved(&config, "localhost/repo/fedora:sometag"),
        ["localhost/repo/fedora:sometag"]
    );
    assert_eq!(
        resolved(&config, "docker.io/fedora"),
        ["docker.io/library/fedora:latest"]
    );
}

/// pkg/shortnames TestResolveAndRecord with two-reg.conf.
#[test]
fn search_registries_qualify_in_order() {
    let config = config(r#"unqualified-search-registries = ["quay.io", "registry.com"]"#);
    assert_eq!(
        resolved(&config, "foo"),
        ["quay.io/foo:latest", "registry.com/foo:latest"]
    );
    assert_eq!(
        resolved(&config, "foo:tag"),
        ["quay.io/foo:tag", "registry.com/foo:tag"]
    );
    assert_eq!(
        resolved(&config, &format!("foo@{DIGEST}")),
        [
            format!("quay.io/foo@{DIGEST}"),
            format!("registry.com/foo@{DIGEST}")
        ]
    );
    assert_eq!(
        resolved(&config, "repo/foo"),
        ["quay.io/repo/foo:latest", "registry.com/repo/foo:latest"]
    );
}

#[test]
fn docker_hub_search_adds_library() {
    let config = config(r#"unqualified-search-registries = ["docker.io", "quay.io"]"#);
    assert_eq!(
        resolved(&config, "busybox:1.36"),
        ["docker.io/library/busybox:1.36", "quay.io/busybox:1.36"]
    );
    assert_eq!(
        resolved(&config, "library/busybox"),
        [
            "docker.io/library/busybox:latest",
            "quay.io/library/busybox:latest"
        ]
    );
}

#[test]
fn recorded_aliases_win_even_when_they_erase() {
    let mut config = config(
        r#"
        unqualified-search-registries = ["docker.io"]
        [aliases]
        alpine = "docker.io/library/alpine"
        fedora = "registry.fedoraproject.org/fedora"
        "#,
    );
    config.recorded_aliases = aliases::parse(
        Path::new("/var/cache/containers/short-name-aliases.conf"),
        &BTreeMap::from([
            ("alpine".to_owned(), "quay.io/mirror/alpine".to_owned()),
            ("fedora".to_owned(), String::new()),
        ]),
    )
    .unwrap();
    assert_eq!(resolved(&config, "alpine:3"), ["quay.io/mirror/alpine:3"]);
    // An erased recorded alias hides the registries.conf one: the search list is used.
    assert_eq!(
        resolved(&config, "fedora"),
        ["docker.io/library/fedora:latest"]
    );
}

#[test]
fn alias_lookup_uses_the_name_as_written() {
    let config = config(
        r#"
        [aliases]
        "library/busybox" = "quay.io/ns/busybox"
        "#,
    );
    assert_eq!(
        resolved(&config, "library/busybox:1"),
        ["quay.io/ns/busybox:1"]
    );
    assert!(config.resolve_short_name("busybox").is_err());
    assert_eq!(
        config.alias("library/busybox").unwrap().to_string(),
        "quay.io/ns/busybox"
    );
}

#[test]
fn the_short_name_mode_decides_what_an_ambiguous_name_pulls() {
    let two = r#"unqualified-search-registries = ["quay.io", "docker.io"]
[aliases]
"aliased" = "example.com/team/aliased"
"#;
    for (mode, ambiguous) in [
        ("enforcing", true),
        ("permissive", false),
        ("disabled", false),
    ] {
        let config = config(&format!("short-name-mode = \"{mode}\"\n{two}"));
        match config.pull_candidates("busybox:1") {
            Err(StorageError::ShortNameAmbiguous { name, candidates }) => {
                assert!(ambiguous, "{mode}");
                assert_eq!(name, "busybox:1");
                assert_eq!(
                    candidates,
                    ["quay.io/busybox:1", "docker.io/library/busybox:1"]
                );
            }
            Ok(candidates) => {
                assert!(!ambiguous, "{mode}");
                assert_eq!(candidates.len(), 2, "{mode}");
            }
            Err(other) => panic!("{mode}: {other}"),
        }
        // An alias or a fully-qualified name is never ambiguous.
        assert_eq!(
            config.pull_candidates("aliased").unwrap()[0].to_string(),
            "example.com/team/aliased:latest"
        );
        assert_eq!(config.pull_candidates("quay.io/x").unwrap().len(), 1);
    }
    let one =
        config("short-name-mode = \"enforcing\"\nunqualified-search-registries = [\"quay.io\"]");
    assert_eq!(one.pull_candidates("busybox").unwrap().len(), 1);
}
