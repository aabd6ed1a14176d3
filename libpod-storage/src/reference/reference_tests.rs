use super::*;

const FS: &str = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
const DBCC: &str = "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c";

fn parts(r: &ImageReference) -> (String, String, Option<String>, Option<String>) {
    (
        r.registry().to_owned(),
        r.repository().to_owned(),
        r.tag().map(str::to_owned),
        r.digest().map(Digest::to_string),
    )
}

fn reason_of(input: &str) -> String {
    match ImageReference::parse(input) {
        Err(StorageError::InvalidReference { reference, reason }) => {
            assert_eq!(reference, input);
            reason
        }
        other => panic!("{input:?}: expected an invalid reference, got {other:?}"),
    }
}

/// Podman's documentation examples and distribution's normalize_test.go
/// (TestNormalizedSplitHostname, TestParseRepositoryInfo, TestParseAnyReference): input and the
/// full normalised string.
#[test]
fn normalises_like_podman() {
    let cases = [
        ("busybox", "docker.io/library/busybox:latest"),
        ("busybox:1.36", "docker.io/library/busybox:1.36"),
        ("docker.io/busybox", "docker.io/library/busybox:latest"),
        ("library/busybox", "docker.io/library/busybox:latest"),
        (
            "index.docker.io/library/busybox",
            "docker.io/library/busybox:latest",
        ),
        (
            "index.docker.io/busybox",
            "docker.io/library/busybox:latest",
        ),
        ("quay.io/podman/stable", "quay.io/podman/stable:latest"),
        ("localhost/foo", "localhost/foo:latest"),
        ("localhost:5000/foo:bar", "localhost:5000/foo:bar"),
        ("[::1]:5000/x", "[::1]:5000/x:latest"),
        ("[::1]/x", "[::1]/x:latest"),
        ("test.com/foo", "test.com/foo:latest"),
        ("test_com/foo", "docker.io/test_com/foo:latest"),
        ("docker/migrator", "docker.io/docker/migrator:latest"),
        ("test.com:8080/foo", "test.com:8080/foo:latest"),
        ("test-com:8080/foo", "test-com:8080/foo:latest"),
        ("xn--n3h.com:18080/foo", "xn--n3h.com:18080/foo:latest"),
        (
            "docker.io/library/foo/bar",
            "docker.io/library/foo/bar:latest",
        ),
        ("fooo/bar", "docker.io/fooo/bar:latest"),
        ("other/library", "docker.io/other/library:latest"),
        (
            "127.0.0.1:8000/private/moonbase",
            "127.0.0.1:8000/private/moonbase:latest",
        ),
        ("example.com/privatebase", "example.com/privatebase:latest"),
        (
            "ubuntu-12.04-base",
            "docker.io/library/ubuntu-12.04-base:latest",
        ),
        ("store/foo/bar", "docker.io/store/foo/bar:latest"),
        // A registry may have upper-case letters; a repository may not.
        ("Foo.com/bar", "Foo.com/bar:latest"),
        ("redis:latest", "docker.io/library/redis:latest"),
        ("dmcgowan/myapp:latest", "docker.io/dmcgowan/myapp:latest"),
        ("dbcc1", "docker.io/library/dbcc1:latest"),
        // 63 hex digits is a name; only 64 is an ID.
        (
            &DBCC[..63],
            "docker.io/library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9:latest",
        ),
        // Without a '/' the first element is never a registry (distribution's FIXME).
        ("localhost", "docker.io/library/localhost:latest"),
        ("localhost:5000", "docker.io/library/localhost:5000"),
        ("docker.io", "docker.io/library/docker.io:latest"),
        ("192.168.0.1:80", "docker.io/library/192.168.0.1:80"),
    ];
    for (input, expected) in cases {
        let parsed = ImageReference::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(parsed.to_string(), expected, "{input}");
    }
}

#[test]
fn keeps_tag_and_digest_together() {
    let input = format!("busybox:latest@sha256:{DBCC}");
    let r = ImageReference::parse(&input).unwrap();
    assert_eq!(r.to_string(), format!("docker.io/library/{input}"));
    assert_eq!(r.familiar(), input);

    let r =
        ImageReference::parse(&format!("registry.example.com:5000/ns/img@sha256:{DBCC}")).unwrap();
    assert_eq!(
        parts(&r),
        (
            "registry.example.com:5000".into(),
            "ns/img".into(),
            None,
            Some(format!("sha256:{DBCC}"))
        )
    );
    // A digest alone gets no default tag.
    assert_eq!(r.tag(), None);
}

