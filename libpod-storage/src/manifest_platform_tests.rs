use super::*;
use crate::manifest::{Manifest, OCI_INDEX, OCI_MANIFEST, parse_manifest};
use oci_spec::image::{MediaType, PlatformBuilder};
use serde_json::json;

const D1: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
const D2: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
const D3: &str = "sha256:3333333333333333333333333333333333333333333333333333333333333333";

fn entry(digest: &str, os: &str, arch: &str, variant: Option<&str>) -> Descriptor {
    let mut platform = PlatformBuilder::default().os(os).architecture(arch);
    if let Some(variant) = variant {
        platform = platform.variant(variant);
    }
    let mut d = Descriptor::new(
        MediaType::ImageManifest,
        1,
        digest.parse::<oci_spec::image::Digest>().unwrap(),
    );
    d.set_platform(Some(platform.build().unwrap()));
    d
}

fn pick(index: &[Descriptor], wanted: &str) -> Result<String> {
    select_platform(index, &Platform::parse(wanted)?).map(|d| d.digest().to_string())
}

#[test]
fn host_platform_uses_go_names() {
    let host = Platform::host();
    assert_eq!(host.os, "linux");
    match std::env::consts::ARCH {
        "x86_64" => assert_eq!((host.architecture.as_str(), host.variant), ("amd64", None)),
        "aarch64" => assert_eq!(
            (host.architecture.as_str(), host.variant.as_deref()),
            ("arm64", Some("v8"))
        ),
        _ => {}
    }
}

#[test]
fn parse_normalises_and_validates() {
    let p = Platform::parse("linux/arm64/v8").unwrap();
    assert_eq!((p.os.as_str(), p.architecture.as_str()), ("linux", "arm64"));
    assert_eq!(p.variant.as_deref(), Some("v8"));
    assert_eq!(
        Platform::parse("Linux/x86_64").unwrap().to_string(),
        "linux/amd64"
    );
    assert_eq!(
        Platform::parse("linux/aarch64/8").unwrap().to_string(),
        "linux/arm64/v8"
    );
    assert_eq!(
        Platform::parse("linux/armel").unwrap().to_string(),
        "linux/arm/v6"
    );
    assert_eq!(
        Platform::parse("linux/arm/7").unwrap().to_string(),
        "linux/arm/v7"
    );
    assert_eq!(
        Platform::parse("linux/i386").unwrap().to_string(),
        "linux/386"
    );
    for bad in [
        "linux",
        "linux/",
        "/amd64",
        "linux/amd64/v1/x",
        "linux/amd 64",
        "",
    ] {
        assert!(Platform::parse(bad).is_err(), "{bad:?} accepted");
    }
}

#[test]
fn exact_os_and_arch_are_required() {
    let index = [
        entry(D1, "linux", "amd64", None),
        entry(D2, "linux", "arm64", Some("v8")),
        entry(D3, "windows", "arm64", None),
    ];
    assert_eq!(pick(&index, "linux/amd64").unwrap(), D1);
    assert_eq!(pick(&index, "linux/aarch64").unwrap(), D2);
    assert_eq!(pick(&index, "windows/arm64").unwrap(), D3);
    let err = pick(&index, "linux/s390x").unwrap_err().to_string();
    assert!(err.contains("linux/s390x"), "{err}");
    assert!(
        err.contains("linux/amd64, linux/arm64/v8, windows/arm64"),
        "{err}"
    );
}

#[test]
fn missing_variant_matches_the_default_variant() {
    let index = [
        entry(D1, "linux", "arm64", None),
        entry(D2, "linux", "arm", None),
    ];
    assert_eq!(pick(&index, "linux/arm64/v8").unwrap(), D1);
    assert_eq!(pick(&index, "linux/arm/v7").unwrap(), D2);
    assert_eq!(pick(&index, "linux/armhf").unwrap(), D2);
    assert!(pick(&index, "linux/arm64/v9").is_err());
    assert!(pick(&index, "linux/arm/v6").is_err());
}

#[test]
fn wanted_without_variant_takes_the_first_of_any_variant() {
    let index = [
        entry(D1, "linux", "arm", Some("v6")),
        entry(D2, "linux", "arm", Some("v7")),
    ];
    assert_eq!(pick(&index, "linux/arm").unwrap(), D1);
    assert_eq!(pick(&index, "linux/arm/v7").unwrap(), D2);
    assert_eq!(pick(&index, "linux/arm/v6").unwrap(), D1);
}

#[test]
fn newer_amd64_and_arm_variants_fall_back_to_older_ones() {
    let index = [
        entry(D1, "linux", "amd64", None),
        entry(D2, "linux", "amd64", Some("v2")),
        entry(D3, "linux", "amd64", Some("v4")),
    ];
    assert_eq!(pick(&index, "linux/amd64/v3").unwrap(), D2);
    assert_eq!(pick(&index, "linux/amd64/v4").unwrap(), D3);
    assert_eq!(pick(&index, "linux/amd64/v1").unwrap(), D1);
    let arm = [
        entry(D1, "linux", "arm", Some("v5")),
        entry(D2, "linux", "arm", Some("v6")),
    ];
    assert_eq!(pick(&arm, "linux/arm/v7").unwrap(), D2);
    assert_eq!(pick(&arm, "linux/arm/v8").unwrap(), D2);
}

#[test]
fn descriptors_without_platform_are_skipped_and_listed() {
    let bare = Descriptor::new(
        MediaType::ImageManifest,
        1,
        D1.parse::<oci_spec::image::Digest>().unwrap(),
    );
    let index = [bare, entry(D2, "linux", "amd64", None)];
    assert_eq!(pick(&index, "linux/amd64").unwrap(), D2);
    let err = pick(&index, "linux/ppc64le").unwrap_err();
    assert!(matches!(
        err,
        StorageError::Unsupported {
            what: "platform",
            ..
        }
    ));
    assert!(err.to_string().contains("(no platform)"), "{err}");
    let empty = pick(&[], "linux/amd64").unwrap_err().to_string();
    assert!(empty.contains("available: none"), "{empty}");
}

#[test]
fn parsed_index_entries_select() {
    let index = json!({
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [
            {"mediaType": OCI_MANIFEST, "digest": D1, "size": 1,
             "platform": {"os": "linux", "architecture": "amd64"}},
            {"mediaType": OCI_MANIFEST, "digest": D2, "size": 2,
             "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}},
        ],
    });
    let parsed = parse_manifest(&serde_json::to_vec(&index).unwrap(), None).unwrap();
    let Manifest::Index { manifests } = parsed else {
        panic!("not an index")
    };
    assert_eq!(pick(&manifests, "linux/arm64").unwrap(), D2);
    assert_eq!(pick(&manifests, "linux/amd64").unwrap(), D1);
}
