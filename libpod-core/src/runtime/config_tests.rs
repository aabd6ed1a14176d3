use super::*;
use std::fs;

fn host() -> HostFacts {
    HostFacts {
        systemd: false,
        journald: false,
        runtime: "runc".into(),
    }
}

/// A fake /usr/share and /etc under a temporary directory.
struct Tree {
    dir: tempfile::TempDir,
}

impl Tree {
    fn new() -> Tree {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("usr/share/containers")).unwrap();
        fs::create_dir_all(dir.path().join("etc/containers")).unwrap();
        Tree { dir }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.path(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
        path
    }

    fn locations(&self, containers_conf: Option<&str>) -> ConfigLocations {
        let root = self.dir.path().to_path_buf();
        let mut locations = ConfigLocations::with_env(|name| {
            assert_eq!(name, "CONTAINERS_CONF");
            containers_conf.map(|path| root.join(path).into_os_string())
        });
        locations.default_file = self.path("usr/share/containers/containers.conf");
        locations.override_file = self.path("etc/containers/containers.conf");
        locations
    }
}

#[test]
fn builtin_defaults_are_podman_4_3_s_on_debian_12() {
    let config = EngineConfig::builtin_for(&host());
    assert_eq!(
        config.default_capabilities,
        [
            "CAP_CHOWN",
            "CAP_DAC_OVERRIDE",
            "CAP_FOWNER",
            "CAP_FSETID",
            "CAP_KILL",
            "CAP_NET_BIND_SERVICE",
            "CAP_SETFCAP",
            "CAP_SETGID",
            "CAP_SETPCAP",
            "CAP_SETUID",
            "CAP_SYS_CHROOT",
        ]
    );
    assert!(config.default_ulimits.is_empty());
    assert_eq!(config.default_sysctls, ["net.ipv4.ping_group_range=0 0"]);
    assert_eq!(
        config.env,
        [
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "TERM=xterm"
        ]
    );
    assert!(config.dns_servers.is_empty());
    assert_eq!(config.shm_size, 64 << 20);
    assert_eq!(config.pids_limit, 2048);
    assert_eq!(config.umask, 0o022);
    assert_eq!(config.log_driver, "k8s-file");
    assert_eq!(config.log_size_max, -1);
    assert_eq!(config.init_path, None);
    assert_eq!(config.runtime, "runc");
    let runc = &config
        .runtimes
        .iter()
        .find(|(name, _)| name == "runc")
        .unwrap()
        .1;
    assert_eq!(
        runc[..2],
        [
            PathBuf::from("/usr/bin/runc"),
            PathBuf::from("/usr/sbin/runc")
        ]
    );
    assert!(runc.contains(&PathBuf::from("/usr/lib/cri-o-runc/sbin/runc")));
    let names: Vec<&str> = config
        .runtimes
        .iter()
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(names, ["crun", "runc", "kata", "runsc", "krun"]);
    assert_eq!(
        config.conmon_path[0],
        Path::new("/usr/libexec/podman/conmon")
    );
    assert!(
        config
            .conmon_path
            .contains(&PathBuf::from("/usr/bin/conmon"))
    );
    assert_eq!(
        config.hooks_dir,
        [
            PathBuf::from("/usr/share/containers/oci/hooks.d"),
            PathBuf::from("/etc/containers/oci/hooks.d")
        ]
    );
    assert!(!config.hooks_dir_explicit);
    assert_eq!(config.cgroup_manager, "cgroupfs");
    assert_eq!(config.stop_timeout, 10);
    assert_eq!(config.tmp_dir, Path::new("/run/libpod"));
    assert!(config.sources.is_empty());
}

#[test]
fn systemd_hosts_default_to_the_systemd_cgroup_manager_and_journald() {
    let config = EngineConfig::builtin_for(&HostFacts {
        systemd: true,
        journald: true,
        runtime: "crun".into(),
    });
    assert_eq!(config.cgroup_manager, "systemd");
    assert_eq!(config.log_driver, "journald");
    assert_eq!(config.runtime, "crun");
    let config = EngineConfig::builtin_for(&HostFacts {
        systemd: true,
        journald: false,
        runtime: String::new(),
    });
    assert_eq!(config.log_driver, "k8s-file");
}

