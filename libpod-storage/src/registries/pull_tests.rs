//! Rewriting and pull sources: containers/image's TestRewriteReference*,
//! TestPullSourcesFromReference and the man page example.

use super::*;
use std::path::{Path, PathBuf};

const A64: &str = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

fn config(text: &str) -> RegistriesConfig {
    RegistriesConfig::from_toml_str(Path::new("/etc/containers/registries.conf"), text).unwrap()
}

fn reference(s: &str) -> ImageReference {
    ImageReference::parse(s).unwrap()
}

fn sources(config: &RegistriesConfig, r: &str) -> Vec<(String, bool)> {
    let found = config
        .pull_sources(&reference(r))
        .unwrap_or_else(|e| panic!("{r}: {e}"));
    found
        .into_iter()
        .map(|s| (s.reference.to_string(), s.insecure))
        .collect()
}

fn registry(prefix: &str, location: &str) -> Registry {
    Registry {
        prefix: prefix.into(),
        location: location.into(),
        insecure: false,
        blocked: false,
        mirror_by_digest_only: false,
        mirrors: Vec::new(),
        origin: PathBuf::from("/etc/containers/registries.conf"),
    }
}

#[test]
fn rewrites_references() {
    let cases = [
        (
            "example.com/image",
            "example.com",
            "example.com",
            "example.com/image",
        ),
        (
            "example.com:5000/image:latest",
            "example.com:5000",
            "example.com:5000",
            "example.com:5000/image:latest",
        ),
        (
            "example.com/foo@A",
            "example.com",
            "example.com",
            "example.com/foo@A",
        ),
        (
            "example.com/foo/image:latest",
            "example.com/foo",
            "example.com",
            "example.com/image:latest",
        ),
        (
            "example.com/foo/image:latest",
            "example.com/foo",
            "example.com/path",
            "example.com/path/image:latest",
        ),
        (
            "docker.io/library/image",
            "docker.io/library",
            "example.com",
            "example.com/image",
        ),
        (
            "docker.io/library/image",
            "docker.io",
            "example.com",
            "example.com/library/image",
        ),
        (
            "docker.io/library/prefix/image",
            "docker.io/library/prefix",
            "example.com",
            "example.com/image",
        ),
        (
            "docker.io/namespace/image",
            "*.io",
            "example.com",
            "example.com/namespace/image",
        ),
        (
            "another.sub.example.io:5000/library/prefix/image:latest",
            "*.sub.example.io",
            "example.com",
            "example.com:5000/library/prefix/image:latest",
        ),
        (
            "foo.bar.io/ns1/ns2/ns3/ns4",
            "*.bar.io",
            "omg.bbq.com/roflmao",
            "omg.bbq.com/roflmao/ns1/ns2/ns3/ns4",
        ),
        (
            "abc.internal.registry.com/foo:bar",
            "*.internal.registry.com",
            "",
            "abc.internal.registry.com/foo:bar",
        ),
        (
            "alien.vs.predator.foobar.io:5000/foo@A",
            "*.foobar.io",
            "",
            "alien.vs.predator.foobar.io:5000/foo@A",
        ),
    ];
    for (input, prefix, location, expected) in cases {
        let input = input.replace("@A", &format!("@{A64}"));
        let expected = expected.replace("@A", &format!("@{A64}"));
        let r = ImageReference::parse_named(&input).unwrap();
        let out = registry(prefix, location).rewrite(&r, location).unwrap();
        assert_eq!(out.to_string(), expected, "{input} {prefix} {location}");
    }
}

