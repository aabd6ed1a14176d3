use super::super::HostFacts;
use super::*;

fn base() -> EngineConfig {
    EngineConfig::builtin_for(&HostFacts {
        systemd: false,
        journald: false,
        runtime: "runc".into(),
    })
}

fn load(text: &str) -> EngineConfig {
    EngineConfig::from_toml_str(Path::new("/test/containers.conf"), text, base())
        .unwrap_or_else(|err| panic!("{text}: {err}"))
}

/// The reason of the error `text` gives, checking that it names the file.
fn refused(text: &str) -> String {
    match EngineConfig::from_toml_str(Path::new("/test/bad.conf"), text, base()) {
        Err(CoreError::Config { path, reason }) => {
            assert_eq!(path, Path::new("/test/bad.conf"));
            reason
        }
        other => panic!("{text}: unexpected {other:?}"),
    }
}

#[test]
fn capabilities_get_their_prefix_in_upper_case() {
    let config = load(
        r#"[containers]
default_capabilities = ["chown", "cap_net_raw", "CAP_KILL", "Sys_Admin"]"#,
    );
    assert_eq!(
        config.default_capabilities,
        ["CAP_CHOWN", "CAP_NET_RAW", "CAP_KILL", "CAP_SYS_ADMIN"]
    );
    assert!(
        load("[containers]\ndefault_capabilities = []")
            .default_capabilities
            .is_empty()
    );
}

#[test]
fn ulimits_are_checked() {
    let config = load(
        r#"[containers]
default_ulimits = ["nofile=1024:2048", "core=-1"]"#,
    );
    assert_eq!(config.default_ulimits, ["nofile=1024:2048", "core=-1"]);
    let reason = refused(
        r#"[containers]
default_ulimits = ["nofile=2048:1024"]"#,
    );
    assert!(
        reason.starts_with("containers.default_ulimits: "),
        "{reason}"
    );
    assert!(refused("[containers]\ndefault_ulimits = [\"bogus=1\"]").contains("bogus"));
}

#[test]
fn string_lists_replace_the_defaults() {
    let config = load(
        r#"[containers]
default_sysctls = ["net.ipv4.ip_forward=1"]
env = ["FOO=bar"]
dns_servers = ["1.1.1.1", "9.9.9.9"]
dns_searches = ["example.com"]
dns_options = ["ndots:2"]"#,
    );
    assert_eq!(config.default_sysctls, ["net.ipv4.ip_forward=1"]);
    assert_eq!(config.env, ["FOO=bar"]);
    assert_eq!(config.dns_servers, ["1.1.1.1", "9.9.9.9"]);
    assert_eq!(config.dns_searches, ["example.com"]);
    assert_eq!(config.dns_options, ["ndots:2"]);
}

#[test]
fn shm_size_is_a_size_string() {
    assert_eq!(load("[containers]\nshm_size = \"1g\"").shm_size, 1 << 30);
    assert_eq!(
        load("[containers]\nshm_size = \"65536k\"").shm_size,
        64 << 20
    );
    assert_eq!(load("[containers]\nshm_size = \"4096\"").shm_size, 4096);
    assert!(refused("[containers]\nshm_size = \"12x\"").starts_with("containers.shm_size: "));
    assert_eq!(
        refused("[containers]\nshm_size = 65536"),
        "containers.shm_size: expected a string, found integer"
    );
}

#[test]
fn numbers_and_flags() {
    let config = load(
        r#"[containers]
pids_limit = 0
no_new_privileges = true
init = true
log_size_max = 8192
[engine]
stop_timeout = 30"#,
    );
    assert_eq!(config.pids_limit, 0);
    assert!(config.no_new_privileges);
    assert!(config.init);
    assert_eq!(config.log_size_max, 8192);
    assert_eq!(config.stop_timeout, 30);
    assert_eq!(load("[containers]\npids_limit = -1").pids_limit, -1);
    assert_eq!(load("[containers]\nlog_size_max = -1").log_size_max, -1);
    assert_eq!(
        refused("[containers]\ninit = \"yes\""),
        "containers.init: expected a boolean, found string"
    );
    assert_eq!(
        refused("[containers]\npids_limit = 1.5"),
        "containers.pids_limit: expected an integer, found float"
    );
    assert!(refused("[engine]\nstop_timeout = -1").starts_with("engine.stop_timeout: "));
}

#[test]
fn log_size_max_must_be_negative_or_hold_conmon_s_buffer() {
    for bad in [0, 1, 8191] {
        assert_eq!(
            refused(&format!("[containers]\nlog_size_max = {bad}")),
            "containers.log_size_max: log size max should be negative or >= 8192"
        );
    }
}

