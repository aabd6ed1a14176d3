//! Parity with the real Podman 4.3: for each option combination, `podman create` + `podman init`
//! writes a config.json; we generate ours for the same request and compare them field by field.
//!
//! The runtime's facts that are not the spec crate's to decide are taken from Podman's container
//! so that everything else can be compared exactly: its ID (hence hostname and cgroupsPath), its
//! creation time, the host paths of the files it bind-mounts (hosts, hostname, .containerenv,
//! the shm directory) and of anonymous volumes. Users resolve in our own busybox rootfs, which
//! has the same /etc/passwd and /etc/group as the image Podman runs.
//!
//! Normalised before comparing (order that Podman takes from Go map iteration, or that does not
//! matter): the environment, capability sets, additional groups, mounts (by destination),
//! devices (by path) and rlimits (by type). The root path differs (Podman's overlay mount, our
//! rootfs directory) and is not compared. Seccomp is compared whole: every rule, in order.
//!
//! Deliberate differences, per case in `Case::skip` with the reason:
//! - `--ulimit`: Podman drops every default ulimit when one is given and sets nofile/nproc it was
//!   not given to 1048576, above this host's hard limit (runc then fails); we replace defaults
//!   per type and cap the implicit ones at the hard limit. Compared: the types the user set.

use libpod_spec::{
    CreateConfig, ImageConfig, NamespaceKind, NamespaceMode, SpecContext, SpecDefaults,
    SpecGenerator,
};
use libpod_testutil::{Podman, TempRoot, busybox_rootfs, require_root, serial};
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};

