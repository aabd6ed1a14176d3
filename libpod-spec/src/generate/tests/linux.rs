//! Linux section rules: namespaces, hostname, resources, sysctls, devices, seccomp, paths.

use super::*;

fn namespaces(spec: &Spec) -> Vec<(String, Option<String>)> {
    spec.linux()
        .as_ref()
        .unwrap()
        .namespaces()
        .clone()
        .unwrap()
        .iter()
        .map(|n| {
            (
                serde_json::to_value(n.typ())
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_string(),
                n.path().as_ref().map(|p| p.display().to_string()),
            )
        })
        .collect()
}

fn ns_names(spec: &Spec) -> Vec<String> {
    namespaces(spec).into_iter().map(|(n, _)| n).collect()
}

#[test]
fn default_linux_section_matches_podman() {
    let f = fixture();
    let spec = f.spec(&config(&["true"]));
    assert_eq!(ns_names(&spec), ["pid", "network", "ipc", "uts", "mount"]);
    assert_eq!(spec.hostname().as_deref(), Some("0123456789ab"));
    let linux = spec.linux().as_ref().unwrap();
    assert_eq!(
        linux.cgroups_path().as_deref().and_then(|p| p.to_str()),
        Some(format!("/libpod_parent/libpod-{ID}").as_str())
    );
    assert_eq!(
        linux.masked_paths().as_deref().unwrap(),
        defaults::DEFAULT_MASKED_PATHS
    );
    assert_eq!(
        linux.readonly_paths().as_deref().unwrap(),
        defaults::DEFAULT_READONLY_PATHS
    );
    let res = linux.resources().as_ref().unwrap();
    assert_eq!(res.pids().as_ref().unwrap().limit(), 2048);
    let rules = res.devices().clone().unwrap();
    assert_eq!(rules.len(), 1);
    assert!(!rules[0].allow() && rules[0].access().as_deref() == Some("rwm"));
    assert_eq!(
        linux.sysctl().clone().unwrap()["net.ipv4.ping_group_range"],
        "0 0"
    );
    let seccomp = linux.seccomp().as_ref().unwrap();
    assert_eq!(seccomp.default_action().to_string(), "SCMP_ACT_ERRNO");
    assert!(!seccomp.syscalls().as_ref().unwrap().is_empty());
    let a = annotations(&spec);
    assert_eq!(a["io.container.manager"], "libpod");
    assert_eq!(a["org.opencontainers.image.stopSignal"], "15");
    assert_eq!(a["io.podman.annotations.privileged"], "FALSE");
    assert_eq!(a["io.podman.annotations.autoremove"], "FALSE");
    assert!(!a.contains_key("io.kubernetes.cri-o.Created"));
    assert_eq!(spec.root().as_ref().unwrap().readonly(), None);
}

#[test]
fn host_namespaces_are_left_out() {
    let f = fixture();
    let mut c = config(&["true"]);
    c.pid = NamespaceMode::Host;
    c.ipc = NamespaceMode::Host;
    c.uts.mode = NamespaceMode::Host;
    c.network.mode = NetworkMode::Host;
    let spec = f.spec(&c);
    assert_eq!(ns_names(&spec), ["mount"]);
    assert_eq!(spec.hostname(), &None);
    let host = nix::unistd::gethostname().unwrap().into_string().unwrap();
    assert_eq!(env_var(&spec, "HOSTNAME"), Some(host));
    // Default sysctls are skipped where the namespace is the host's...
    assert!(spec.linux().as_ref().unwrap().sysctl().is_none());
    // ...the user's are refused.
    c.security
        .sysctl
        .insert("net.ipv4.ip_forward".into(), "1".into());
    assert!(matches!(f.err(&c), SpecError::SysctlNotAllowed { .. }));
    c.security.sysctl.clear();
    c.uts.hostname = Some("myhost".into());
    assert!(matches!(
        f.err(&c),
        SpecError::Conflict {
            first: "hostname",
            ..
        }
    ));
}

