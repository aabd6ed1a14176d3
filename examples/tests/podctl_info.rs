//! `info` and `version` against the real Podman 4.3's: the same structure (every key Podman
//! prints, with the same JSON types where podctl fills the field; the rest are Podman's zero
//! values) and the same values for what both know.

mod common;

use common::pair::Pair;
use libpod_testutil::{require_root, serial};
use serde_json::Value;

/// Podman's `omitempty` fields that it fills and podctl leaves at the zero value (so they
/// are left out): the API socket and the runtime's extra info.
const OMITTED: &[&str] = &["host.remoteSocket", "host.runtimeInfo"];

/// Compares the shape of `ours` with `theirs` at `path`, recording differences.
fn same_shape(path: &str, ours: &Value, theirs: &Value, failures: &mut Vec<String>) {
    match (ours, theirs) {
        (Value::Object(o), Value::Object(t)) => {
            for (key, value) in t {
                let at = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match o.get(key) {
                    Some(mine) => same_shape(&at, mine, value, failures),
                    None if OMITTED.contains(&at.as_str()) => {}
                    None => failures.push(format!("{at}: missing")),
                }
            }
            for key in o.keys().filter(|k| !t.contains_key(*k)) {
                failures.push(format!("{path}.{key}: not Podman's"));
            }
        }
        // A zero value: Go's nil pointer, slice or map.
        (Value::Null, _) | (_, Value::Null) => {}
        (Value::Array(_), Value::Array(_))
        | (Value::String(_), Value::String(_))
        | (Value::Number(_), Value::Number(_))
        | (Value::Bool(_), Value::Bool(_)) => {}
        _ => failures.push(format!("{path}: {ours} is not of the type of {theirs}")),
    }
}

#[test]
fn info_and_version_match_podman() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("info");
    let ours: Value = serde_json::from_str(&pair.ok(&["info", "--format", "json"])).unwrap();
    let theirs: Value = serde_json::from_str(&pair.podman_ok(&[
        "--events-backend",
        "file",
        "info",
        "--format",
        "json",
    ]))
    .unwrap();
    let mut failures = Vec::new();
    same_shape("", &ours, &theirs, &mut failures);

    // Values both know.
    for pointer in [
        "/host/arch",
        "/host/os",
        "/host/kernel",
        "/host/hostname",
        "/host/cgroupManager",
        "/host/cgroupVersion",
        "/host/conmon/path",
        "/host/conmon/version",
        "/host/ociRuntime/name",
        "/host/ociRuntime/path",
        "/host/ociRuntime/version",
        "/host/distribution",
        "/host/logDriver",
        "/host/eventLogger",
        "/host/idMappings",
        "/host/security/rootless",
        "/host/security/capabilities",
        "/host/memTotal",
        "/host/swapTotal",
        "/host/cpus",
        "/store/graphDriverName",
        "/store/containerStore",
        "/store/imageStore",
        "/plugins/volume",
        "/plugins/log",
        "/version/OsArch",
        "/version/Os",
    ] {
        if ours.pointer(pointer) != theirs.pointer(pointer) {
            failures.push(format!(
                "{pointer}: {:?} vs {:?}",
                ours.pointer(pointer),
                theirs.pointer(pointer)
            ));
        }
    }
    let template = "{{.Host.OCIRuntime.Name}} {{.Host.Conmon.Path}} {{.Host.CgroupManager}} \
                    {{.Store.GraphDriverName}} {{.Store.ImageStore.Number}} {{.Host.Arch}} \
                    {{.Host.Security.Rootless}} {{json .Plugins.Log}} {{.Version.Os}}";
    let (o, t) = (
        pair.ok(&["info", "--format", template]),
        pair.podman_ok(&["info", "--format", template]),
    );
    if o != t {
        failures.push(format!("info template: {o:?} vs {t:?}"));
    }
    // Where they differ, podctl's own: the store's root and podctl's version.
    let root = pair.ok(&[
        "info",
        "--format",
        "{{.Store.GraphRoot}} {{.Version.Version}}",
    ]);
    assert_eq!(
        root.trim(),
        format!(
            "{} {}",
            pair.root.join("root/storage").display(),
            env!("CARGO_PKG_VERSION")
        )
    );
    // The default is YAML with Podman's keys.
    let yaml = pair.ok(&["info"]);
    assert!(
        yaml.starts_with("host:\n  arch: ") && yaml.contains("\n  graphDriverName: overlay\n"),
        "{yaml}"
    );

    // version: the same keys; the same template fields; the client-only fallback.
    let ours: Value = serde_json::from_str(&pair.ok(&["version", "--format", "json"])).unwrap();
    let theirs: Value =
        serde_json::from_str(&pair.podman_ok(&["version", "--format", "json"])).unwrap();
    same_shape("", &ours, &theirs, &mut failures);
    for args in [
        &["version", "--format", "{{.Client.OsArch}} {{.Client.Os}}"][..],
        &["version", "--format", "{{.OsArch}}"],
    ] {
        let (o, t) = (pair.ok(args), pair.podman_ok(args));
        if o != t {
            failures.push(format!("{args:?}: {o:?} vs {t:?}"));
        }
    }
    assert_eq!(
        pair.ok(&["version", "--format", "{{.Version}}"]).trim(),
        env!("CARGO_PKG_VERSION")
    );
    let labels = |text: &str| -> Vec<String> {
        text.lines()
            .map(|l| l.split(':').next().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(
        labels(&pair.ok(&["version"])),
        labels(&pair.podman_ok(&["version"]))
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