#[test]
fn files_are_read_in_podman_s_order_each_overriding_key_by_key() {
    let tree = Tree::new();
    let usr = tree.write(
        "usr/share/containers/containers.conf",
        "[containers]\npids_limit = 1\nenv = [\"A=1\", \"B=2\"]\nlog_tag = \"usr\"\n",
    );
    let etc = tree.write(
        "etc/containers/containers.conf",
        "[containers]\npids_limit = 2\nenv = [\"C=3\"]\n",
    );
    let a = tree.write(
        "etc/containers/containers.conf.d/10-a.conf",
        "[containers]\npids_limit = 3\n",
    );
    let b = tree.write(
        "etc/containers/containers.conf.d/20-b.conf",
        "[engine]\nruntime = \"crun\"\n",
    );
    let config = EngineConfig::load(&tree.locations(None), &host()).unwrap();
    assert_eq!(config.sources, [usr, etc, a, b]);
    assert_eq!(config.pids_limit, 3);
    assert_eq!(config.env, ["C=3"], "arrays are replaced, not merged");
    assert_eq!(
        config.log_tag, "usr",
        "keys a later file does not set are kept"
    );
    assert_eq!(config.runtime, "crun");
}

#[test]
fn missing_files_are_skipped() {
    let tree = Tree::new();
    let a = tree.write(
        "etc/containers/containers.conf.d/a.conf",
        "[containers]\npids_limit = 7\n",
    );
    let config = EngineConfig::load(&tree.locations(None), &host()).unwrap();
    assert_eq!(config.sources, [a]);
    assert_eq!(config.pids_limit, 7);
    let empty = Tree::new();
    let config = EngineConfig::load(&empty.locations(None), &host()).unwrap();
    assert_eq!(config, EngineConfig::builtin_for(&host()));
}

#[test]
fn only_etc_has_a_drop_in_directory_and_it_is_not_recursive() {
    let tree = Tree::new();
    tree.write(
        "usr/share/containers/containers.conf.d/a.conf",
        "[containers]\npids_limit = 1\n",
    );
    tree.write(
        "etc/containers/containers.conf.d/sub/b.conf",
        "[containers]\npids_limit = 2\n",
    );
    tree.write(
        "etc/containers/containers.conf.d/c.conf.bak",
        "[containers]\npids_limit = 3\n",
    );
    let config = EngineConfig::load(&tree.locations(None), &host()).unwrap();
    assert!(config.sources.is_empty(), "{:?}", config.sources);
}

#[test]
fn containers_conf_is_the_only_file_read() {
    let tree = Tree::new();
    tree.write(
        "usr/share/containers/containers.conf",
        "[containers]\npids_limit = 1\n",
    );
    tree.write(
        "etc/containers/containers.conf",
        "[containers]\nlog_tag = \"etc\"\n",
    );
    tree.write(
        "etc/containers/containers.conf.d/a.conf",
        "[containers]\nlog_tag = \"drop-in\"\n",
    );
    let mine = tree.write("mine.conf", "[engine]\nruntime = \"crun\"\n");
    let locations = tree.locations(Some("mine.conf"));
    assert_eq!(locations.files().unwrap(), std::slice::from_ref(&mine));
    let config = EngineConfig::load(&locations, &host()).unwrap();
    assert_eq!(config.sources, [mine]);
    assert_eq!((config.pids_limit, config.log_tag.as_str()), (2048, ""));
    assert_eq!(config.runtime, "crun");
}

#[test]
fn an_empty_containers_conf_counts_as_unset() {
    let locations = ConfigLocations::with_env(|_| Some("".into()));
    assert_eq!(locations.containers_conf, None);
    let locations = ConfigLocations::with_env(|_| None);
    assert_eq!(locations.containers_conf, None);
    assert_eq!(
        locations.override_file,
        Path::new("/etc/containers/containers.conf")
    );
    assert_eq!(
        locations.default_file,
        Path::new("/usr/share/containers/containers.conf")
    );
}

