//! containers/image's testdata/invalid-aliases.conf and the rules of the man page: both sides
//! without tag or digest, the name short, the value qualified; every bad entry reported.

use super::*;

fn table(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
    entries
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn error(entries: &[(&str, &str)]) -> String {
    match parse(
        Path::new("/etc/containers/registries.conf"),
        &table(entries),
    ) {
        Err(reason) => reason,
        Ok(aliases) => panic!("{entries:?} accepted: {aliases:?}"),
    }
}

#[test]
fn every_bad_entry_is_reported() {
    let why = error(&[("image1", "quay.io/repo/image:1"), ("image2", "image:1")]);
    assert!(
        why.contains("invalid alias \"quay.io/repo/image:1\": must not contain tag"),
        "{why}"
    );
    assert!(
        why.contains("invalid alias \"image:1\": must not contain tag"),
        "{why}"
    );
}

#[test]
fn names_must_be_short_without_tag_or_digest() {
    let digested = format!("image@sha256:{}", "a".repeat(64));
    let cases = [
        (
            "quay.io/image",
            "invalid short name \"quay.io/image\": must not contain registry",
        ),
        ("localhost/image", "must not contain registry"),
        (
            "image:tag",
            "invalid short name \"image:tag\": must not contain tag",
        ),
        (digested.as_str(), "must not contain digest"),
        (
            "Image",
            "cannot parse short name \"Image\": repository name must be lowercase",
        ),
    ];
    for (name, expected) in cases {
        let why = error(&[(name, "quay.io/x/image")]);
        assert!(why.contains(expected), "{name}: {why}");
    }
}

#[test]
fn values_must_be_qualified_without_tag_or_digest() {
    let digested = format!("quay.io/x/image@sha256:{}", "a".repeat(64));
    let cases = [
        (
            "library/image",
            "invalid alias \"library/image\": must contain registry and repository",
        ),
        ("image", "must contain registry and repository"),
        (digested.as_str(), "must not contain digest"),
        (
            "quay.io/X",
            "parsing alias \"quay.io/X\": repository name must be lowercase",
        ),
    ];
    for (value, expected) in cases {
        let why = error(&[("image", value)]);
        assert!(why.contains(expected), "{value}: {why}");
    }
}

#[test]
fn values_are_normalised_and_empty_ones_erase() {
    let origin = Path::new("/etc/containers/registries.conf.d/aliases.conf");
    let aliases = parse(
        origin,
        &table(&[("alpine", "docker.io/alpine"), ("gone", "")]),
    )
    .unwrap();
    let alpine = &aliases["alpine"];
    assert_eq!(
        alpine.value.as_ref().unwrap().to_string(),
        "docker.io/library/alpine"
    );
    assert_eq!(alpine.origin, origin);
    assert_eq!(aliases["gone"].value, None);
}

#[test]
fn recorded_aliases_file() {
    let origin = Path::new("/var/cache/containers/short-name-aliases.conf");
    let aliases = parse_recorded(
        origin,
        "[aliases]\nfedora = \"registry.fedoraproject.org/fedora\"\n",
    )
    .unwrap();
    assert_eq!(
        aliases["fedora"].value.as_ref().unwrap().name(),
        "registry.fedoraproject.org/fedora"
    );
    for bad in ["[aliases", "[aliases]\nfedora = \"fedora\""] {
        match parse_recorded(origin, bad) {
            Err(StorageError::RegistriesConf { path, reason }) => {
                assert_eq!(path, origin);
                assert!(
                    reason.starts_with("loading short-name aliases: "),
                    "{reason}"
                );
            }
            other => panic!("{bad}: {other:?}"),
        }
    }
}