#[test]
fn joined_namespaces_need_their_paths() {
    let mut f = fixture();
    let mut c = config(&["true"]);
    c.ipc = NamespaceMode::Container("other".into());
    c.network.mode = NetworkMode::Container("other".into());
    let err = f.err(&c);
    assert!(
        matches!(&err, SpecError::MissingNamespacePath { container, .. } if container == "other"),
        "{err}"
    );
    f.ctx
        .namespace_paths
        .insert(NamespaceKind::Ipc, "/proc/7/ns/ipc".into());
    f.ctx
        .namespace_paths
        .insert(NamespaceKind::Network, "/proc/7/ns/net".into());
    let spec = f.spec(&c);
    let ns = namespaces(&spec);
    assert!(ns.contains(&("ipc".into(), Some("/proc/7/ns/ipc".into()))));
    assert!(ns.contains(&("network".into(), Some("/proc/7/ns/net".into()))));
    c.pid = NamespaceMode::Path("/run/netns/x".into());
    assert!(namespaces(&f.spec(&c)).contains(&("pid".into(), Some("/run/netns/x".into()))));
    c.userns = Some(NamespaceMode::Private);
    assert!(matches!(
        f.err(&c),
        SpecError::InvalidValue {
            field: "userns",
            ..
        }
    ));
}

#[test]
fn cgroup_namespace_defaults_by_cgroup_version() {
    assert!(!ns_names(&fixture().spec(&config(&["true"]))).contains(&"cgroup".to_string()));
    let v2 = fixture_with(|d| d.cgroup_v2 = true);
    assert!(ns_names(&v2.spec(&config(&["true"]))).contains(&"cgroup".to_string()));
    let mut c = config(&["true"]);
    c.cgroupns = Some(NamespaceMode::Private);
    assert!(ns_names(&fixture().spec(&c)).contains(&"cgroup".to_string()));
}

#[test]
fn bridge_network_joins_the_runtime_netns() {
    let mut f = fixture();
    f.ctx.netns_path = Some("/run/netns/ctr".into());
    let mut c = config(&["true"]);
    c.network.mode = NetworkMode::Bridge(vec![]);
    assert!(namespaces(&f.spec(&c)).contains(&("network".into(), Some("/run/netns/ctr".into()))));
}

#[test]
fn a_network_mode_not_chosen_gets_a_private_namespace() {
    let c = config(&["true"]);
    assert_eq!(c.network.mode, NetworkMode::Default);
    assert!(namespaces(&fixture().spec(&c)).contains(&("network".into(), None)));
    let round_trip: NetworkMode = NetworkMode::Default.to_string().parse().unwrap();
    assert_eq!(round_trip, NetworkMode::Default);
}

#[test]
fn hostname_and_joined_uts() {
    let mut f = fixture();
    let mut c = config(&["true"]);
    c.uts.hostname = Some("myhost".into());
    let spec = f.spec(&c);
    assert_eq!(spec.hostname().as_deref(), Some("myhost"));
    assert_eq!(env_var(&spec, "HOSTNAME").as_deref(), Some("myhost"));
    c.uts.hostname = Some("bad host".into());
    assert!(matches!(
        f.err(&c),
        SpecError::InvalidValue {
            field: "hostname",
            ..
        }
    ));
    c.uts.hostname = None;
    c.uts.mode = NamespaceMode::Container("web".into());
    f.ctx
        .namespace_paths
        .insert(NamespaceKind::Uts, "/proc/9/ns/uts".into());
    f.ctx.joined_hostname = Some("webhost".into());
    let spec = f.spec(&c);
    assert_eq!(spec.hostname(), &None);
    assert_eq!(env_var(&spec, "HOSTNAME").as_deref(), Some("webhost"));
}