#[test]
fn refuses_bad_rewrites() {
    let cases = [
        (
            "example.com/foo/image:latest",
            "example.com/foo",
            "example.com/path/",
        ),
        ("example.com/foo@A", "example.com/foo", "example.com"),
        ("example.com:5000/image:latest", "example.com", ""),
        (
            "example.com:5000/image:latest",
            "example.com",
            "example.com:5000",
        ),
        (
            "example.com/foo/image:latest",
            "example.com//foo",
            "example.com/path",
        ),
        ("example.com/image:latest", "image", "anotherimage"),
        (
            "example.com/foo/image:latest",
            "example.com/foo/",
            "example.com",
        ),
        ("example.com/foo/image", "example.com/f", "example.com/foo"),
        ("docker.io/library/image", "example.com", "example.com"),
        ("docker.io/library/image", "*.com", "example.com"),
        (
            "foo.docker.io/library/image",
            "*.example.com",
            "example.com/image",
        ),
        // docker.io/image would mean docker.io/library/image: not in normal form.
        ("quay.io/image", "quay.io", "docker.io"),
    ];
    for (input, prefix, location) in cases {
        let input = input.replace("@A", &format!("@{A64}"));
        let r = ImageReference::parse_named(&input).unwrap();
        match registry(prefix, location).rewrite(&r, location) {
            Err(StorageError::RegistriesConf { reason, .. }) => {
                assert!(reason.contains("cannot rewrite"), "{reason}")
            }
            other => panic!("{input} {prefix} {location}: {other:?}"),
        }
    }
}

/// containers/image's testdata/pull-sources-from-reference.conf.
const PULL_SOURCES_CONF: &str = include_str!("testdata/pull-sources-from-reference.conf");

#[test]
fn pull_sources_follow_mirror_restrictions() {
    let config = config(PULL_SOURCES_CONF);
    // (prefix, places for a digest pull, places for a tag pull); insecure places end in '!'.
    let cases: &[(&str, &[&str], &[&str])] = &[
        (
            "registry-a.com/foo",
            &[
                "mirror-1.registry-a.com",
                "mirror-2.registry-a.com!",
                "registry-a.com/bar",
            ],
            &[
                "mirror-1.registry-a.com",
                "mirror-2.registry-a.com!",
                "registry-a.com/bar",
            ],
        ),
        (
            "registry-b.com/foo",
            &[
                "mirror-1.registry-b.com",
                "mirror-2.registry-b.com",
                "registry-b.com/bar",
            ],
            &["registry-b.com/bar"],
        ),
        (
            "registry-b.com/baz",
            &[
                "mirror-1.registry-b.com",
                "mirror-2.registry-b.com",
                "registry-b.com/bar",
            ],
            &["registry-b.com/bar"],
        ),
        (
            "registry-c.com/baz",
            &[
                "mirror-1.registry-c.com",
                "mirror-2.registry-c.com",
                "registry-c.com/bar",
            ],
            &["mirror-1.registry-c.com", "registry-c.com/bar"],
        ),
        (
            "registry-d.com/baz",
            &[
                "mirror-1.registry-d.com",
                "mirror-2.registry-d.com",
                "registry-d.com/bar",
            ],
            &["registry-d.com/bar"],
        ),
        (
            "registry-f.com/baz",
            &["mirror-1.registry-f.com", "registry-f.com/bar"],
            &[
                "mirror-1.registry-f.com",
                "mirror-2.registry-f.com",
                "registry-f.com/bar",
            ],
        ),
        (
            "registry-e.com/baz",
            &["registry-e.com/bar"],
            &[
                "mirror-1.registry-e.com",
                "mirror-2.registry-e.com",
                "registry-e.com/bar",
            ],
        ),
        (
            "registry-g.com/baz",
            &[
                "mirror-1.registry-g.com",
                "mirror-3.registry-g.com",
                "mirror-4.registry-g.com",
                "registry-g.com/bar",
            ],
            &[
                "mirror-2.registry-g.com",
                "mirror-3.registry-g.com",
                "mirror-4.registry-g.com",
                "registry-g.com/bar",
            ],
        ),
    ];
    let expect = |places: &[&str], suffix: &str| -> Vec<(String, bool)> {
        places
            .iter()
            .map(|p| match p.strip_suffix('!') {
                Some(p) => (format!("{p}/image{suffix}"), true),
                None => (format!("{p}/image{suffix}"), false),
            })
            .collect()
    };
    for (prefix, by_digest, by_tag) in cases {
        let digested = format!("{prefix}/image@{A64}");
        assert_eq!(
            sources(&config, &digested),
            expect(by_digest, &format!("@{A64}")),
            "{digested}"
        );
        let tagged = format!("{prefix}/image:aaa");
        assert_eq!(
            sources(&config, &tagged),
            expect(by_tag, ":aaa"),
            "{tagged}"
        );
    }
}