#[test]
fn splits_registry_repository_tag() {
    let r = ImageReference::parse("[2001:db8::1]:5000/repo:tag").unwrap();
    assert_eq!(
        parts(&r),
        (
            "[2001:db8::1]:5000".into(),
            "repo".into(),
            Some("tag".into()),
            None
        )
    );
    let r = ImageReference::parse("lowercase:Uppercase").unwrap();
    assert_eq!(r.tag(), Some("Uppercase"));
    assert_eq!(r.name(), "docker.io/library/lowercase");
}

/// distribution's TestValidateReferenceName and TestValidateRemoteName, valid side.
#[test]
fn accepts_what_distribution_accepts() {
    for valid in [
        "docker/docker",
        "library/debian",
        "debian",
        "docker.io/docker/docker",
        "docker.io/library/debian",
        "docker.io/debian",
        "index.docker.io/docker/docker",
        "127.0.0.1:5000/docker/docker",
        "127.0.0.1:5000/debian",
        "192.168.0.1",
        "192.168.0.1:8/debian",
        "192.168.0.2:25000/debian",
        "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
        "[fc00::1]:5000/docker",
        "[fc00:1:2:3:4:5:6:7]:5000/library/debian",
        &format!("docker.io/{DBCC}"),
        "docker-rules/docker",
        "docker---rules/docker",
        "doc/docker",
        "d/docker",
        "jess/t",
        "dock__er/docker",
    ] {
        assert!(ImageReference::parse(valid).is_ok(), "{valid}");
    }
}

/// distribution's TestValidateReferenceName and TestValidateRemoteName, invalid side, and
/// Podman's usual mistakes.
#[test]
fn refuses_what_distribution_refuses() {
    let too_long_namespace = format!("{}a/docker", "a_".repeat(130));
    for invalid in [
        "https://github.com/docker/docker",
        "docker/Docker",
        "-docker",
        "-docker/docker",
        "-docker.io/docker/docker",
        "docker///docker",
        "docker.io/docker/Docker",
        "docker.io/docker///docker",
        "[fc00::1]",
        "[fc00::1]:5000",
        "fc00::1:5000/debian",
        "[fe80::1%eth0]:5000/debian",
        "[2001:db8:3:4::192.0.2.33]:5000/debian",
        DBCC,
        "docker-/docker",
        "-docker-/docker",
        "____/____",
        "_docker/_docker",
        "dock..er/docker",
        "dock_.er/docker",
        "dock-.er/docker",
        "docker/",
        &too_long_namespace,
        "UPPER",
        "a/../b",
        ":tag",
        "",
        "x:",
        "x@",
        "with space",
        " busybox",
        "busybox ",
        "a@b@c",
        // distribution takes these upper-case first elements for registries; containers/image
        // (so Podman) does not, and they are not lower-case.
        "Docker/docker",
        "DOCKER/docker",
        "UPPER/case",
    ] {
        assert!(ImageReference::parse(invalid).is_err(), "{invalid:?}");
    }
}

#[test]
fn explains_each_refusal() {
    assert_eq!(reason_of("UPPER"), "repository name must be lowercase");
    assert_eq!(reason_of("Foo/bar"), "repository name must be lowercase");
    assert_eq!(
        reason_of("docker.io/docker/Docker"),
        "repository name must be lowercase"
    );
    assert_eq!(
        reason_of(""),
        "repository name must have at least one component"
    );
    assert_eq!(reason_of(":tag"), "invalid reference format");
    assert!(reason_of(DBCC).contains("image ID"));
    assert!(reason_of(&format!("x@sha512:{FS}{FS}")).contains("only sha256 digests are supported"));
    assert!(reason_of(&format!("x@sha256:{}", &FS[..34])).contains("64 lower-case hex digits"));
    assert!(reason_of(&format!("x@sha256:{}", FS.to_uppercase())).contains("lower-case"));
    assert_eq!(reason_of("x@sha256:short"), "invalid reference format");
    assert!(reason_of("foo_bar.com/x").contains("not a valid host name"));
}

