//! The host's Podman 4.3.1 reading the same containers.conf as we do.

use super::*;
use libpod_testutil::{Podman, TempRoot, busybox_rootfs, require_root, serial};
use serde_json::Value;

/// What we read from `conf` alone, as Podman does with `CONTAINERS_CONF=conf`.
fn ours(conf: &Path) -> EngineConfig {
    let mut locations = ConfigLocations::with_env(|_| None);
    locations.containers_conf = Some(conf.to_path_buf());
    EngineConfig::load(&locations, &HostFacts::probe()).unwrap()
}

fn podman_json(podman: &Podman, conf: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&podman_output(podman, conf, args)).unwrap()
}

fn podman_output(podman: &Podman, conf: &Path, args: &[&str]) -> String {
    let output = podman
        .command()
        .env("CONTAINERS_CONF", conf)
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "podman {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn podman_info_agrees_on_runtime_cgroup_manager_log_driver_and_conmon() {
    require_root();
    let _guard = serial();
    let tmp = TempRoot::new().unwrap();
    let confs = [
        // What Podman reads on Debian 12 when the administrator configured nothing.
        include_str!("testdata/debian12-containers.conf"),
        "",
        "[engine]\nruntime = \"runc\"\n",
        "[engine]\nruntime = \"runc\"\ncgroup_manager = \"systemd\"\n\
         [containers]\nlog_driver = \"journald\"\n",
        "[engine]\nruntime = \"crun\"\n[engine.runtimes]\ncrun = [\"/nowhere/crun\", \"/usr/bin/crun\"]\n",
    ];
    for (index, text) in confs.iter().enumerate() {
        let dir = tmp.path().join(index.to_string());
        let podman = Podman::new(&dir, "");
        let conf = dir.join("test.conf");
        fs::write(&conf, text).unwrap();
        let info = podman_json(&podman, &conf, &["info", "--format", "json"]);
        let host = &info["host"];
        let config = ours(&conf);
        let runtime = config.find_runtime(&config.runtime).unwrap();
        let conmon = config.find_conmon().unwrap();
        if text
            .lines()
            .any(|l| l.trim_start().starts_with("runtime ="))
        {
            assert_eq!(
                host["ociRuntime"]["name"],
                config.runtime.as_str(),
                "conf {index}"
            );
            assert_eq!(
                host["ociRuntime"]["path"],
                runtime.to_str().unwrap(),
                "conf {index}"
            );
        } else {
            // Deliberate difference: with no runtime configured Podman takes crun when it is
            // installed; we take runc, which works on hybrid cgroup hosts.
            assert_eq!(config.runtime, "runc", "conf {index}");
        }
        assert_eq!(
            host["cgroupManager"],
            config.cgroup_manager.as_str(),
            "conf {index}"
        );
        assert_eq!(
            host["logDriver"],
            config.log_driver.as_str(),
            "conf {index}"
        );
        assert_eq!(
            host["conmon"]["path"],
            conmon.to_str().unwrap(),
            "conf {index}"
        );
    }
}

#[test]
fn podman_create_uses_the_container_keys_as_we_read_them() {
    require_root();
    let _guard = serial();
    let tmp = TempRoot::new().unwrap();
    let rootfs = tmp.path().join("rootfs");
    busybox_rootfs(&rootfs).unwrap();
    let podman = Podman::new(tmp.path(), "");
    let conf = tmp.path().join("test.conf");
    fs::write(
        &conf,
        r#"[containers]
default_capabilities = ["chown", "kill", "cap_net_raw"]
pids_limit = 100
default_sysctls = ["net.ipv4.ip_forward=1"]
env = ["FOO=bar"]
[engine]
runtime = "runc"
"#,
    )
    .unwrap();
    let config = ours(&conf);
    podman.import_rootfs(&rootfs, "busybox", &[]).unwrap();
    let created = podman_output(
        &podman,
        &conf,
        &["create", "--network", "none", "busybox", "true"],
    );
    let id = created.trim();
    // `init` may fail after writing the spec (runc cannot raise RLIMIT_NOFILE past this
    // machine's hard limit); the spec is what we compare.
    let _ = podman
        .command()
        .env("CONTAINERS_CONF", &conf)
        .args(["init", id])
        .output();
    let path = podman
        .root()
        .join("overlay-containers")
        .join(id)
        .join("userdata/config.json");
    let spec: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    let bounding: Vec<&str> = spec["process"]["capabilities"]["bounding"]
        .as_array()
        .unwrap()
        .iter()
        .map(|cap| cap.as_str().unwrap())
        .collect();
    assert_eq!(bounding, config.default_capabilities);
    assert_eq!(
        spec["linux"]["resources"]["pids"]["limit"],
        config.pids_limit
    );
    assert_eq!(spec["linux"]["sysctl"]["net.ipv4.ip_forward"], "1");
    assert_eq!(config.default_sysctls, ["net.ipv4.ip_forward=1"]);
    let env: Vec<&str> = spec["process"]["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|var| var.as_str().unwrap())
        .collect();
    assert!(env.contains(&"FOO=bar"), "{env:?}");
    assert_eq!(config.env, ["FOO=bar"]);
}
