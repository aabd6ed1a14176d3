//! The Podman helper records a spec from a private store and cleans up after itself.

use libpod_testutil::{
    Podman, TempRoot, busybox_rootfs, mount_points_beneath, require_root, serial,
};

const CONTAINERS_CONF: &str = "[containers]\n\
default_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n\
[engine]\nruntime = \"runc\"\n";

#[test]
fn create_and_init_returns_podmans_spec_from_a_private_store() {
    require_root();
    let _guard = serial();
    let tmp = TempRoot::new().unwrap();
    let rootfs = tmp.path().join("rootfs");
    busybox_rootfs(&rootfs).unwrap();

    let podman = Podman::new(tmp.path(), CONTAINERS_CONF);
    let image = podman
        .import_rootfs(&rootfs, "testutil-busybox", &["USER 1000"])
        .unwrap();
    assert_eq!(image.len(), 64, "image id: {image}");
    let outcome = podman
        .create_and_init_outcome(&["--network", "none", "testutil-busybox", "/bin/echo", "hi"])
        .unwrap();
    assert_eq!(outcome.init_error, None);
    let spec = &outcome.config;
    assert_eq!(
        spec["process"]["args"],
        serde_json::json!(["/bin/echo", "hi"])
    );
    assert_eq!(spec["process"]["user"]["uid"], 1000);
    assert!(
        spec["root"]["path"]
            .as_str()
            .unwrap()
            .starts_with(podman.root().to_str().unwrap())
    );
    assert!(spec["process"]["rlimits"].to_string().contains("1024"));

    drop(podman);
    assert!(mount_points_beneath(tmp.path()).unwrap().is_empty());
}

#[test]
fn create_error_names_the_command_and_podmans_message() {
    require_root();
    let _guard = serial();
    let tmp = TempRoot::new().unwrap();
    let podman = Podman::new(tmp.path(), CONTAINERS_CONF);
    let err = podman
        .create_and_init(&["--pull", "never", "localhost/no-such-image"])
        .unwrap_err();
    assert!(err.contains("podman") && err.contains(" create "), "{err}");
    assert!(err.contains("no-such-image"), "{err}");
}
