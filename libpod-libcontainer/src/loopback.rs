//! The loopback interface of a container's own network namespace. runc sets `lo` up in every
//! network namespace it creates (its spec conversion adds a `loopback` network when the
//! spec's network namespace has no path); libcontainer 0.7 leaves it down, and 127.0.0.1
//! unreachable (`--network none`, a pod's shared namespace without a network). So `create`
//! sets it up from the caller, in the created init's namespace, before anything runs there.

use crate::errors;
use libpod_core::Result;
use serde_json::Value;
use std::path::Path;

/// Sets `lo` up in the network namespace of container `id`'s init `pid` when the bundle's
/// config.json gives the container a new one (a `network` namespace without a path).
pub(crate) fn bring_up(id: &str, bundle: &Path, pid: i32) -> Result<()> {
    let path = bundle.join("config.json");
    let text = std::fs::read(&path).map_err(|err| errors::io("reading", &path, err))?;
    let spec: Value = serde_json::from_slice(&text)
        .map_err(|err| errors::oci(id, "create", format!("{}: {err}", path.display())))?;
    if !new_network_namespace(&spec) {
        return Ok(());
    }
    let namespace = format!("/proc/{pid}/ns/net");
    libpod_net::netns::loopback_up(Path::new(&namespace)).map_err(|err| {
        errors::oci(
            id,
            "create",
            format!("setting up the loopback interface: {err}"),
        )
    })
}

/// Whether `spec`'s `linux.namespaces` has a network namespace of its own (no path to join).
fn new_network_namespace(spec: &Value) -> bool {
    let Some(namespaces) = spec.pointer("/linux/namespaces").and_then(Value::as_array) else {
        return false;
    };
    namespaces.iter().any(|namespace| {
        namespace.get("type").and_then(Value::as_str) == Some("network")
            && namespace
                .get("path")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
    })
}

#[cfg(test)]
mod tests {
    use super::new_network_namespace;
    use serde_json::json;

    #[test]
    fn only_a_network_namespace_without_a_path_is_new() {
        let spec = |namespaces| json!({ "linux": { "namespaces": namespaces } });
        assert!(new_network_namespace(&spec(json!([{ "type": "network" }]))));
        assert!(new_network_namespace(&spec(
            json!([{ "type": "pid" }, { "type": "network", "path": "" }])
        )));
        let joined = json!([{ "type": "network", "path": "/run/netns/x" }]);
        assert!(!new_network_namespace(&spec(joined)));
        assert!(!new_network_namespace(&spec(json!([{ "type": "pid" }]))));
        assert!(!new_network_namespace(&json!({})));
    }
}
