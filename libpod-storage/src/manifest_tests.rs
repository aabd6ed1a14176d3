use super::*;
use oci_spec::image::MediaType;
use serde_json::json;

const D1: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
const D2: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

fn bytes(value: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&value).unwrap()
}

fn oci_manifest(layer_type: &str) -> serde_json::Value {
    json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": D1, "size": 10},
        "layers": [{"mediaType": layer_type, "digest": D2, "size": 20}],
    })
}

fn docker_manifest() -> serde_json::Value {
    json!({
        "schemaVersion": 2,
        "mediaType": DOCKER_MANIFEST,
        "config": {"mediaType": DOCKER_CONFIG, "digest": D1, "size": 10},
        "layers": [{"mediaType": DOCKER_LAYER_GZIP, "digest": D2, "size": 20}],
    })
}

fn oci_index() -> serde_json::Value {
    json!({
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [
            {"mediaType": OCI_MANIFEST, "digest": D1, "size": 1,
             "platform": {"os": "linux", "architecture": "amd64"}},
            {"mediaType": OCI_MANIFEST, "digest": D2, "size": 2,
             "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}},
        ],
    })
}

fn expect_unsupported(result: Result<Manifest>, needle: &str) {
    match result {
        Err(StorageError::Unsupported { reason, .. }) => {
            assert!(reason.contains(needle), "{reason:?} lacks {needle:?}")
        }
        other => panic!("expected Unsupported containing {needle:?}, got {other:?}"),
    }
}

fn expect_invalid(result: Result<Manifest>, needle: &str) {
    match result {
        Err(err @ StorageError::InvalidValue { .. }) => {
            let text = err.to_string();
            assert!(text.contains(needle), "{text:?} lacks {needle:?}")
        }
        other => panic!("expected InvalidValue containing {needle:?}, got {other:?}"),
    }
}

#[test]
fn oci_manifest_gives_config_and_layers() {
    let parsed = parse_manifest(&bytes(oci_manifest(OCI_LAYER_GZIP)), Some(OCI_MANIFEST)).unwrap();
    let Manifest::Image { config, layers } = parsed else {
        panic!("not an image")
    };
    assert_eq!(config.digest().to_string(), D1);
    assert_eq!(config.size(), 10);
    assert_eq!(layers.len(), 1);
    assert_eq!(layers[0].media_type(), &MediaType::ImageLayerGzip);
}

#[test]
fn every_supported_layer_type_is_accepted() {
    for layer_type in [
        OCI_LAYER_TAR,
        OCI_LAYER_GZIP,
        OCI_LAYER_ZSTD,
        DOCKER_LAYER_TAR,
        DOCKER_LAYER_GZIP,
        DOCKER_LAYER_ZSTD,
    ] {
        parse_manifest(&bytes(oci_manifest(layer_type)), None)
            .unwrap_or_else(|err| panic!("{layer_type}: {err}"));
    }
}

#[test]
fn docker_schema2_keeps_its_media_types() {
    let Manifest::Image { config, layers } =
        parse_manifest(&bytes(docker_manifest()), Some(DOCKER_MANIFEST)).unwrap()
    else {
        panic!("not an image")
    };
    assert_eq!(config.media_type().to_string(), DOCKER_CONFIG);
    assert_eq!(layers[0].media_type().to_string(), DOCKER_LAYER_GZIP);
}

#[test]
fn docker_list_becomes_an_index() {
    let list = json!({
        "schemaVersion": 2,
        "mediaType": DOCKER_LIST,
        "manifests": [{"mediaType": DOCKER_MANIFEST, "digest": D1, "size": 5,
                       "platform": {"os": "linux", "architecture": "amd64"}}],
    });
    let Manifest::Index { manifests } = parse_manifest(&bytes(list), None).unwrap() else {
        panic!("not an index")
    };
    assert_eq!(manifests.len(), 1);
    assert_eq!(manifests[0].media_type().to_string(), DOCKER_MANIFEST);
}

#[test]
fn oversized_document_is_refused_before_parsing() {
    let mut doc = bytes(oci_manifest(OCI_LAYER_TAR));
    doc.resize(MAX_MANIFEST_SIZE + 1, b' ');
    expect_invalid(parse_manifest(&doc, Some(OCI_MANIFEST)), "limit");
    // Exactly at the limit is still read.
    doc.truncate(MAX_MANIFEST_SIZE);
    parse_manifest(&doc, Some(OCI_MANIFEST)).unwrap();
}

#[test]
fn schema1_is_refused_by_transport_type_document_type_or_version() {
    let plain = bytes(json!({"schemaVersion": 1, "name": "x", "fsLayers": []}));
    expect_unsupported(parse_manifest(&plain, None), "schema 1");
    expect_unsupported(
        parse_manifest(&plain, Some(DOCKER_SCHEMA1_SIGNED)),
        "schema 1",
    );
    let signed = bytes(json!({"schemaVersion": 1, "signatures": [{}]}));
    expect_unsupported(parse_manifest(&signed, None), "schema 1");
    let declared = bytes(json!({"mediaType": DOCKER_SCHEMA1}));
    expect_unsupported(parse_manifest(&declared, None), "schema 1");
    // The transport's type wins even over a schema 2 looking body.
    let body = bytes(oci_manifest(OCI_LAYER_TAR));
    expect_unsupported(parse_manifest(&body, Some(DOCKER_SCHEMA1)), "schema 1");
}

#[test]
fn shape_decides_without_media_types() {
    let mut manifest = oci_manifest(OCI_LAYER_TAR);
    manifest.as_object_mut().unwrap().remove("mediaType");
    assert!(matches!(
        parse_manifest(&bytes(manifest), None).unwrap(),
        Manifest::Image { .. }
    ));
    let mut docker = docker_manifest();
    docker.as_object_mut().unwrap().remove("mediaType");
    assert!(matches!(
        parse_manifest(&bytes(docker), None).unwrap(),
        Manifest::Image { .. }
    ));
    let mut index = oci_index();
    index.as_object_mut().unwrap().remove("mediaType");
    assert!(matches!(
        parse_manifest(&bytes(index), None).unwrap(),
        Manifest::Index { .. }
    ));
    let empty_index = bytes(json!({"schemaVersion": 2, "manifests": []}));
    assert_eq!(
        parse_manifest(&empty_index, None).unwrap(),
        Manifest::Index { manifests: vec![] }
    );
}

#[test]
fn transport_type_decides_over_document() {
    // A document declaring no type read as an index because the transport says so.
    let doc = bytes(json!({"schemaVersion": 2, "manifests": []}));
    assert!(matches!(
        parse_manifest(&doc, Some(OCI_INDEX)).unwrap(),
        Manifest::Index { .. }
    ));
    // ... and refused when the transport says it is a manifest.
    expect_invalid(parse_manifest(&doc, Some(OCI_MANIFEST)), "manifest");
    // Parameters on the transport's type are ignored; an unknown type defers to the document.
    let body = bytes(oci_manifest(OCI_LAYER_TAR));
    parse_manifest(
        &body,
        Some("application/vnd.oci.image.manifest.v1+json; charset=utf-8"),
    )
    .unwrap();
    parse_manifest(&body, Some("text/plain")).unwrap();
}

#[test]
fn declared_type_must_match_the_transport_type() {
    let body = bytes(docker_manifest());
    expect_invalid(
        parse_manifest(&body, Some(OCI_MANIFEST)),
        "declares media type",
    );
    let mut odd = oci_manifest(OCI_LAYER_TAR);
    odd["mediaType"] = json!("application/x-odd");
    expect_invalid(parse_manifest(&bytes(odd), Some(OCI_MANIFEST)), "x-odd");
}

#[test]
fn ambiguous_documents_are_refused() {
    let mut both = oci_manifest(OCI_LAYER_TAR);
    both["manifests"] = json!([]);
    expect_invalid(
        parse_manifest(&bytes(both), None),
        "must not have manifests",
    );
    let mut index = oci_index();
    index["layers"] = json!([]);
    expect_invalid(
        parse_manifest(&bytes(index), None),
        "must not have config or layers",
    );
}

#[test]
fn schema_version_must_be_two() {
    let mut doc = oci_manifest(OCI_LAYER_TAR);
    doc["schemaVersion"] = json!(3);
    expect_invalid(
        parse_manifest(&bytes(doc.clone()), None),
        "schemaVersion must be 2",
    );
    doc.as_object_mut().unwrap().remove("schemaVersion");
    expect_invalid(parse_manifest(&bytes(doc), None), "schemaVersion must be 2");
    let unknown = bytes(json!({"schemaVersion": 7, "config": {}}));
    expect_unsupported(parse_manifest(&unknown, None), "unrecognised");
}

#[test]
fn non_sha256_digests_are_refused_everywhere() {
    let sha512 = format!("sha512:{}", "a".repeat(128));
    let mut layer = oci_manifest(OCI_LAYER_TAR);
    layer["layers"][0]["digest"] = json!(sha512);
    expect_invalid(parse_manifest(&bytes(layer), None), "layer 0");
    let mut config = oci_manifest(OCI_LAYER_TAR);
    config["config"]["digest"] = json!(sha512);
    expect_invalid(parse_manifest(&bytes(config), None), "config");
    let mut index = oci_index();
    index["manifests"][1]["digest"] = json!(sha512);
    expect_invalid(parse_manifest(&bytes(index), None), "manifest 1");
    let mut traversal = oci_manifest(OCI_LAYER_TAR);
    traversal["layers"][0]["digest"] = json!("sha256:../../etc/passwd");
    expect_invalid(parse_manifest(&bytes(traversal), None), "malformed");
}

#[test]
fn negative_or_fractional_sizes_are_refused() {
    for size in [json!(-1), json!(1.5), json!("10")] {
        let mut doc = oci_manifest(OCI_LAYER_TAR);
        doc["layers"][0]["size"] = size.clone();
        expect_invalid(parse_manifest(&bytes(doc), None), "malformed");
    }
}

#[test]
fn foreign_and_nondistributable_layers_are_unsupported() {
    for layer_type in [
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
        "application/vnd.oci.image.layer.v1.tar+bzip2",
    ] {
        expect_unsupported(
            parse_manifest(&bytes(oci_manifest(layer_type)), None),
            layer_type,
        );
    }
}

#[test]
fn artifact_configs_are_unsupported() {
    let mut doc = oci_manifest(OCI_LAYER_TAR);
    doc["config"]["mediaType"] = json!("application/vnd.cncf.helm.config.v1+json");
    expect_unsupported(parse_manifest(&bytes(doc), None), "helm");
}

#[test]
fn garbage_never_panics() {
    let deep = "[".repeat(100_000);
    let inputs: Vec<&[u8]> = vec![
        b"",
        b"null",
        b"[]",
        b"\"x\"",
        b"{",
        b"\xff\xfe",
        deep.as_bytes(),
        br#"{"schemaVersion":2,"config":5}"#,
        br#"{"schemaVersion":2,"layers":[{"mediaType":1}]}"#,
        br#"{"schemaVersion":2e400}"#,
    ];
    for input in inputs {
        for media_type in [None, Some(OCI_MANIFEST), Some(OCI_INDEX), Some(DOCKER_LIST)] {
            assert!(parse_manifest(input, media_type).is_err());
        }
    }
}
