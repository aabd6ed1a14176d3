//! podctl's image commands end to end, through the binary, on a private root.

mod common;

use common::{ok, podctl};
use libpod_testutil::{TempRoot, busybox_rootfs, require_root, serial, tar_directory};
use std::path::Path;

#[test]
fn podctl_image_commands() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let rootfs = tmp.path().join("rootfs");
    busybox_rootfs(&rootfs).unwrap();
    let tar = tmp.path().join("rootfs.tar");
    tar_directory(&rootfs, &tar).unwrap();
    let root = tmp.path().join("store");
    let tar_arg = tar.to_str().unwrap();

    let id = ok(
        &root,
        &[
            "import",
            "--change",
            "CMD [\"/bin/sh\"]",
            "--change",
            "USER 1000",
            tar_arg,
            "busybox",
        ],
    );
    assert!(id.trim().starts_with("sha256:"), "{id}");
    let images = ok(&root, &["images"]);
    assert!(
        images.contains("localhost/busybox") && images.contains("latest"),
        "{images}"
    );

    let inspect: serde_json::Value =
        serde_json::from_str(&ok(&root, &["image", "inspect", "busybox"])).unwrap();
    assert_eq!(inspect[0]["RepoTags"][0], "localhost/busybox:latest");
    assert_eq!(inspect[0]["Config"]["User"], "1000");
    assert_eq!(inspect[0]["Config"]["Cmd"][0], "/bin/sh");
    assert_eq!(inspect[0]["RootFS"]["Layers"].as_array().unwrap().len(), 1);

    ok(&root, &["tag", "busybox", "other:v2", "quay.io/x/y:z"]);
    let listed: serde_json::Value =
        serde_json::from_str(&ok(&root, &["images", "--format", "json"])).unwrap();
    assert_eq!(listed[0]["Names"].as_array().unwrap().len(), 3);
    ok(&root, &["untag", "busybox", "other:v2"]);

    let mount = ok(&root, &["image", "mount", "busybox"]);
    assert!(Path::new(mount.trim()).join("bin/busybox").is_file());
    ok(&root, &["image", "unmount", "busybox"]);

    let archive = tmp.path().join("saved.tar");
    ok(
        &root,
        &[
            "save",
            "--format",
            "oci-archive",
            "-o",
            archive.to_str().unwrap(),
            "busybox",
        ],
    );
    let layout = tmp.path().join("saved-dir");
    ok(
        &root,
        &[
            "save",
            "--format",
            "oci-dir",
            "-o",
            layout.to_str().unwrap(),
            "busybox",
        ],
    );

    // Pull them back into a second root, keeping the image ID.
    let second = tmp.path().join("second");
    let pulled = ok(
        &second,
        &[
            "pull",
            &format!("oci-archive:{}:localhost/busybox:latest", archive.display()),
        ],
    );
    assert_eq!(format!("sha256:{}", pulled.trim()), id.trim());
    ok(
        &second,
        &[
            "pull",
            &format!("oci:{}:localhost/busybox:latest", layout.display()),
        ],
    );
    assert!(ok(&second, &["images"]).contains("localhost/busybox"));

    // rmi: refused for an unknown image with a clear message; removes names then the image.
    let out = podctl(&root, &["rmi", "nosuchimage"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nosuchimage"));
    let rmi = ok(&root, &["rmi", "quay.io/x/y:z"]);
    assert!(
        rmi.contains("Untagged: quay.io/x/y:z") && !rmi.contains("Deleted"),
        "{rmi}"
    );
    let rmi = ok(&root, &["rmi", "busybox"]);
    assert!(rmi.contains("Deleted"), "{rmi}");
    assert_eq!(ok(&root, &["images", "-q"]).trim(), "");
    ok(&root, &["image", "prune", "-f"]);
}