#[test]
fn umask_is_octal() {
    assert_eq!(load("[containers]\numask = \"0077\"").umask, 0o077);
    assert_eq!(load("[containers]\numask = \"7\"").umask, 0o7);
    for bad in ["0088", "00000", "", "-1", "0x12"] {
        let reason = refused(&format!("[containers]\numask = {bad:?}"));
        assert!(
            reason.starts_with("containers.umask: invalid umask"),
            "{reason}"
        );
    }
}

#[test]
fn paths_and_strings() {
    let config = load(
        r#"[containers]
seccomp_profile = "/etc/my-seccomp.json"
log_driver = "journald"
log_tag = "{{.Name}}"
[engine]
runtime = "crun"
conmon_path = ["/opt/conmon"]
conmon_env_vars = ["PATH=/opt/bin"]
runtime_supports_json = ["runc"]
tmp_dir = "/run/mine""#,
    );
    assert_eq!(
        config.seccomp_profile,
        Some(PathBuf::from("/etc/my-seccomp.json"))
    );
    assert_eq!(config.log_driver, "journald");
    assert_eq!(config.log_tag, "{{.Name}}");
    assert_eq!(config.runtime, "crun");
    assert_eq!(config.conmon_path, [PathBuf::from("/opt/conmon")]);
    assert_eq!(config.conmon_env_vars, ["PATH=/opt/bin"]);
    assert_eq!(config.runtime_supports_json, ["runc"]);
    assert_eq!(config.tmp_dir, Path::new("/run/mine"));
    // An empty seccomp_profile is the default one.
    let config = EngineConfig::from_toml_str(
        Path::new("b.conf"),
        "[containers]\nseccomp_profile = \"\"",
        config,
    )
    .unwrap();
    assert_eq!(config.seccomp_profile, None);
}

#[test]
fn init_path_of_containers_wins_over_that_of_engine() {
    assert_eq!(
        load("[engine]\ninit_path = \"/e\"").init_path,
        Some(PathBuf::from("/e"))
    );
    let both = "[containers]\ninit_path = \"/c\"\n[engine]\ninit_path = \"/e\"";
    assert_eq!(load(both).init_path, Some(PathBuf::from("/c")));
    // Also when a later file sets the engine one.
    let first = load("[containers]\ninit_path = \"/c\"");
    let second =
        EngineConfig::from_toml_str(Path::new("2.conf"), "[engine]\ninit_path = \"/e\"", first)
            .unwrap();
    assert_eq!(second.init_path, Some(PathBuf::from("/c")));
}

#[test]
fn hooks_dir_set_in_a_file_is_explicit() {
    let defaults = base();
    assert!(!defaults.hooks_dir_explicit);
    let config = load("[engine]\nhooks_dir = [\"/my/hooks\"]");
    assert_eq!(config.hooks_dir, [PathBuf::from("/my/hooks")]);
    assert!(config.hooks_dir_explicit);
}

#[test]
fn cgroup_manager_is_cgroupfs_or_systemd() {
    assert_eq!(
        load("[engine]\ncgroup_manager = \"systemd\"").cgroup_manager,
        "systemd"
    );
    assert_eq!(
        load("[engine]\ncgroup_manager = \"cgroupfs\"").cgroup_manager,
        "cgroupfs"
    );
    assert!(refused("[engine]\ncgroup_manager = \"none\"").starts_with("engine.cgroup_manager: "));
}

#[test]
fn netns_is_the_mode_of_containers_that_choose_none() {
    use libpod_spec::NetworkMode;
    assert_eq!(base().netns, NetworkMode::Bridge(Vec::new()));
    let netns = |value: &str| load(&format!("[containers]\nnetns = {value:?}")).netns;
    assert_eq!(netns("none"), NetworkMode::None);
    assert_eq!(netns("host"), NetworkMode::Host);
    for bridge in ["bridge", "private", "default", ""] {
        assert_eq!(netns(bridge), NetworkMode::Bridge(Vec::new()), "{bridge:?}");
    }
    assert_eq!(
        netns("front,back"),
        NetworkMode::Bridge(vec!["front".into(), "back".into()])
    );
    assert_eq!(
        netns("ns:/run/netns/x"),
        NetworkMode::Path("/run/netns/x".into())
    );
    for rootless in [
        "slirp4netns",
        "slirp4netns:port_handler=slirp4netns",
        "pasta",
    ] {
        let reason = refused(&format!("[containers]\nnetns = {rootless:?}"));
        assert!(reason.starts_with("containers.netns: "), "{reason}");
        assert!(reason.contains("rootless"), "{reason}");
    }
    assert!(refused("[containers]\nnetns = \"ns:relative\"").starts_with("containers.netns: "));
    assert!(refused("[containers]\nnetns = \"web:ip=10.0.0.2\"").contains("options"));
}