const CONTAINERS_CONF: &str = r#"[containers]
default_capabilities = ["CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]
default_sysctls = ["net.ipv4.ping_group_range=0 0"]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
pids_limit = 2048
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
"#;

/// One option combination: Podman's flags, and the same request as our configuration.
struct Case {
    name: &'static str,
    podman: Vec<String>,
    image: Image,
    config: CreateConfig,
    /// JSON paths (after normalisation) left out of the comparison, with the reason.
    skip: &'static [(&'static str, &'static str)],
}

#[derive(Clone, Copy)]
enum Image {
    Busybox,
    Configured,
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

fn case(
    name: &'static str,
    flags: &[&str],
    image: Image,
    cmd: &[&str],
    tweak: impl FnOnce(&mut CreateConfig),
) -> Case {
    let mut podman = s(&["--network", "none"]);
    podman.extend(s(flags));
    podman.push(match image {
        Image::Busybox => "localhost/busybox".into(),
        Image::Configured => "localhost/bbcfg".into(),
    });
    podman.extend(s(cmd));
    let mut config = CreateConfig::default();
    if !cmd.is_empty() {
        config.command = Some(s(cmd));
    }
    tweak(&mut config);
    Case {
        name,
        podman,
        image,
        config,
        skip: &[],
    }
}

/// The block device under the root filesystem's disk (e.g. /dev/vda), for the blkio case.
fn a_block_device() -> String {
    let disk = std::fs::read_dir("/sys/block")
        .expect("/sys/block")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| {
            !n.starts_with("loop")
                && !n.starts_with("ram")
                && !n.starts_with("zram")
                && Path::new("/dev").join(n).exists()
        })
        .expect("a block device for the blkio case");
    format!("/dev/{disk}")
}

fn cases(vsrc: &str) -> Vec<Case> {
    let blk = a_block_device();
    let mut cases = vec![
        case("default", &[], Image::Busybox, &["/bin/true"], |_| {}),
        case(
            "user uid:gid",
            &["--user", "1000:1000"],
            Image::Busybox,
            &["true"],
            |c| c.user.user = Some("1000:1000".into()),
        ),
        case(
            "user name",
            &["--user", "user"],
            Image::Busybox,
            &["true"],
            |c| c.user.user = Some("user".into()),
        ),
        case(
            "user name:group",
            &["--user", "user:audio"],
            Image::Busybox,
            &["true"],
            |c| c.user.user = Some("user:audio".into()),
        ),
        case(
            "unknown uid",
            &["--user", "5000"],
            Image::Busybox,
            &["true"],
            |c| c.user.user = Some("5000".into()),
        ),
        case(
            "group-add",
            &["--group-add", "audio", "--group-add", "1234"],
            Image::Busybox,
            &["true"],
            |c| c.user.group_add = s(&["audio", "1234"]),
        ),
        case(
            "cap-drop ALL",
            &["--cap-drop", "ALL"],
            Image::Busybox,
            &["true"],
            |c| c.security.cap_drop = s(&["ALL"]),
        ),
        case(
            "cap-add and cap-drop",
            &[
                "--cap-add",
                "SYS_ADMIN",
                "--cap-add",
                "cap_net_admin",
                "--cap-drop",
                "CHOWN",
            ],
            Image::Busybox,
            &["true"],
            |c| {
                c.security.cap_add = s(&["SYS_ADMIN", "cap_net_admin"]);
                c.security.cap_drop = s(&["CHOWN"]);
            },
        ),
        case(
            "non-root cap-add",
            &["--user", "1000", "--cap-add", "NET_ADMIN"],
            Image::Busybox,
            &["true"],
            |c| {
                c.user.user = Some("1000".into());
                c.security.cap_add = s(&["NET_ADMIN"]);
            },
        ),
        case(
            "privileged",
            &["--privileged"],
            Image::Busybox,
            &["true"],
            |c| c.security.privileged = true,
        ),
        case(
            "read-only",
            &["--read-only"],
            Image::Busybox,
            &["true"],
            |c| c.security.read_only_rootfs = true,
        ),
        case(
            "read-only without tmpfs",
            &["--read-only", "--read-only-tmpfs=false"],
            Image::Busybox,
            &["true"],
            |c| {
                c.security.read_only_rootfs = true;
                c.security.read_only_tmpfs = false;
            },
        ),
        case(
            "memory",
            &[
                "--memory",
                "64m",
                "--memory-swap",
                "128m",
                "--memory-reservation",
                "32m",
                "--memory-swappiness",
                "10",
            ],
            Image::Busybox,
            &["true"],
            |c| {
                c.resources.memory = Some(64 << 20);
                c.resources.memory_swap = Some(128 << 20);
                c.resources.memory_reservation = Some(32 << 20);
                c.resources.memory_swappiness = Some(10);
            },
        ),
        case(
            "memory alone",
            &["--memory", "64m"],
            Image::Busybox,
            &["true"],
            |c| c.resources.memory = Some(64 << 20),
        ),
        case(
            "cpu",
            &[
                "--cpus",
                "1.5",
                "--cpu-shares",
                "512",
                "--cpuset-cpus",
                "0",
                "--cpuset-mems",
                "0",
            ],
            Image::Busybox,
            &["true"],
            |c| {
                c.resources.cpus = Some(1.5);
                c.resources.cpu_shares = Some(512);
                c.resources.cpuset_cpus = Some("0".into());
                c.resources.cpuset_mems = Some("0".into());
            },
        ),
        case(
            "pids-limit",
            &["--pids-limit", "100"],
            Image::Busybox,
            &["true"],
            |c| c.resources.pids_limit = Some(100),
        ),
        case(
            "oom",
            &["--oom-score-adj", "100", "--oom-kill-disable"],
            Image::Busybox,
            &["true"],
            |c| {
                c.resources.oom_score_adj = Some(100);
                c.resources.disable_oom_killer = true;
            },
        ),
        case(
            "sysctl",
            &[
                "--sysctl",
                "net.ipv4.ip_forward=1",
                "--sysctl",
                "kernel.msgmax=65536",
            ],
            Image::Busybox,
            &["true"],
            |c| {
                c.security
                    .sysctl
                    .insert("net.ipv4.ip_forward".into(), "1".into());
                c.security
                    .sysctl
                    .insert("kernel.msgmax".into(), "65536".into());
            },
        ),
        case(
            "tmpfs",
            &["--tmpfs", "/scratch:rw,size=64m"],
            Image::Busybox,
            &["true"],
            |c| c.tmpfs = s(&["/scratch:rw,size=64m"]),
        ),
        case(
            "device",
            &[
                "--device",
                "/dev/fuse",
                "--device",
                "/dev/null:/dev/mynull:r",
            ],
            Image::Busybox,
            &["true"],
            |c| c.devices = s(&["/dev/fuse", "/dev/null:/dev/mynull:r"]),
        ),
        case("tty", &["-t", "-i"], Image::Busybox, &["true"], |c| {
            c.tty = true;
            c.interactive = true;
        }),
        case(
            "entrypoint, workdir, env",
            &[
                "--entrypoint",
                "/bin/sh",
                "-w",
                "/tmp",
                "-e",
                "FOO=bar",
                "-e",
                "PATH=/bin",
            ],
            Image::Busybox,
            &["-c", "echo x"],
            |c| {
                c.entrypoint = Some(s(&["/bin/sh"]));
                c.workdir = Some("/tmp".into());
                c.env.insert("FOO".into(), "bar".into());
                c.env.insert("PATH".into(), "/bin".into());
            },
        ),
        case(
            "hostname",
            &["--hostname", "myhost"],
            Image::Busybox,
            &["true"],
            |c| c.uts.hostname = Some("myhost".into()),
        ),
        case(
            "seccomp unconfined, no-new-privileges",
            &[
                "--security-opt",
                "seccomp=unconfined",
                "--security-opt",
                "no-new-privileges",
            ],
            Image::Busybox,
            &["true"],
            |c| c.security.security_opts = s(&["seccomp=unconfined", "no-new-privileges"]),
        ),
        case("init", &["--init"], Image::Busybox, &["true"], |c| {
            c.init = true
        }),
        case(
            "host namespaces",
            &["--pid", "host", "--ipc", "host", "--uts", "host"],
            Image::Busybox,
            &["true"],
            |c| {
                c.pid = NamespaceMode::Host;
                c.ipc = NamespaceMode::Host;
                c.uts.mode = NamespaceMode::Host;
            },
        ),
        case(
            "cgroupns private",
            &["--cgroupns", "private"],
            Image::Busybox,
            &["true"],
            |c| c.cgroupns = Some(NamespaceMode::Private),
        ),
        case(
            "stop signal and annotation",
            &["--stop-signal", "SIGINT", "--annotation", "an=v"],
            Image::Busybox,
            &["true"],
            |c| {
                c.stop_signal = Some("SIGINT".into());
                c.annotations.insert("an".into(), "v".into());
            },
        ),
        case("image config", &[], Image::Configured, &[], |_| {}),
        case(
            "image config, entrypoint cleared",
            &["--entrypoint", ""],
            Image::Configured,
            &["ls"],
            |c| c.entrypoint = Some(s(&[""])),
        ),
        case(
            "image config, root user and env",
            &["-u", "0", "-e", "FOO=cli"],
            Image::Configured,
            &[],
            |c| {
                c.user.user = Some("0".into());
                c.env.insert("FOO".into(), "cli".into());
            },
        ),
    ];
    let vol = |c: &mut CreateConfig, v: Vec<String>| c.volumes = v;
    let v1 = format!("{vsrc}:/data:ro");
    let v2 = format!("{vsrc}:/data2");
    cases.push(case(
        "volumes",
        &["-v", &v1, "-v", &v2],
        Image::Busybox,
        &["true"],
        |c| vol(c, vec![v1.clone(), v2.clone()]),
    ));
    let m1 = format!("type=bind,src={vsrc},dst=/m1,ro");
    cases.push(case(
        "mount flags",
        &[
            "--mount",
            &m1,
            "--mount",
            "type=tmpfs,dst=/m2,tmpfs-size=1m",
        ],
        Image::Busybox,
        &["true"],
        |c| c.mounts = vec![m1.clone(), "type=tmpfs,dst=/m2,tmpfs-size=1m".into()],
    ));
    let rbps = format!("{blk}:1mb");
    let wiops = format!("{blk}:100");
    cases.push(case(
        "blkio throttles",
        &["--device-read-bps", &rbps, "--device-write-iops", &wiops],
        Image::Busybox,
        &["true"],
        |c| {
            c.resources.device_read_bps = vec![rbps.clone()];
            c.resources.device_write_iops = vec![wiops.clone()];
        },
    ));
    let mut ulimit = case(
        "ulimit",
        &["--ulimit", "nofile=512:1024", "--ulimit", "core=-1"],
        Image::Busybox,
        &["true"],
        |c| c.resources.ulimit = s(&["nofile=512:1024", "core=-1"]),
    );
    ulimit.skip = &[(
        "process.rlimits.RLIMIT_NPROC",
        "Podman drops default ulimits when --ulimit is given and sets nproc to 1048576, above the host's hard limit; we keep the default nproc",
    )];
    cases.push(ulimit);
    cases
}

/// The image config of `localhost/bbcfg`, as `podman import` stores the `--change` flags below
/// (it writes the stop signal as a number).
fn configured_image() -> ImageConfig {
    oci_spec::image::ConfigBuilder::default()
        .entrypoint(s(&["/bin/sh", "-c"]))
        .cmd(s(&["echo hi"]))
        .env(s(&["FOO=img", "BAR=imgbar"]))
        .working_dir("/tmp")
        .user("user")
        .stop_signal("3")
        .volumes(s(&["/vol"]))
        .build()
        .unwrap()
}

const CONFIGURED_CHANGES: &[&str] = &[
    r#"ENTRYPOINT ["/bin/sh","-c"]"#,
    r#"CMD ["echo hi"]"#,
    "ENV FOO=img",
    "ENV BAR=imgbar",
    "WORKDIR /tmp",
    "USER user",
    "STOPSIGNAL SIGQUIT",
    "VOLUME /vol",
];

/// The runtime's facts, taken from Podman's container.
fn context_from(podman_spec: &Value, rootfs: &Path) -> SpecContext {
    let annotations = &podman_spec["annotations"];
    let cgroups_path = podman_spec["linux"]["cgroupsPath"].as_str().unwrap();
    let id = cgroups_path.rsplit("libpod-").next().unwrap();
    let mut ctx = SpecContext::new(id, rootfs);
    ctx.created = annotations["io.kubernetes.cri-o.Created"]
        .as_str()
        .map(str::to_string);
    for m in podman_spec["mounts"].as_array().unwrap() {
        let dest = m["destination"].as_str().unwrap();
        let source = PathBuf::from(m["source"].as_str().unwrap_or_default());
        match dest {
            "/etc/hosts" | "/etc/hostname" | "/etc/resolv.conf" | "/run/.containerenv" => {
                ctx.bind_mounts.insert(dest.into(), source);
            }
            "/dev/shm" if m["type"] == "bind" && source != Path::new("/dev/shm") => {
                ctx.bind_mounts.insert(dest.into(), source);
            }
            _ if source.to_string_lossy().contains("/volumes/") => {
                ctx.volume_paths.insert(dest.into(), source);
            }
            _ => {}
        }
    }
    if let Some(ns) = podman_spec["linux"]["namespaces"].as_array() {
        for n in ns {
            if let (Some("network"), Some(path)) = (n["type"].as_str(), n["path"].as_str()) {
                ctx.namespace_paths
                    .insert(NamespaceKind::Network, path.into());
            }
        }
    }
    ctx
}

/// Puts order-free lists in a canonical order.
fn normalize(mut spec: Value) -> Value {
    spec["root"].as_object_mut().unwrap().remove("path");
    let process = spec["process"].as_object_mut().unwrap();
    if let Some(env) = process.get_mut("env") {
        sort_strings(env);
    }
    if let Some(list) = process
        .get_mut("user")
        .and_then(|u| u.get_mut("additionalGids"))
        .and_then(Value::as_array_mut)
    {
        list.sort_by_key(Value::as_u64);
    }
    if let Some(caps) = process
        .get_mut("capabilities")
        .and_then(Value::as_object_mut)
    {
        for set in caps.values_mut() {
            sort_strings(set);
        }
    }
    if let Some(rlimits) = process.remove("rlimits") {
        let by_type: Map<String, Value> = rlimits
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["type"].as_str().unwrap().to_string(),
                    json!({"soft": r["soft"], "hard": r["hard"]}),
                )
            })
            .collect();
        process.insert("rlimits".into(), Value::Object(by_type));
    }
    let mounts: Map<String, Value> = spec["mounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["destination"].as_str().unwrap().to_string(), m.clone()))
        .collect();
    spec["mounts"] = Value::Object(mounts);
    let linux = spec["linux"].as_object_mut().unwrap();
    if let Some(devices) = linux.remove("devices") {
        let by_path: Map<String, Value> = devices
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (d["path"].as_str().unwrap().to_string(), d.clone()))
            .collect();
        linux.insert("devices".into(), Value::Object(by_path));
    }
    spec
}

