//! podctl's registry commands end to end against a real `docker-registry` with htpasswd auth:
//! `pull docker://...` with `--creds`, `--authfile`, `--platform`, `-q`, `--tls-verify=false`,
//! and `push`.

mod common;

use common::{ok, podctl};
use libpod_testutil::registry::{
    RegistryOptions, TestRegistry, copy_to_registry, inspect, multi_arch_layout,
};
use libpod_testutil::{TempRoot, require_root};

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