#[test]
fn memory_cpu_and_pids_resources() {
    let f = fixture();
    let mut c = config(&["true"]);
    c.resources.memory = Some(64 << 20);
    c.resources.memory_reservation = Some(32 << 20);
    c.resources.memory_swappiness = Some(10);
    c.resources.cpus = Some(1.5);
    c.resources.cpu_shares = Some(512);
    c.resources.cpuset_cpus = Some("0".into());
    c.resources.pids_limit = Some(100);
    c.resources.disable_oom_killer = true;
    let spec = f.spec(&c);
    let res = spec.linux().as_ref().unwrap().resources().clone().unwrap();
    let m = res.memory().unwrap();
    assert_eq!(
        (m.limit(), m.swap(), m.reservation(), m.swappiness()),
        (Some(64 << 20), Some(128 << 20), Some(32 << 20), Some(10))
    );
    assert_eq!(m.disable_oom_killer(), Some(true));
    let cpu = res.cpu().clone().unwrap();
    assert_eq!(
        (cpu.quota(), cpu.period(), cpu.shares()),
        (Some(150_000), Some(100_000), Some(512))
    );
    assert_eq!(cpu.cpus().as_deref(), Some("0"));
    assert_eq!(res.pids().as_ref().unwrap().limit(), 100);

    c.resources.memory_swap = Some(256 << 20);
    let m = f
        .spec(&c)
        .linux()
        .as_ref()
        .unwrap()
        .resources()
        .clone()
        .unwrap()
        .memory()
        .unwrap();
    assert_eq!(m.swap(), Some(256 << 20));
    c.resources.memory_swap = Some(1 << 20);
    assert!(matches!(
        f.err(&c),
        SpecError::InvalidValue {
            field: "memory-swap",
            ..
        }
    ));
    c.resources.memory_swap = None;
    c.resources.memory_swappiness = Some(101);
    assert!(matches!(
        f.err(&c),
        SpecError::InvalidValue {
            field: "memory-swappiness",
            ..
        }
    ));
    c.resources.memory_swappiness = None;
    c.resources.cpu_quota = Some(50_000);
    assert!(matches!(
        f.err(&c),
        SpecError::Conflict { first: "cpus", .. }
    ));

    for unlimited in [0, -1] {
        let mut c = config(&["true"]);
        c.resources.pids_limit = Some(unlimited);
        assert_eq!(
            f.spec(&c)
                .linux()
                .as_ref()
                .unwrap()
                .resources()
                .as_ref()
                .unwrap()
                .pids()
                .as_ref()
                .unwrap()
                .limit(),
            0
        );
    }
}

#[test]
fn privileged_gets_everything() {
    let f = fixture();
    let mut c = config(&["true"]);
    c.security.privileged = true;
    let spec = f.spec(&c);
    let linux = spec.linux().as_ref().unwrap();
    assert!(linux.seccomp().is_none());
    assert!(linux.masked_paths().is_none() && linux.readonly_paths().is_none());
    let rules = linux
        .resources()
        .as_ref()
        .unwrap()
        .devices()
        .clone()
        .unwrap();
    assert!(rules.len() == 1 && rules[0].allow());
    assert!(
        linux
            .devices()
            .as_ref()
            .is_some_and(|d| d.iter().any(|d| d.path().to_str() == Some("/dev/null")))
    );
    let bounding = caps(
        spec.process()
            .as_ref()
            .unwrap()
            .capabilities()
            .as_ref()
            .unwrap()
            .bounding(),
    );
    assert_eq!(bounding, crate::parse::all_capabilities());
    assert_eq!(
        options(&spec, "/sys").last().map(String::as_str),
        Some("rw")
    );
    assert_eq!(
        annotations(&spec)["io.podman.annotations.privileged"],
        "TRUE"
    );
}

#[test]
fn seccomp_choices() {
    let f = fixture();
    let mut c = config(&["true"]);
    c.security.security_opts = strings(&["seccomp=unconfined"]);
    let spec = f.spec(&c);
    assert!(spec.linux().as_ref().unwrap().seccomp().is_none());
    assert_eq!(
        annotations(&spec)["io.podman.annotations.seccomp"],
        "unconfined"
    );
    c.security.security_opts = strings(&["seccomp=relative.json"]);
    assert!(matches!(
        f.err(&c),
        SpecError::InvalidValue {
            field: "security-opt",
            ..
        }
    ));
    c.security.security_opts.clear();
    c.security.seccomp_profile = Some("/nonexistent/profile.json".into());
    assert!(f.generator.generate(&c, None, &f.ctx).is_err());
    // Rules are included or excluded by capability: chroot is allowed with CAP_SYS_CHROOT
    // (a default capability) and refused without it.
    let chroot_action = |c: &CreateConfig| {
        let spec = f.spec(c);
        let seccomp = spec.linux().as_ref().unwrap().seccomp().clone().unwrap();
        seccomp
            .syscalls()
            .clone()
            .unwrap()
            .iter()
            .find(|r| r.names().iter().any(|n| n == "chroot"))
            .map(|r| r.action().to_string())
    };
    let mut c = config(&["true"]);
    assert_eq!(chroot_action(&c).as_deref(), Some("SCMP_ACT_ALLOW"));
    c.security.cap_drop = strings(&["ALL"]);
    assert_eq!(chroot_action(&c).as_deref(), Some("SCMP_ACT_ERRNO"));
}

