//! What we unpack equals what a tool we did not write unpacks: for the busybox image and for a
//! multi-layer image with deletions, an opaque directory, hardlinks, a symlink, a setuid file,
//! a FIFO and a device node (built with `podman build`, exported with `skopeo copy`), the root
//! filesystem our store mounts equals `umoci raw unpack` of the same OCI layout: same paths,
//! types, modes, owners, symlink targets and file contents.

mod common;

use libpod_storage::driver::DriverKind;
use libpod_storage::manifest::Platform;
use libpod_storage::transport::OciLayout;
use libpod_testutil::{Podman, TempRoot, busybox_rootfs, require_root, serial};
use std::fs;
use std::path::Path;
use std::process::Command;

const CONTAINERFILE: &str = r#"FROM localhost/busybox
RUN mkdir -p /opq/sub && echo a > /opq/a && echo b > /opq/sub/b && echo keep > /keep && echo gone > /gone && ln -s /keep /link && ln /keep /hardlink && chmod 4755 /keep
RUN rm /gone && rm -rf /opq && mkdir /opq && echo new > /opq/new && rm /etc/group && mkfifo /fifo && mknod /chardev c 1 3 && chown 1000:1000 /opq/new
"#;

fn skopeo_copy(from: &str, to: &str) {
    let status = Command::new("skopeo")
        .args(["copy", "--quiet", from, to])
        .status()
        .expect("skopeo runs");
    assert!(status.success(), "skopeo copy {from} {to} failed");
}

fn check_image(tmp: &TempRoot, layout: &Path, tag: &str, driver: DriverKind) {
    let store = common::store_at(
        &tmp.path().join(format!("store-{tag}-{}", driver.name())),
        Some(driver),
    );
    let source = OciLayout::open(layout, Some(tag), &Platform::host()).unwrap();
    let image = store.pull_from(&source, None).unwrap();
    let ours = store.mount_image(&image.id.hex()).unwrap();
    let theirs = tmp.path().join(format!("umoci-{tag}"));
    if !theirs.exists() {
        common::tree::umoci_unpack(layout, tag, &theirs);
    }
    common::tree::compare(&ours, &theirs, &format!("{tag} on {}", driver.name()), 250);
    store.unmount_image(&image.id.hex(), true).unwrap();
}

#[test]
fn mounted_images_equal_umoci_raw_unpack() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let rootfs = tmp.path().join("rootfs");
    busybox_rootfs(&rootfs).unwrap();
    let podman = Podman::new(tmp.path(), "[engine]\nruntime = \"runc\"\n");
    podman.import_rootfs(&rootfs, "busybox", &[]).unwrap();
    let build = tmp.path().join("build");
    fs::create_dir(&build).unwrap();
    fs::write(build.join("Containerfile"), CONTAINERFILE).unwrap();
    let output = podman
        .command()
        .args([
            "build",
            "--quiet",
            "--isolation",
            "chroot",
            "-t",
            "localhost/multi",
        ])
        .arg(&build)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "podman build: {}",
        String::from_utf8_lossy(&output.stderr)
    );

    let layout = tmp.path().join("layout");
    skopeo_copy(
        &podman.storage_reference("localhost/busybox"),
        &format!("oci:{}:busybox", layout.display()),
    );
    skopeo_copy(
        &podman.storage_reference("localhost/multi"),
        &format!("oci:{}:multi", layout.display()),
    );

    for driver in [DriverKind::Overlay, DriverKind::Vfs] {
        check_image(&tmp, &layout, "busybox", driver);
        check_image(&tmp, &layout, "multi", driver);
    }

    // Saved back out, the image is what skopeo and umoci read, with the same digests.
    let store = common::store_at(&tmp.path().join("store-save"), None);
    let source = OciLayout::open(&layout, Some("multi"), &Platform::host()).unwrap();
    let image = store.pull_from(&source, None).unwrap();
    let saved = tmp.path().join("saved");
    store
        .save_to_layout(&image.id.hex(), &saved, Some("multi"))
        .unwrap();
    let copied = tmp.path().join("copied");
    skopeo_copy(
        &format!("oci:{}:multi", saved.display()),
        &format!("oci:{}:multi", copied.display()),
    );
    let manifest_digest = |dir: &Path| -> String {
        let index: serde_json::Value =
            serde_json::from_slice(&fs::read(dir.join("index.json")).unwrap()).unwrap();
        let entry = index["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == "multi")
            .expect("an entry tagged multi")
            .clone();
        entry["digest"].as_str().unwrap().to_string()
    };
    assert_eq!(
        manifest_digest(&layout),
        image.manifest_digest.to_string(),
        "pulled as it was"
    );
    assert_eq!(
        manifest_digest(&saved),
        image.manifest_digest.to_string(),
        "saved as it was pulled"
    );
    assert_eq!(
        manifest_digest(&copied),
        image.manifest_digest.to_string(),
        "skopeo copies it unchanged"
    );
    let unpacked = tmp.path().join("umoci-saved");
    common::tree::umoci_unpack(&saved, "multi", &unpacked);
    common::tree::compare(
        &unpacked,
        &tmp.path().join("umoci-multi"),
        "saved multi",
        250,
    );
}