/// The name limit counts the normalised name, registry included, as containers/image does.
#[test]
fn limits_the_whole_name_to_255_characters() {
    let at_limit = format!("example.com/{}", "a".repeat(255 - "example.com/".len()));
    assert_eq!(ImageReference::parse(&at_limit).unwrap().name().len(), 255);
    assert!(reason_of(&format!("{at_limit}a")).contains("not be more than 255"));
    // 245 characters of path become 255 with "docker.io/": still fine; one more is not.
    let path = format!("{}a", "a/".repeat(122));
    assert_eq!(ImageReference::parse(&path).unwrap().name().len(), 255);
    assert!(ImageReference::parse(&format!("a{path}")).is_err());
}

#[test]
fn short_names_as_containers_image_decides() {
    for short in [
        "busybox",
        "library/busybox",
        "app:v1",
        "foo/bar/baz",
        "Foo/bar",
        "test_com/x",
    ] {
        assert!(ImageReference::is_short_name(short), "{short}");
    }
    let digested = format!("busybox@sha256:{DBCC}");
    assert!(ImageReference::is_short_name(&digested));
    for long in [
        "localhost/x",
        "quay.io/x",
        "localhost:5000/x",
        "[::1]:5000/x",
        "UPPER",
        "",
        "a b",
    ] {
        assert!(!ImageReference::is_short_name(long), "{long}");
    }
}

#[test]
fn familiar_forms() {
    let cases = [
        ("docker.io/library/ubuntu", "ubuntu:latest"),
        ("docker.io/library/foo/bar:1", "library/foo/bar:1"),
        ("docker.io/fooo/bar", "fooo/bar:latest"),
        ("quay.io/podman/stable:v4", "quay.io/podman/stable:v4"),
        ("localhost/foo", "localhost/foo:latest"),
        // Dropping docker.io here would make foo.com the registry: keep it.
        ("docker.io/foo.com/bar", "docker.io/foo.com/bar:latest"),
        ("docker.io/localhost/bar", "docker.io/localhost/bar:latest"),
    ];
    for (input, familiar) in cases {
        let r = ImageReference::parse(input).unwrap();
        assert_eq!(r.familiar(), familiar, "{input}");
        assert_eq!(ImageReference::parse(&r.familiar()).unwrap(), r, "{input}");
    }
    let id_like = ImageReference::parse(&format!("docker.io/library/{DBCC}")).unwrap();
    assert_eq!(id_like.familiar_name(), format!("docker.io/library/{DBCC}"));
}

#[test]
fn display_parses_back_to_the_same_reference() {
    for input in [
        "busybox",
        "Foo.com/bar:1",
        "[::1]:5000/x@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "index.docker.io/x/y:tag",
        "a.b/c__d/e---f:T_1.x",
    ] {
        let r = ImageReference::parse(input).unwrap();
        assert_eq!(ImageReference::parse(&r.to_string()).unwrap(), r, "{input}");
        assert_eq!(r.to_string().parse::<ImageReference>().unwrap(), r);
    }
}

#[test]
fn builders_keep_what_they_do_not_replace() {
    let digest: Digest = format!("sha256:{DBCC}").parse().unwrap();
    let r = ImageReference::parse("quay.io/a/b:1")
        .unwrap()
        .with_digest(digest);
    assert_eq!(r.to_string(), format!("quay.io/a/b:1@sha256:{DBCC}"));
    let r = r.with_tag("2").unwrap();
    assert_eq!(r.to_string(), format!("quay.io/a/b:2@sha256:{DBCC}"));
    assert!(r.with_tag(&"t".repeat(129)).is_err());
    assert!(r.with_tag("").is_err());
    let bare = r.without_tag_or_digest();
    assert_eq!(bare.to_string(), "quay.io/a/b");
    assert_eq!(ImageReference::parse_named("quay.io/a/b").unwrap(), bare);
}

#[test]
fn serde_uses_the_string_form() {
    let r = ImageReference::parse("busybox").unwrap();
    let json = serde_json::to_string(&r).unwrap();
    assert_eq!(json, "\"docker.io/library/busybox:latest\"");
    assert_eq!(serde_json::from_str::<ImageReference>(&json).unwrap(), r);
    let bare = r.without_tag_or_digest();
    let json = serde_json::to_string(&bare).unwrap();
    assert_eq!(serde_json::from_str::<ImageReference>(&json).unwrap(), bare);
    assert!(serde_json::from_str::<ImageReference>("\"UPPER\"").is_err());
}