#[test]
fn the_man_page_example_pulls_from_mirrors_first() {
    let config = config(
        r#"
        [[registry]]
        prefix = "example.com/foo"
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
        "#,
    );
    assert_eq!(
        sources(&config, "example.com/foo/image:latest"),
        [
            (
                "example-mirror-0.local/mirror-for-foo/image:latest".into(),
                false
            ),
            (
                "example-mirror-1.local/mirrors/foo/image:latest".into(),
                true
            ),
            (
                "internal-registry-for-example.com/bar/image:latest".into(),
                false
            ),
        ]
    );
    // Mirrors belong to their own entry only.
    assert_eq!(
        sources(&config, "registry.com/image:latest"),
        [
            ("mirror.registry.com/image:latest".into(), false),
            ("registry.com/image:latest".into(), false)
        ]
    );
    // No entry: the reference itself, over TLS.
    assert_eq!(
        sources(&config, "quay.io/x"),
        [("quay.io/x:latest".into(), false)]
    );
}

#[test]
fn docker_hub_prefixes_need_library() {
    let config = config(
        r#"
        [[registry]]
        prefix = "docker.io/library"
        location = "hub-mirror.example.com/library"
        "#,
    );
    assert_eq!(
        sources(&config, "busybox"),
        [(
            "hub-mirror.example.com/library/busybox:latest".into(),
            false
        )]
    );
    assert_eq!(
        sources(&config, "user/app"),
        [("docker.io/user/app:latest".into(), false)]
    );
}

#[test]
fn blocked_registries() {
    let config = config(
        r#"
        [[registry]]
        location = "blocked.com"
        blocked = true

        [[registry]]
        location = "mirrored.com"
        blocked = true
        [[registry.mirror]]
        location = "blocked.com/mirror"
        [[registry.mirror]]
        location = "open-mirror.com"

        [[registry]]
        prefix = "moved.com"
        location = "new-home.com"
        blocked = true
        "#,
    );
    match config.pull_sources(&reference("blocked.com/x:1")) {
        Err(StorageError::RegistryBlocked { prefix, origin }) => {
            assert_eq!(prefix, "blocked.com");
            assert_eq!(origin, Path::new("/etc/containers/registries.conf"));
        }
        other => panic!("{other:?}"),
    }
    // Only the places outside blocked registries remain.
    assert_eq!(
        sources(&config, "mirrored.com/x:1"),
        [("open-mirror.com/x:1".into(), false)]
    );
    // containers/image checks where it really pulls from: a rewritten location is not blocked.
    assert_eq!(
        sources(&config, "moved.com/x:1"),
        [("new-home.com/x:1".into(), false)]
    );
    let message = config
        .pull_sources(&reference("blocked.com/y"))
        .unwrap_err()
        .to_string();
    assert_eq!(
        message,
        "registry blocked.com is blocked in /etc/containers/registries.conf"
    );
}

#[test]
fn a_wildcard_entry_without_location_keeps_the_name() {
    let config = config(
        "[[registry]]\nprefix = \"*.lan\"\ninsecure = true\n[[registry.mirror]]\nlocation = \"cache.example.com/lan\"",
    );
    assert_eq!(
        sources(&config, "box.lan/x:1"),
        [
            ("cache.example.com/lan/x:1".into(), false),
            ("box.lan/x:1".into(), true)
        ]
    );
}
