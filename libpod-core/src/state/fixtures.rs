//! Records for the state stores' tests: IDs, minimal configs, and a config and a state with
//! every field set.

use crate::record::{
    ContainerConfig, ContainerState, ContainerStatus, HealthCheck, LogDriver, RootfsSource,
};
use libpod_spec::parse::{VolumeMount, parse_tmpfs};
use libpod_spec::{CreateConfig, ImageVolumeMode, NamespaceMode, NetworkMode, RestartPolicy};
use std::collections::BTreeMap;

/// A 64-hex-digit ID starting with `prefix` (hex) and padded with `fill`.
pub fn id(prefix: &str, fill: char) -> String {
    let mut id = prefix.to_string();
    while id.len() < 64 {
        id.push(fill);
    }
    id
}

/// A minimal config.
pub fn config(id: &str, name: &str) -> ContainerConfig {
    ContainerConfig {
        id: id.into(),
        name: name.into(),
        created: "2024-05-01T10:00:00.123456789Z".into(),
        ..ContainerConfig::default()
    }
}

/// A config with every field set to something other than its default.
pub fn full_config(id: &str, name: &str, dep: &str) -> ContainerConfig {
    let mut spec = CreateConfig::default();
    spec.command = Some(vec!["sh".into(), "-c".into(), "echo 'hé' \"x\"\n".into()]);
    spec.entrypoint = Some(vec![]);
    spec.env = BTreeMap::from([("A".into(), "1".into()), ("EMPTY".into(), String::new())]);
    spec.workdir = Some("/srv".into());
    spec.annotations = BTreeMap::from([("io.example/a".into(), "b".into())]);
    spec.tty = true;
    spec.init = true;
    spec.init_path = Some("/usr/libexec/catatonit".into());
    spec.devices = vec!["/dev/fuse".into()];
    spec.image_volume_mode = ImageVolumeMode::Tmpfs;
    spec.cgroup_parent = Some("machine.slice".into());
    spec.resources.memory = Some(64 << 20);
    spec.resources.cpus = Some(1.5);
    spec.resources.pids_limit = Some(100);
    spec.resources.ulimit = vec!["nofile=1024:2048".into()];
    spec.security.cap_add = vec!["NET_ADMIN".into()];
    spec.security.cap_drop = vec!["ALL".into()];
    spec.security.no_new_privileges = true;
    spec.security.sysctl = BTreeMap::from([("net.ipv4.ip_forward".into(), "1".into())]);
    spec.user.user = Some("1000:1000".into());
    spec.user.group_add = vec!["wheel".into()];
    spec.uts.hostname = Some("box".into());
    spec.uts.add_hosts = vec!["db:10.0.0.2".into()];
    spec.network.mode = NetworkMode::Bridge(vec!["podman".into()]);
    spec.network.dns_servers = vec!["10.0.0.1".into()];
    spec.pid = NamespaceMode::Host;
    spec.ipc = NamespaceMode::Container(dep.into());
    spec.cgroupns = Some(NamespaceMode::Path("/proc/1/ns/cgroup".into()));
    spec.userns = Some(NamespaceMode::Private);
    // The user's mounts, parsed (`--tmpfs /run:size=64k`, `-v data:/ctr:ro,z`, a bind).
    let mut bind = oci_spec::runtime::Mount::default();
    bind.set_destination("/b".into())
        .set_typ(Some("bind".into()))
        .set_source(Some("/a".into()))
        .set_options(Some(vec!["rbind".into(), "rprivate".into()]));
    let mounts = vec![
        VolumeMount::Mount(parse_tmpfs("/run:size=64k").expect("a tmpfs")),
        VolumeMount::Named {
            name: "data".into(),
            destination: "/ctr".into(),
            options: vec!["ro".into(), "z".into(), "rprivate".into(), "rbind".into()],
        },
        VolumeMount::Mount(bind),
    ];
    let image_config = serde_json::from_value(serde_json::json!({
        "User": "1000",
        "ExposedPorts": {"80/tcp": {}},
        "Env": ["PATH=/usr/bin:/bin"],
        "Entrypoint": ["/init"],
        "Cmd": ["sh"],
        "Volumes": {"/data": {}},
        "WorkingDir": "/srv",
        "Labels": {"org.opencontainers.image.title": "t"},
        "StopSignal": "SIGTERM"
    }))
    .expect("image config");
    // A struct literal, so that a new field fails to compile here until the suite sets it.
    ContainerConfig {
        id: id.into(),
        name: name.into(),
        created: "2024-05-01T10:00:00.123456789+02:00".into(),
        rootfs: Some(RootfsSource::Image {
            id: "sha256:".to_string() + &"c".repeat(64),
            name: "busybox".into(),
        }),
        spec,
        mounts,
        image_config: Some(image_config),
        restart_policy: RestartPolicy::OnFailure { max_retries: 4 },
        stop_signal: 2,
        stop_timeout: 3,
        log_driver: LogDriver::Journald,
        log_path: Some("/var/log/ctr.log".into()),
        log_tag: Some("{{.Name}}".into()),
        log_size_max: Some(1 << 20),
        labels: BTreeMap::from([("app".into(), "web".into())]),
        pod: None,
        dependencies: vec![dep.into()],
        namespaces_from: BTreeMap::from([("ipc".into(), dep.into())]),
        stdin: true,
        systemd: true,
        exit_command: vec!["/usr/bin/podctl".into(), "cleanup".into(), id.into()],
        oci_runtime: Some("runc".into()),
        conmon_pidfile: Some("/run/ctr/conmon.pid".into()),
        auto_remove: true,
        volatile: true,
        healthcheck: Some(HealthCheck {
            test: vec!["CMD-SHELL".into(), "true".into()],
            interval_seconds: 30,
            timeout_seconds: 5,
            start_period_seconds: 2,
            retries: 3,
        }),
        healthcheck_on_failure: crate::record::HealthCheckOnFailureAction::Restart,
        startup_healthcheck: Some(crate::record::StartupHealthCheck {
            check: HealthCheck {
                test: vec!["CMD".into(), "/bin/ready".into()],
                interval_seconds: 1,
                timeout_seconds: 2,
                start_period_seconds: 0,
                retries: 4,
            },
            successes: 2,
        }),
        healthcheck_timer: vec![
            "/usr/bin/podctl".into(),
            "healthcheck".into(),
            "timer".into(),
        ],
        // Attachments at create have a case of their own (suite/networks.rs): the other
        // cases connect networks themselves.
        networks: Vec::new(),
        port_mappings: vec![
            serde_json::from_value(serde_json::json!({
                "host_ip": "127.0.0.1", "container_port": 80, "host_port": 8080,
                "range": 2, "protocol": "tcp,udp"
            }))
            .expect("port mapping"),
        ],
        exposed_ports: BTreeMap::from([(80, vec!["tcp".into(), "udp".into()])]),
        publish_all: true,
        is_infra: true,
        raw_image_name: Some("busybox".into()),
    }
}