#[test]
fn masked_paths_follow_security_opts() {
    let f = fixture();
    let mut c = config(&["true"]);
    c.security.security_opts = strings(&["mask=/proc/extra", "unmask=/proc/kcore:/proc/sys"]);
    let spec = f.spec(&c);
    let linux = spec.linux().as_ref().unwrap();
    let masked = linux.masked_paths().clone().unwrap();
    assert!(
        masked.contains(&"/proc/extra".to_string()) && !masked.contains(&"/proc/kcore".to_string())
    );
    assert!(
        !linux
            .readonly_paths()
            .clone()
            .unwrap()
            .contains(&"/proc/sys".to_string())
    );
    c.security.security_opts = strings(&["unmask=ALL"]);
    let spec = f.spec(&c);
    assert!(spec.linux().as_ref().unwrap().masked_paths().is_none());
}

#[test]
fn stop_signal_annotation_from_user_or_image() {
    let f = fixture();
    let img = image(|b| b.stop_signal("SIGQUIT").cmd(strings(&["true"])));
    assert_eq!(
        annotations(&f.spec_img(&CreateConfig::default(), &img))["org.opencontainers.image.stopSignal"],
        "3"
    );
    let mut c = CreateConfig {
        stop_signal: Some("SIGINT".into()),
        ..CreateConfig::default()
    };
    c.annotations.insert("an".into(), "v".into());
    let a = annotations(&f.spec_img(&c, &img));
    assert_eq!(
        (
            a["org.opencontainers.image.stopSignal"].as_str(),
            a["an"].as_str()
        ),
        ("2", "v")
    );
    c.stop_signal = Some("SIGNOPE".into());
    assert!(f.generator.generate(&c, Some(&img), &f.ctx).is_err());
}

#[test]
fn systemd_cgroup_manager_path_and_parent() {
    let f = fixture_with(|d| d.cgroup_manager = CgroupManager::Systemd);
    let spec = f.spec(&config(&["true"]));
    assert_eq!(
        spec.linux()
            .as_ref()
            .unwrap()
            .cgroups_path()
            .as_deref()
            .and_then(|p| p.to_str()),
        Some(format!("machine.slice:libpod:{ID}").as_str())
    );
    let f = fixture();
    let mut c = config(&["true"]);
    c.cgroup_parent = Some("/mine/".into());
    assert_eq!(
        f.spec(&c)
            .linux()
            .as_ref()
            .unwrap()
            .cgroups_path()
            .as_deref()
            .and_then(|p| p.to_str()),
        Some(format!("/mine/libpod-{ID}").as_str())
    );
}

#[test]
fn the_engines_stop_signal_auto_remove_and_publish_all_in_the_context_are_annotated() {
    let mut f = fixture();
    let img = image(|b| b.stop_signal("SIGQUIT").cmd(strings(&["true"])));
    assert_eq!(
        annotations(&f.spec_img(&CreateConfig::default(), &img))["io.podman.annotations.publish-all"],
        "FALSE"
    );
    f.ctx.stop_signal = Some(10);
    f.ctx.auto_remove = true;
    f.ctx.publish_all = true;
    let a = annotations(&f.spec_img(&CreateConfig::default(), &img));
    assert_eq!(
        a["org.opencontainers.image.stopSignal"], "10",
        "the image's won"
    );
    assert_eq!(a["io.podman.annotations.autoremove"], "TRUE");
    assert_eq!(a["io.podman.annotations.publish-all"], "TRUE");
}
