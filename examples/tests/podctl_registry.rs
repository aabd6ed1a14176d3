//! podctl's registry commands end to end against a real `docker-registry` with htpasswd auth:
//! `pull docker://...` with `--creds`, `--authfile`, `--platform`, `-q`, `--tls-verify=false`,
//! and `push`; and `run --pull` through registries.conf beside the real Podman.

mod common;

use common::pair::Pair;
use common::{ok, podctl};
use libpod_testutil::registry::{
    LayerCompression, OciLayoutBuilder, Platform, RegistryOptions, TestRegistry, copy_to_registry,
    inspect, multi_arch_layout,
};
use libpod_testutil::{TempRoot, require_root, serial, tar_directory};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

#[test]
fn podctl_pulls_and_pushes_with_credentials() {
    require_root();
    let tmp = TempRoot::new().unwrap();
    let registry = TestRegistry::start(RegistryOptions::default().htpasswd("alice", "pw")).unwrap();
    let layout = tmp.path().join("layout");
    multi_arch_layout(&layout, "multi").unwrap();
    copy_to_registry(
        &format!("oci:{}:multi", layout.display()),
        &registry,
        "team/multi:1",
        &["--all"],
    )
    .unwrap();
    let reference = format!("docker://{}/team/multi:1", registry.host());
    let root = tmp.path().join("store");

    let denied = podctl(&root, &["pull", "-q", "--tls-verify=false", &reference]);
    assert!(!denied.status.success());
    let stderr = String::from_utf8_lossy(&denied.stderr);
    assert!(
        stderr.contains("unauthorized (401)") && stderr.contains(&registry.host()),
        "{stderr}"
    );

    let id = ok(
        &root,
        &[
            "pull",
            "-q",
            "--tls-verify=false",
            "--creds",
            "alice:pw",
            &reference,
        ],
    );
    assert_eq!(id.trim().len(), 64, "{id}");

    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode("alice:pw");
    let auth_file = tmp.path().join("auth.json");
    std::fs::write(
        &auth_file,
        format!(
            r#"{{"auths":{{"{}":{{"auth":"{auth}"}}}}}}"#,
            registry.host()
        ),
    )
    .unwrap();
    let auth_arg = auth_file.to_str().unwrap();
    let arm = ok(
        &root,
        &[
            "pull",
            "-q",
            "--tls-verify=false",
            "--authfile",
            auth_arg,
            "--platform",
            "linux/arm64",
            &reference,
        ],
    );
    assert_ne!(arm.trim(), id.trim(), "arm64 is another image");
    // Without -q, progress goes to stderr and the ID alone to stdout.
    let out = podctl(
        &root,
        &[
            "pull",
            "--tls-verify=false",
            "--authfile",
            auth_arg,
            &reference,
        ],
    );
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), id.trim());

    let dest = format!("{}/team/copy:2", registry.host());
    let pushed = ok(
        &root,
        &[
            "push",
            "-q",
            "--tls-verify=false",
            "--authfile",
            auth_arg,
            id.trim(),
            &dest,
        ],
    );
    let inspected: serde_json::Value =
        serde_json::from_str(&inspect(&registry, "team/copy:2", &[]).unwrap()).unwrap();
    assert_eq!(inspected["Digest"].as_str(), Some(pushed.trim()));
    assert_eq!(inspected["Architecture"], "amd64");
}

/// An image whose command prints `marker`: the busybox layer and a layer with `/etc/marker`.
fn marker_image(layout: &OciLayoutBuilder, busybox: &[u8], marker: &str, dir: &Path) -> Value {
    let files = dir.join(format!("marker-{marker}"));
    std::fs::create_dir_all(files.join("etc")).unwrap();
    std::fs::write(files.join("etc/marker"), format!("{marker}\n")).unwrap();
    let tar = dir.join(format!("marker-{marker}.tar"));
    tar_directory(&files, &tar).unwrap();
    let layers = [busybox.to_vec(), std::fs::read(&tar).unwrap()];
    layout
        .add_image(
            &layers,
            LayerCompression::Gzip,
            &Platform::host(),
            &["cat", "/etc/marker"],
        )
        .unwrap()
}