/// A state with every field set to something other than its default.
pub fn full_state() -> ContainerState {
    ContainerState {
        status: ContainerStatus::Running,
        pid: Some(4242),
        conmon_pid: Some(4240),
        exit_code: Some(-1),
        oom_killed: true,
        started_at: Some("2024-05-01T10:00:01.5Z".into()),
        finished_at: Some("2024-05-01T10:00:02Z".into()),
        restart_count: 7,
        stopped_by_user: true,
        restart_pending: true,
        mountpoint: Some("/var/lib/x/merged".into()),
        config_path: Some("/run/x/config.json".into()),
        run_dir: Some("/run/x".into()),
        bind_mounts: BTreeMap::from([("/etc/hosts".into(), "/run/x/hosts".into())]),
        netns_path: Some("/run/netns/x".into()),
        boot_id: Some("b00t".into()),
        delete_without_rootfs: true,
        mounted_volumes: vec!["scratch".into()],
        network_status: serde_json::from_value(serde_json::json!({
            "libpod": {
                "dns_search_domains": ["dns.podman"], "dns_server_ips": ["10.80.0.1"],
                "interfaces": {"eth0": {"mac_address": "4e:8f:74:b1:b8:ed",
                    "subnets": [{"gateway": "10.80.0.1", "ipnet": "10.80.0.2/16"}]}}
            }
        }))
        .expect("network status"),
        checkpointed: true,
        checkpointed_at: Some("2024-05-01T10:00:03Z".into()),
        restored: true,
        restored_at: Some("2024-05-01T10:00:04Z".into()),
    }
}