#[test]
fn a_missing_containers_conf_is_an_error() {
    let tree = Tree::new();
    let err = EngineConfig::load(&tree.locations(Some("nope.conf")), &host()).unwrap_err();
    assert!(
        matches!(&err, CoreError::Io { op: "CONTAINERS_CONF file", path, .. } if path.ends_with("nope.conf")),
        "{err}"
    );
}

#[test]
fn a_malformed_file_in_the_chain_is_named() {
    let tree = Tree::new();
    tree.write(
        "usr/share/containers/containers.conf",
        "[containers]\npids_limit = 1\n",
    );
    let bad = tree.write("etc/containers/containers.conf.d/bad.conf", "[engine\n");
    let err = EngineConfig::load(&tree.locations(None), &host()).unwrap_err();
    assert!(
        matches!(&err, CoreError::Config { path, .. } if *path == bad),
        "{err}"
    );
    assert!(err.to_string().contains("bad.conf"));
}

#[test]
fn load_files_reads_the_given_files_in_order() {
    let tree = Tree::new();
    let one = tree.write(
        "one.conf",
        "[containers]\npids_limit = 1\nlog_tag = \"one\"\n",
    );
    let two = tree.write("two.conf", "[containers]\npids_limit = 2\n");
    let config = EngineConfig::load_files(&[&one, &two]).unwrap();
    assert_eq!((config.pids_limit, config.log_tag.as_str()), (2, "one"));
    assert_eq!(config.sources, [one.clone(), two]);
    let err = EngineConfig::load_files(&[&one, &tree.path("missing.conf")]).unwrap_err();
    assert!(matches!(err, CoreError::Io { .. }), "{err}");
}

#[test]
fn spec_defaults_follow_the_configuration() {
    let defaults = EngineConfig::builtin_for(&host()).spec_defaults();
    let libpod_spec_defaults = SpecDefaults::default();
    assert_eq!(
        defaults, libpod_spec_defaults,
        "the built-in defaults agree with libpod-spec's"
    );

    let text = r#"[containers]
default_capabilities = ["kill"]
default_ulimits = ["nofile=10:20"]
default_sysctls = ["net.ipv4.ip_forward=1"]
env = ["X=1"]
pids_limit = 99
shm_size = "1m"
umask = "0077"
no_new_privileges = true
seccomp_profile = "/my/seccomp.json"
init_path = "/my/init"
[engine]
hooks_dir = ["/my/hooks"]
cgroup_manager = "systemd"
"#;
    let config = EngineConfig::from_toml_str(
        Path::new("t.conf"),
        text,
        EngineConfig::builtin_for(&host()),
    )
    .unwrap();
    let spec = config.spec_defaults();
    assert_eq!(spec.capabilities, ["CAP_KILL"]);
    assert_eq!(spec.ulimits, ["nofile=10:20"]);
    assert_eq!(spec.sysctls, ["net.ipv4.ip_forward=1"]);
    assert_eq!(spec.env, ["X=1"]);
    assert_eq!(spec.pids_limit, 99);
    assert_eq!(spec.shm_size, 1 << 20);
    assert_eq!(spec.umask, 0o077);
    assert!(spec.no_new_privileges);
    assert_eq!(spec.seccomp_profile, Path::new("/my/seccomp.json"));
    assert_eq!(spec.init_path, Path::new("/my/init"));
    assert_eq!(spec.hooks_dirs, [PathBuf::from("/my/hooks")]);
    assert!(spec.hooks_dirs_explicit);
    assert_eq!(spec.cgroup_manager, CgroupManager::Systemd);
    // What the configuration does not set comes from libpod-spec (probed on this host).
    assert_eq!(spec.cgroup_v2, libpod_spec_defaults.cgroup_v2);
}

#[path = "config_podman_tests.rs"]
mod podman;