/// `run` of an image that is not in the store pulls it through registries.conf (a short name
/// resolved by `unqualified-search-registries` to a docker-registry on 127.0.0.1), and
/// `--pull always|missing|never|newer` decide when the registry is asked, as Podman's: each
/// step runs on both engines and prints the same marker (or fails with the same code).
#[test]
fn podctl_run_pulls_through_registries_conf_as_podman() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("runpull");
    let registry = TestRegistry::start(RegistryOptions::default()).unwrap();
    let conf = pair.dir().join("registries.conf");
    std::fs::write(
        &conf,
        format!(
            "unqualified-search-registries = [\"{host}\"]\n\
             short-name-mode = \"permissive\"\n\
             [[registry]]\nlocation = \"{host}\"\ninsecure = true\n",
            host = registry.host()
        ),
    )
    .unwrap();
    let rootfs = pair.dir().join("rootfs");
    let busybox_tar = pair.dir().join("busybox.tar");
    tar_directory(&rootfs, &busybox_tar).unwrap();
    let busybox = std::fs::read(&busybox_tar).unwrap();
    let layout_dir = pair.dir().join("layout");
    let layout = OciLayoutBuilder::create(&layout_dir).unwrap();
    for marker in ["one", "two", "three"] {
        let image = marker_image(&layout, &busybox, marker, pair.dir());
        layout.tag(&image, marker).unwrap();
    }
    let publish = |marker: &str| {
        copy_to_registry(
            &format!("oci:{}:{marker}", layout_dir.display()),
            &registry,
            "pulltest:1",
            &[],
        )
        .unwrap();
    };
    let flags = pair.run_flags();
    let run = |pull: Option<&str>, image: &str| {
        let mut args = vec!["run", "--rm", "--network", "none"];
        args.extend(flags.iter().map(String::as_str));
        if let Some(policy) = pull {
            args.extend(["--pull", policy]);
        }
        args.push(image);
        let mut ours = Command::new(env!("CARGO_BIN_EXE_podctl"));
        ours.arg("--root")
            .arg(pair.root.join("root"))
            .arg("--runroot")
            .arg(pair.root.join("run"));
        let mut theirs = pair.podman.command();
        let outputs = [&mut ours, &mut theirs].map(|command| {
            let out = command
                .env("CONTAINERS_REGISTRIES_CONF", &conf)
                .args(&args)
                .output()
                .unwrap();
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stdout).trim().to_string(),
                String::from_utf8_lossy(&out.stderr).to_string(),
            )
        });
        let [
            (code, stdout, stderr),
            (their_code, their_stdout, their_stderr),
        ] = outputs;
        assert_eq!(
            (code, &stdout),
            (their_code, &their_stdout),
            "run --pull {pull:?} {image}:\npodctl: {stderr}\npodman: {their_stderr}"
        );
        (code, stdout)
    };

    publish("one");
    assert_eq!(run(None, "pulltest:1"), (Some(0), "one".into()));
    let pulled = pair.ok(&["images", "--format", "{{.Repository}}:{{.Tag}}"]);
    assert!(
        pulled.contains(&format!("{}/pulltest:1", registry.host())),
        "{pulled}"
    );
    publish("two");
    assert_eq!(run(Some("missing"), "pulltest:1"), (Some(0), "one".into()));
    assert_eq!(run(Some("never"), "pulltest:1"), (Some(0), "one".into()));
    assert_eq!(run(Some("newer"), "pulltest:1"), (Some(0), "two".into()));
    publish("three");
    assert_eq!(run(Some("always"), "pulltest:1"), (Some(0), "three".into()));
    assert_eq!(run(Some("never"), "pulltest:9").0, Some(125));
    assert_eq!(run(Some("missing"), "pulltest:9").0, Some(125));
}