#[test]
fn runtimes_merge_by_name() {
    let config = load(
        r#"[engine.runtimes]
runc = ["/opt/runc"]
myrt = ["/opt/myrt", "/usr/bin/myrt"]"#,
    );
    let get = |name: &str| {
        config
            .runtimes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, paths)| paths.clone())
    };
    assert_eq!(get("runc").unwrap(), [PathBuf::from("/opt/runc")]);
    assert_eq!(get("myrt").unwrap().len(), 2);
    assert_eq!(
        get("crun"),
        base()
            .runtimes
            .iter()
            .find(|(n, _)| n == "crun")
            .map(|r| r.1.clone())
    );
    assert_eq!(
        refused("[engine.runtimes]\nrunc = \"/opt/runc\""),
        "engine.runtimes.runc: expected an array of strings, found string"
    );
    assert_eq!(
        refused("[engine]\nruntimes = [\"runc\"]"),
        "engine.runtimes: expected a table, found array"
    );
}

#[test]
fn wrong_types_name_the_key() {
    assert_eq!(
        refused("[engine]\nruntime = 5"),
        "engine.runtime: expected a string, found integer"
    );
    assert_eq!(
        refused("[containers]\nenv = \"PATH=/bin\""),
        "containers.env: expected an array of strings, found string"
    );
    assert_eq!(
        refused("[containers]\nenv = [\"A=1\", 2]"),
        "containers.env[1]: expected a string, found integer"
    );
    assert_eq!(
        refused("containers = 3"),
        "containers: expected a table, found integer"
    );
    assert_eq!(
        refused("[engine]\nhooks_dir = [[\"/a\"]]"),
        "engine.hooks_dir[0]: expected a string, found array"
    );
}

#[test]
fn unknown_keys_and_tables_are_ignored() {
    let config = load(
        r#"top_level = 1
[containers]
no_such_key = "x"
userns_size = "not an integer"
[engine]
num_locks = "not even the right type"
[engine.volume_plugins]
[network]
network_backend = "netavark"
[something_new]
x = [1, 2]"#,
    );
    assert_eq!(config, {
        let mut expected = base();
        expected
            .sources
            .push(PathBuf::from("/test/containers.conf"));
        expected
    });
}

#[test]
fn syntax_errors_give_the_place() {
    let reason = refused("[containers]\nenv = [\"a\"\n");
    assert!(reason.starts_with("line 2, column"), "{reason}");
    let reason = refused("[engine]\nruntime = \"a\"\nruntime = \"b\"\n");
    assert!(reason.starts_with("line 3, column 1: "), "{reason}");
    let reason = refused("\u{0}");
    assert!(reason.starts_with("line 1, column "), "{reason:?}");
}

#[test]
fn debian_s_shipped_file_changes_nothing_of_the_builtin_defaults() {
    let text = include_str!("testdata/debian12-containers.conf");
    let mut config = load(text);
    assert_eq!(config.sources, [PathBuf::from("/test/containers.conf")]);
    config.sources.clear();
    assert_eq!(config, base());
}

#[test]
fn drop_ins_are_the_conf_files_of_the_directory_in_name_order() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "20-b.conf",
        "10-a.conf",
        "30.conf.bak",
        "README",
        "05.CONF",
        ".conf",
    ] {
        std::fs::write(dir.path().join(name), "").unwrap();
    }
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("sub/00.conf"), "").unwrap();
    std::fs::create_dir(dir.path().join("dir.conf")).unwrap();
    let names: Vec<String> = drop_ins(dir.path())
        .unwrap()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, [".conf", "10-a.conf", "20-b.conf"]);
    assert!(drop_ins(&dir.path().join("missing")).unwrap().is_empty());
    assert!(drop_ins(&dir.path().join("README")).unwrap().is_empty());
}

#[test]
fn event_settings_are_podmans() {
    let defaults = base();
    assert_eq!(defaults.events_logger, "file");
    assert_eq!(defaults.events_logfile_path, None);
    assert_eq!(defaults.events_logfile_max_size, 1_000_000);
    let config = load(
        "[engine]\nevents_logger = \"none\"\nevents_logfile_path = \"/tmp/ev.log\"\n\
         events_logfile_max_size = \"2.5k\"",
    );
    assert_eq!(config.events_logger, "none");
    assert_eq!(
        config.events_logfile_path,
        Some(PathBuf::from("/tmp/ev.log"))
    );
    assert_eq!(config.events_logfile_max_size, 2_500);
    assert_eq!(
        load("[engine]\nevents_logfile_max_size = \"1MiB\"").events_logfile_max_size,
        1_000_000
    );
    assert_eq!(
        load("[engine]\nevents_logfile_max_size = 0").events_logfile_max_size,
        0
    );
    assert!(refused("[engine]\nevents_logger = \"syslog\"").contains("events_logger"));
    assert!(refused("[engine]\nevents_logfile_max_size = \"lots\"").contains("invalid size"));
}
