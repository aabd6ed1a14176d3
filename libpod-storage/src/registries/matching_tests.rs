//! Prefix matching: containers/image's TestRefMatchingPrefix, TestRefMatchingSubdomainPrefix
//! and TestFindRegistry.

use super::*;
use std::path::Path;

const A64: &str = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const B64: &str = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

fn config(text: &str) -> RegistriesConfig {
    RegistriesConfig::from_toml_str(Path::new("/etc/containers/registries.conf"), text).unwrap()
}

#[test]
fn prefix_matching() {
    let with_a = |s: &str| s.replace("@A", &format!("@{A64}"));
    let cases: &[(&str, &str, Option<usize>)] = &[
        ("docker.io", "docker.io", Some(9)),
        ("docker.io", "example.com", None),
        ("example.com:5000", "example.com:5000", Some(16)),
        ("example.com:50000", "example.com:5000", None),
        ("example.com:5000", "example.com", Some(11)),
        ("example.com/foo", "example.com", Some(11)),
        ("example.com/foo/bar:baz", "example.com", Some(11)),
        ("example.com/foo/bar@A", "example.com", Some(11)),
        ("docker.io", "docker.io/library", None),
        ("docker.io/library", "docker.io/library", Some(17)),
        ("example.com/library", "docker.io/library", None),
        ("docker.io/libraryy", "docker.io/library", None),
        ("docker.io/library/busybox", "docker.io/library", Some(17)),
        (
            "docker.io/library/busybox2",
            "docker.io/library/busybox",
            None,
        ),
        ("example.com", "example.com/foo:bar", None),
        ("example.com/foo", "example.com/foo:bar", None),
        ("example.com/foo:bar", "example.com/foo:bar", Some(19)),
        ("example.com/foo:bar2", "example.com/foo:bar", None),
        ("example.com/foo", "example.com/foo@A", None),
        ("example.com/foo@A", "example.com/foo@A", Some(87)),
        ("example.com/foo@B", "example.com/foo@A", None),
        ("example.com/foo", "*", None),
        // Wildcards.
        ("docker.io", "*.io", Some(9)),
        ("docker.io/foo", "*.com", None),
        ("example.com/foo", "*.co", None),
        ("example.com/foo", "*.example.com", None),
        ("example.com/foo:bar", "*.com", Some(11)),
        ("yet.another.example.com/foo", "**.example.com", None),
        (
            "yet.another.example.com/foo/bar",
            "*.another.example.com",
            Some(23),
        ),
        (
            "another.example.com/namespace.com/foo/bar/bbq:baz",
            "*.example.com",
            Some(19),
        ),
        (
            "example.net/namespace-ends-in.com/foo/bar/bbq:baz",
            "*.com",
            None,
        ),
        (
            "another.example.com/namespace.com/foo/bar/bbq:baz",
            "*.namespace.com",
            None,
        ),
        (
            "another.sub.example.com/foo/bar/bbq:baz",
            "*.sub.example.com",
            Some(23),
        ),
        (
            "yet.another.example.com/foo/bar@A",
            "*.example.com",
            Some(23),
        ),
    ];
    for (r, prefix, expected) in cases {
        let (r, prefix) = (with_a(r).replace("@B", &format!("@{B64}")), with_a(prefix));
        assert_eq!(
            ref_matching_prefix(&r, &prefix),
            *expected,
            "{r} vs {prefix}"
        );
    }
}

#[test]
fn insecure_hosts() {
    let config = config(
        r#"
        [[registry]]
        location = "localhost:5000"
        insecure = true
        [[registry]]
        prefix = "*.lan"
        insecure = true
        [[registry]]
        location = "secure.com"
        [[registry]]
        location = "plain.com/ns"
        insecure = true
        "#,
    );
    assert!(config.is_insecure("localhost:5000"));
    assert!(config.is_insecure("nas.home.lan"));
    assert!(!config.is_insecure("localhost:5001"));
    assert!(!config.is_insecure("secure.com"));
    assert!(!config.is_insecure("plain.com"));
    assert_eq!(config.find_registry("box.lan/x").unwrap().prefix, "*.lan");
}

/// testdata/find-registry.conf (TestFindRegistry without the drop-ins).
#[test]
fn finds_the_longest_prefix() {
    let config = config(
        r#"
        [[registry]]
        location = "registry.com:5000"
        prefix = "simple-prefix.com"
        [[registry]]
        location = "another-registry.com:5000"
        prefix = "complex-prefix.com:4000/with/path"
        [[registry]]
        location = "registry.com:5000"
        prefix = "another-registry.com"
        [[registry]]
        location = "no-prefix.com"
        [[registry]]
        location = "empty-prefix.com"
        prefix = ""
        [[registry]]
        location = "subdomain-prefix.com"
        prefix = "*.so.simple-prefix.com"
        [[registry]]
        location = "subdomain-prefix-2.com"
        prefix = "*.simple-prefix.com"
        [[registry]]
        location = "subdomain-prefix-4.com"
        prefix = "*.bar.docker.io"
        [[registry]]
        location = "subdomain-prefix-2.com"
        prefix = "*.docker.io"
        [[registry]]
        location = "subdomain-prefix-5.com"
        prefix = "foo.bar.example.com:5000"
        [[registry]]
        location = "subdomain-prefix-3.com"
        prefix = "*.bar.example.com"
        "#,
    );
    let location = |name: &str| config.find_registry(name).map(|r| r.location.as_str());
    assert_eq!(
        location("simple-prefix.com/foo/bar:latest"),
        Some("registry.com:5000")
    );
    assert_eq!(location("simple-prefix.com/"), Some("registry.com:5000"));
    assert_eq!(location("simple-prefix.com"), Some("registry.com:5000"));
    assert_eq!(
        location("not.so.simple-prefix.com/"),
        Some("subdomain-prefix.com")
    );
    assert_eq!(
        location("not.quite.simple-prefix.com/"),
        Some("subdomain-prefix-2.com")
    );
    assert_eq!(
        location("foo.bar.docker.io:5000/omg/wtf/bbq:foo"),
        Some("subdomain-prefix-4.com")
    );
    assert_eq!(
        location("foo.docker.io:5000/omg/wtf/bbq:foo"),
        Some("subdomain-prefix-2.com")
    );
    assert_eq!(
        location("foo.bar.example.com:5000/omg/wtf/bbq:foo"),
        Some("subdomain-prefix-5.com")
    );
    assert_eq!(
        location("foo.bar.example.com:6000/omg"),
        Some("subdomain-prefix-3.com")
    );
    assert_eq!(location("simple-prefix.comx"), None);
    assert_eq!(
        location("complex-prefix.com:4000/with/path/and/beyond:tag"),
        Some("another-registry.com:5000")
    );
    assert_eq!(location("no-prefix.com/foo:tag"), Some("no-prefix.com"));
    assert_eq!(
        location("empty-prefix.com/foo:tag"),
        Some("empty-prefix.com")
    );
}
