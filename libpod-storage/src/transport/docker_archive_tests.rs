//! Docker archives: Podman's layout (with its symbolic links) read, and hostile ones refused.

use super::test_support::layer_tar;
use super::{DockerArchive, ImageSource, is_docker_archive};
use crate::Digest;
use crate::StorageError;
use crate::manifest::{OCI_CONFIG, OCI_LAYER_TAR};
use serde_json::json;
use std::io::Read;
use std::path::Path;

/// One tar entry: a file with content, or a symbolic link to a target.
enum Entry<'a> {
    File(&'a str, Vec<u8>),
    Link(&'a str, &'a str),
}

fn write_tar(path: &Path, entries: &[Entry]) {
    let mut builder = tar::Builder::new(Vec::new());
    for entry in entries {
        let mut header = tar::Header::new_gnu();
        header.set_mode(0o644);
        match entry {
            Entry::File(name, bytes) => {
                header.set_size(bytes.len() as u64);
                header.set_cksum();
                builder.append_data(&mut header, name, &bytes[..]).unwrap();
            }
            Entry::Link(name, target) => {
                header.set_entry_type(tar::EntryType::Symlink);
                header.set_size(0);
                builder.append_link(&mut header, name, target).unwrap();
            }
        }
    }
    std::fs::write(path, builder.into_inner().unwrap()).unwrap();
}

/// A config and a layer as Podman's `save` names them, with the legacy symlinked copy.
fn podman_like(layers_named: &str) -> (Vec<Entry<'static>>, Vec<u8>, Vec<u8>) {
    let layer = layer_tar("hello\n");
    let diff_id = Digest::of(&layer);
    let config = serde_json::to_vec(&json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [diff_id.to_string()]},
    }))
    .unwrap();
    let config_name: &'static str = Box::leak(format!("{}.json", Digest::of(&config).hex()).into());
    let layer_name: &'static str = Box::leak(format!("{}.tar", diff_id.hex()).into());
    let link_target: &'static str = Box::leak(format!("../{layer_name}").into());
    let list = serde_json::to_vec(&json!([{
        "Config": config_name,
        "RepoTags": ["localhost/tiny:latest", "quay.io/x/tiny:v1"],
        "Layers": [if layers_named == "link" { "abc/layer.tar" } else { layer_name }],
    }]))
    .unwrap();
    let entries = vec![
        Entry::File(layer_name, layer.clone()),
        Entry::File(config_name, config.clone()),
        Entry::Link("abc/layer.tar", link_target),
        Entry::File("manifest.json", list),
    ];
    (entries, config, layer)
}

#[test]
fn podmans_layout_reads_through_its_links_and_cleans_up() {
    let tmp = tempfile::tempdir().unwrap();
    let unpack = tmp.path().join("unpack");
    std::fs::create_dir(&unpack).unwrap();
    for named in ["file", "link"] {
        let (entries, config, layer) = podman_like(named);
        let file = tmp.path().join(format!("{named}.tar"));
        write_tar(&file, &entries);
        assert!(is_docker_archive(&file).unwrap());
        let archive = DockerArchive::open(&file, &unpack).unwrap();
        assert_eq!(archive.len(), 1);
        assert_eq!(
            archive.names(0),
            ["localhost/tiny:latest", "quay.io/x/tiny:v1"]
        );
        let image = archive.image(0).unwrap();
        let manifest = image.manifest().unwrap();
        assert_eq!(Digest::of(&manifest.bytes), manifest.digest);
        assert_eq!(manifest.config.media_type().to_string(), OCI_CONFIG);
        assert_eq!(
            manifest.config.digest().to_string(),
            Digest::of(&config).to_string()
        );
        assert_eq!(manifest.layers.len(), 1);
        assert_eq!(manifest.layers[0].media_type().to_string(), OCI_LAYER_TAR);
        let mut read = Vec::new();
        image
            .blob(&Digest::of(&layer))
            .unwrap()
            .read_to_end(&mut read)
            .unwrap();
        assert_eq!(read, layer);
        drop(image);
        drop(archive);
        assert_eq!(
            std::fs::read_dir(&unpack).unwrap().count(),
            0,
            "left behind"
        );
    }
}

#[test]
fn hostile_archives_are_refused_naming_the_archive() {
    let tmp = tempfile::tempdir().unwrap();
    let unpack = tmp.path().join("unpack");
    std::fs::create_dir(&unpack).unwrap();
    let list = |layer: &str| {
        serde_json::to_vec(&json!([{"Config": "c.json", "RepoTags": null, "Layers": [layer]}]))
            .unwrap()
    };
    let cases: Vec<(&str, Vec<Entry>)> = vec![
        (
            "a layer outside the archive",
            vec![
                Entry::File("c.json", b"{}".to_vec()),
                Entry::File("manifest.json", list("../../etc/passwd")),
            ],
        ),
        (
            "a link out of the archive",
            vec![
                Entry::File("c.json", b"{}".to_vec()),
                Entry::Link("l.tar", "../../../etc/passwd"),
                Entry::File("manifest.json", list("l.tar")),
            ],
        ),
        (
            "an absolute link",
            vec![
                Entry::File("c.json", b"{}".to_vec()),
                Entry::Link("l.tar", "/etc/passwd"),
                Entry::File("manifest.json", list("l.tar")),
            ],
        ),
        (
            "a link loop",
            vec![
                Entry::File("c.json", b"{}".to_vec()),
                Entry::Link("a.tar", "b.tar"),
                Entry::Link("b.tar", "a.tar"),
                Entry::File("manifest.json", list("a.tar")),
            ],
        ),
        (
            "a missing layer",
            vec![
                Entry::File("c.json", b"{}".to_vec()),
                Entry::File("manifest.json", list("nope.tar")),
            ],
        ),
        (
            "a malformed list",
            vec![Entry::File(
                "manifest.json",
                b"{\"not\": \"a list\"}".to_vec(),
            )],
        ),
        (
            "an empty list",
            vec![Entry::File("manifest.json", b"[]".to_vec())],
        ),
    ];
    for (what, entries) in cases {
        let file = tmp.path().join("hostile.tar");
        write_tar(&file, &entries);
        match DockerArchive::open(&file, &unpack) {
            Err(StorageError::InvalidLayout { path, reason }) => {
                assert_eq!(path, file, "{what}: {reason}");
            }
            other => panic!("{what}: {other:?}"),
        }
        assert_eq!(
            std::fs::read_dir(&unpack).unwrap().count(),
            0,
            "{what}: left behind"
        );
    }
    // Neither kind of archive.
    let file = tmp.path().join("neither.tar");
    write_tar(&file, &[Entry::File("hello", b"hi".to_vec())]);
    assert!(matches!(
        is_docker_archive(&file),
        Err(StorageError::InvalidLayout { .. })
    ));
}