fn sort_strings(v: &mut Value) {
    if let Some(list) = v.as_array_mut() {
        list.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    }
}

fn remove_path(v: &mut Value, path: &str) {
    let mut parts: Vec<&str> = path.split('.').collect();
    let last = parts.pop().unwrap();
    let mut cur = v;
    for p in parts {
        cur = &mut cur[p];
    }
    if let Some(obj) = cur.as_object_mut() {
        obj.remove(last);
    }
}

fn differences(ours: &Value, theirs: &Value, path: &str, out: &mut Vec<String>) {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            for key in a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))) {
                let p = format!("{path}.{key}");
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => differences(x, y, &p, out),
                    (Some(x), None) => out.push(format!("{p}: only ours: {x}")),
                    (None, Some(y)) => out.push(format!("{p}: only Podman's: {y}")),
                    (None, None) => {}
                }
            }
        }
        _ if ours != theirs => out.push(format!("{path}: ours {ours} / Podman's {theirs}")),
        _ => {}
    }
}

#[test]
fn specs_match_podman_4_3() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let rootfs = tmp.path().join("rootfs");
    busybox_rootfs(&rootfs).unwrap();
    let vsrc = tmp.path().join("vsrc");
    std::fs::create_dir(&vsrc).unwrap();
    let podman = Podman::new(&tmp.path().join("podman"), CONTAINERS_CONF);
    podman
        .import_rootfs(&rootfs, "localhost/busybox", &[])
        .unwrap();
    podman
        .import_rootfs(&rootfs, "localhost/bbcfg", CONFIGURED_CHANGES)
        .unwrap();

    let mut defaults = SpecDefaults::default();
    defaults.ulimits = s(&["nofile=1024:1024", "nproc=1024:1024"]);
    let generator = SpecGenerator::new(defaults).unwrap();
    let image_config = configured_image();

    let cases = cases(vsrc.to_str().unwrap());
    assert!(cases.len() >= 15);
    let mut failures = Vec::new();
    for case in &cases {
        let args: Vec<&str> = case.podman.iter().map(String::as_str).collect();
        let theirs = podman
            .create_and_init(&args)
            .unwrap_or_else(|e| panic!("{}: podman: {e}", case.name));
        let ctx = context_from(&theirs, &rootfs);
        let image = match case.image {
            Image::Busybox => None,
            Image::Configured => Some(&image_config),
        };
        let ours = generator
            .generate(&case.config, image, &ctx)
            .unwrap_or_else(|e| panic!("{}: generate: {e}", case.name));
        let mut ours = normalize(serde_json::to_value(&ours).unwrap());
        let mut theirs = normalize(theirs);
        for (path, _reason) in case.skip {
            remove_path(&mut ours, path);
            remove_path(&mut theirs, path);
        }
        let mut diffs = Vec::new();
        differences(&ours, &theirs, "", &mut diffs);
        if !diffs.is_empty() {
            failures.push(format!(
                "case {:?} ({}):\n  {}",
                case.name,
                case.podman.join(" "),
                diffs.join("\n  ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from Podman:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
