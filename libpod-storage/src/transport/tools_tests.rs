//! Layouts and archives exchanged with the real tools: umoci and skopeo write what we read,
//! and accept what we write; Podman's `save` output reads back.

use super::test_support::assert_blob_reads_back;
use super::{ImageSource, OciArchive, OciLayout, OciLayoutWriter, write_oci_archive};
use crate::Digest;
use crate::manifest::{OCI_CONFIG, Platform};
use oci_spec::image::{Descriptor, MediaType};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Runs a tool, returning its stdout; panics with its stderr if it fails or is missing.
fn run(program: &str, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|err| panic!("running {program} (is it installed?): {err}"));
    assert!(
        output.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn skopeo(args: &[&str]) -> String {
    let mut all = vec!["--insecure-policy"];
    all.extend_from_slice(args);
    run("skopeo", &all)
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// A layout made by umoci holding image `t` with one layer (file `/x/hello`).
fn umoci_layout(tmp: &Path) -> PathBuf {
    let layout = tmp.join("umoci");
    let content = tmp.join("content");
    fs::create_dir_all(&content).unwrap();
    fs::write(content.join("hello"), "hello from umoci\n").unwrap();
    run("umoci", &["init", "--layout", path_str(&layout)]);
    let image = format!("{}:t", layout.display());
    run("umoci", &["new", "--image", &image]);
    run(
        "umoci",
        &["insert", "--image", &image, path_str(&content), "/x"],
    );
    layout
}

/// Checks the image's shape and that each of its blobs hashes to its digest.
fn check_image(source: &dyn ImageSource, layers: usize) {
    let resolved = source.manifest().unwrap();
    assert_eq!(Digest::of(&resolved.bytes), resolved.digest);
    assert_eq!(resolved.config.media_type().to_string(), OCI_CONFIG);
    assert_eq!(resolved.layers.len(), layers);
    for descriptor in std::iter::once(&resolved.config).chain(&resolved.layers) {
        assert_blob_reads_back(source, &Digest::try_from(descriptor.digest()).unwrap());
    }
}

/// The manifest digest `index.json` of `layout` lists for `tag`.
fn index_digest(layout: &Path, tag: &str) -> String {
    let index: serde_json::Value =
        serde_json::from_slice(&fs::read(layout.join("index.json")).unwrap()).unwrap();
    index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == tag)
        .unwrap_or_else(|| panic!("no {tag} in {index}"))["digest"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Copies the image of `source` into `writer` as `tag`; returns the manifest digest.
fn copy_into(source: &dyn ImageSource, writer: &mut OciLayoutWriter, tag: &str) -> Digest {
    let resolved = source.manifest().unwrap();
    for descriptor in std::iter::once(&resolved.config).chain(&resolved.layers) {
        let digest = Digest::try_from(descriptor.digest()).unwrap();
        writer
            .put_blob(&digest, source.blob(&digest).unwrap())
            .unwrap();
    }
    writer
        .put_blob(&resolved.digest, &resolved.bytes[..])
        .unwrap();
    let descriptor = Descriptor::new(
        MediaType::from(resolved.media_type.as_str()),
        resolved.bytes.len() as u64,
        &resolved.digest,
    );
    writer.add_manifest(descriptor, Some(tag)).unwrap();
    resolved.digest
}

#[test]
fn umoci_layouts_and_skopeo_archives_are_read() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = umoci_layout(tmp.path());
    let from_umoci = OciLayout::open(&layout, Some("t"), &Platform::host()).unwrap();
    check_image(&from_umoci, 1);
    let archive = tmp.path().join("skopeo.tar");
    skopeo(&[
        "copy",
        &format!("oci:{}:t", layout.display()),
        &format!("oci-archive:{}:t", archive.display()),
    ]);
    let from_skopeo = OciArchive::open(&archive, tmp.path(), Some("t"), &Platform::host()).unwrap();
    check_image(&from_skopeo, 1);
    assert_eq!(
        from_skopeo.manifest().unwrap(),
        from_umoci.manifest().unwrap()
    );
}

#[test]
fn written_layouts_are_accepted_by_skopeo_and_umoci() {
    let tmp = tempfile::tempdir().unwrap();
    let source = OciLayout::open(&umoci_layout(tmp.path()), Some("t"), &Platform::host()).unwrap();
    let ours = tmp.path().join("ours");
    let mut writer = OciLayoutWriter::create(&ours).unwrap();
    let digest = copy_into(&source, &mut writer, "mytag");
    let reference = format!("oci:{}:mytag", ours.display());
    let inspect: serde_json::Value =
        serde_json::from_str(&skopeo(&["inspect", &reference])).unwrap();
    assert_eq!(inspect["Digest"], digest.to_string());
    let rootfs = tmp.path().join("unpacked");
    run(
        "umoci",
        &[
            "raw",
            "unpack",
            "--image",
            &format!("{}:mytag", ours.display()),
            path_str(&rootfs),
        ],
    );
    assert_eq!(
        fs::read_to_string(rootfs.join("x/hello")).unwrap(),
        "hello from umoci\n"
    );
    let other = tmp.path().join("other");
    skopeo(&[
        "copy",
        &reference,
        &format!("oci:{}:mytag", other.display()),
    ]);
    assert_eq!(index_digest(&other, "mytag"), digest.to_string());
    let blobs = |dir: &Path| {
        let mut names: Vec<_> = fs::read_dir(dir.join("blobs/sha256"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        names
    };
    assert_eq!(blobs(&other), blobs(&ours));
}

#[test]
fn written_archives_round_trip_through_skopeo() {
    let tmp = tempfile::tempdir().unwrap();
    let source = OciLayout::open(&umoci_layout(tmp.path()), Some("t"), &Platform::host()).unwrap();
    let ours = tmp.path().join("ours");
    let digest = copy_into(
        &source,
        &mut OciLayoutWriter::create(&ours).unwrap(),
        "mytag",
    );
    let archive = tmp.path().join("ours.tar");
    write_oci_archive(&ours, &archive).unwrap();
    let reference = format!("oci-archive:{}:mytag", archive.display());
    let inspect: serde_json::Value =
        serde_json::from_str(&skopeo(&["inspect", &reference])).unwrap();
    assert_eq!(inspect["Digest"], digest.to_string());
    let copied = tmp.path().join("copied");
    skopeo(&[
        "copy",
        &reference,
        &format!("oci:{}:mytag", copied.display()),
    ]);
    assert_eq!(index_digest(&copied, "mytag"), digest.to_string());
}

#[test]
fn podman_saved_layouts_and_archives_are_read() {
    libpod_testutil::require_root();
    let _guard = libpod_testutil::serial();
    let tmp = libpod_testutil::TempRoot::new().unwrap();
    let rootfs = tmp.path().join("rootfs");
    libpod_testutil::busybox_rootfs(&rootfs).unwrap();
    let podman = libpod_testutil::Podman::new(tmp.path(), "[engine]\nruntime = \"runc\"\n");
    podman
        .import_rootfs(&rootfs, "bb", &["CMD [\"/bin/sh\"]", "ENV A=1"])
        .unwrap();
    let dir = tmp.path().join("saved-dir");
    let archive = tmp.path().join("saved.tar");
    for (format, output) in [("oci-dir", &dir), ("oci-archive", &archive)] {
        let status = podman
            .command()
            .args([
                "save",
                "--quiet",
                "--format",
                format,
                "-o",
                path_str(output),
                "localhost/bb:latest",
            ])
            .status()
            .unwrap();
        assert!(status.success(), "podman save --format {format} failed");
    }
    let tag = Some("localhost/bb:latest");
    let from_dir = OciLayout::open(&dir, tag, &Platform::host()).unwrap();
    check_image(&from_dir, 1);
    let from_archive = OciArchive::open(&archive, tmp.path(), tag, &Platform::host()).unwrap();
    check_image(&from_archive, 1);
    assert_eq!(
        from_dir.manifest().unwrap(),
        from_archive.manifest().unwrap()
    );
    let config = from_dir.manifest().unwrap().config;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut from_dir
            .blob(&Digest::try_from(config.digest()).unwrap())
            .unwrap(),
        &mut bytes,
    )
    .unwrap();
    let config: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(config["config"]["Cmd"], serde_json::json!(["/bin/sh"]));
    assert_eq!(config["config"]["Env"], serde_json::json!(["A=1"]));
}

#[test]
fn multi_arch_selection_agrees_with_skopeo() {
    use super::test_support::{put_image, put_index, tagged, with_platform, write_layout};
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("multi");
    let amd = put_image(&layout, "amd64");
    let arm = put_image(&layout, "arm64");
    let index = put_index(
        &layout,
        vec![
            with_platform(amd, "amd64", None),
            with_platform(arm, "arm64", Some("v8")),
        ],
    );
    write_layout(&layout, vec![tagged(index, "multi")]);
    for arch in ["amd64", "arm64"] {
        let platform = Platform::parse(&format!("linux/{arch}")).unwrap();
        let ours = OciLayout::open(&layout, Some("multi"), &platform).unwrap();
        let out = tmp.path().join(format!("out-{arch}"));
        skopeo(&[
            "--override-os",
            "linux",
            "--override-arch",
            arch,
            "copy",
            &format!("oci:{}:multi", layout.display()),
            &format!("oci:{}:x", out.display()),
        ]);
        // skopeo compresses the layers on the way (a new manifest): the configs tell the images apart.
        let theirs = OciLayout::open(&out, Some("x"), &platform).unwrap();
        assert_eq!(
            theirs.manifest().unwrap().config.digest(),
            ours.manifest().unwrap().config.digest(),
            "{arch}"
        );
    }
}
