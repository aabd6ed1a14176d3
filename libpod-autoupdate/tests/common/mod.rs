//! Shared setup of the auto-update tests: a runtime on a private root, app images whose
//! `/etc/app/version` names their version, published to a real registry with skopeo,
//! containers in a private cgroup parent, and what a container prints.
#![allow(dead_code)]

use libpod_autoupdate::{Options, StateProbe};
use libpod_core::container::{
    Container, CtrCreateOption, with_cgroup_parent, with_labels, with_name, with_network_mode,
    with_pod, with_rootfs_from_image, with_stop_timeout,
};
use libpod_core::events::{EventStatus, EventType, ReadOptions};
use libpod_core::logs::LogOptions;
use libpod_core::pod::{
    Pod, PodRemoveOptions, with_pod_cgroup_parent, with_pod_name, with_pod_share,
};
use libpod_core::runtime::{EngineConfig, Runtime};
use libpod_spec::NetworkMode;
use libpod_storage::RegistriesConfig;
use libpod_storage::registry::{AuthFiles, PullOptions, RegistryOptions};
use libpod_testutil::registry::{
    LayerCompression, OciLayoutBuilder, Platform, TestRegistry, copy_to_registry,
};
use libpod_testutil::{TempRoot, busybox_rootfs, tar_directory};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The app's command: print the version, then keep running.
pub const SERVE: &[&str] = &["sh", "-c", "cat /etc/app/version; exec sleep 1000"];
/// A broken app: its entrypoint exits 1.
pub const BROKEN: &[&str] = &["sh", "-c", "echo broken; exit 1"];

/// Opens (again) the runtime on `dir`.
pub fn open(dir: &Path) -> Runtime {
    let mut engine = EngineConfig::builtin();
    // This host's hard limits are below Podman's implicit 1048576.
    engine.default_ulimits = vec!["nofile=1024:1024".into(), "nproc=1024:1024".into()];
    // No networking: bridge is the default, as in Podman, and these tests need none.
    engine.netns = "none".parse().expect("a network mode");
    Runtime::builder()
        .root(dir.join("root"))
        .run_root(dir.join("run"))
        .engine_config(engine)
        .open()
        .unwrap()
}

/// Pull options for a plain-HTTP test registry that read no host file.
pub fn plain_pull(tmp: &Path) -> PullOptions {
    let auth = tmp.join("empty-auth.json");
    std::fs::write(&auth, r#"{"auths":{}}"#).unwrap();
    PullOptions {
        registry: RegistryOptions {
            auth_files: Some(AuthFiles::explicit(auth)),
            tls_verify: Some(false),
            certs_dirs: Vec::new(),
            retries: 0,
            ..RegistryOptions::default()
        },
        registries_conf: Some(Arc::new(RegistriesConfig::default())),
        ..PullOptions::default()
    }
}

/// Updater options for the tests: rollback on, no systemd, the plain registry.
pub fn options(tmp: &Path) -> Options {
    Options {
        rollback: true,
        pull: plain_pull(tmp),
        systemd: None,
        ..Options::default()
    }
}

/// A probe quick enough for tests: an exit, or an `unhealthy` healthcheck (run every 200 ms
/// until it passes), within two seconds is a failure.
pub fn probe() -> StateProbe {
    StateProbe {
        grace: Duration::from_secs(2),
        interval: Duration::from_millis(50),
        check_every: Some(Duration::from_millis(200)),
    }
}

/// Writes an app image (busybox + `/etc/app/version` holding `version`, running `cmd`, with
/// a Docker `Healthcheck` running `healthcheck` in a shell every second, unhealthy after two
/// failures) as an OCI layout in `dir` under tag `latest`.
pub fn app_layout(tmp: &Path, dir: &Path, version: &str, cmd: &[&str], healthcheck: Option<&str>) {
    let busybox_tar = tmp.join("busybox.tar");
    if !busybox_tar.exists() {
        let rootfs = tmp.join("busybox-rootfs");
        busybox_rootfs(&rootfs).unwrap();
        tar_directory(&rootfs, &busybox_tar).unwrap();
    }
    let files = tmp.join(format!("app-{version}"));
    std::fs::create_dir_all(files.join("etc/app")).unwrap();
    std::fs::write(files.join("etc/app/version"), format!("{version}\n")).unwrap();
    let app_tar = tmp.join(format!("app-{version}.tar"));
    tar_directory(&files, &app_tar).unwrap();
    let _ = std::fs::remove_dir_all(dir);
    let layout = OciLayoutBuilder::create(dir).unwrap();
    let mut config = serde_json::json!({
        "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
        "Cmd": cmd,
    });
    if let Some(check) = healthcheck {
        config["Healthcheck"] = serde_json::json!({
            "Test": ["CMD-SHELL", check],
            "Interval": 1_000_000_000u64,
            "Retries": 2,
        });
    }
    let manifest = layout
        .add_image_with_config(
            &[
                std::fs::read(&busybox_tar).unwrap(),
                std::fs::read(&app_tar).unwrap(),
            ],
            LayerCompression::Gzip,
            &Platform::host(),
            config,
        )
        .unwrap();
    layout.tag(&manifest, "latest").unwrap();
}

/// Publishes an app image of `version` running `cmd` as `registry/repo_tag`.
pub fn publish(tmp: &Path, registry: &TestRegistry, repo_tag: &str, version: &str, cmd: &[&str]) {
    publish_checked(tmp, registry, repo_tag, version, cmd, None);
}

/// Publishes an app image of `version` running `cmd`, with a healthcheck running `check`
/// if given, as `registry/repo_tag`.
pub fn publish_checked(
    tmp: &Path,
    registry: &TestRegistry,
    repo_tag: &str,
    version: &str,
    cmd: &[&str],
    check: Option<&str>,
) {
    let dir = tmp.join(format!("layout-{version}"));
    app_layout(tmp, &dir, version, cmd, check);
    copy_to_registry(
        &format!("oci:{}:latest", dir.display()),
        registry,
        repo_tag,
        &[],
    )
    .unwrap();
}

/// The cgroup parent of this test's containers.
pub fn cgroup_parent() -> String {
    format!("/libpod-rs-autoupdate-test-{}", std::process::id())
}

/// A running container named `name` (no network) on `image` with the auto-update label
/// `policy`.
pub fn run(rt: &Runtime, name: &str, image: &str, policy: &str) -> Container {
    run_with(rt, name, image, policy, Vec::new())
}

/// [`run`] with more create options.
pub fn run_with(
    rt: &Runtime,
    name: &str,
    image: &str,
    policy: &str,
    options: Vec<CtrCreateOption>,
) -> Container {
    let mut all = vec![
        with_name(name),
        with_rootfs_from_image(image),
        with_labels([(libpod_autoupdate::policy::LABEL, policy)]),
        with_network_mode(NetworkMode::None),
        with_cgroup_parent(cgroup_parent()),
        // `sleep` as PID 1 ignores SIGTERM: no need to wait ten seconds for each stop.
        with_stop_timeout(1),
    ];
    all.extend(options);
    let ctr = rt.new_container(all).unwrap();
    ctr.start().unwrap();
    ctr
}

/// A pod named `name` in the test's cgroup parent, sharing IPC and UTS through its infra
/// container (not the network: its members choose theirs).
pub fn pod(rt: &Runtime, name: &str) -> Pod {
    rt.new_pod([
        with_pod_name(name),
        with_pod_share(["ipc", "uts"]),
        with_pod_cgroup_parent(cgroup_parent()),
    ])
    .unwrap()
}

/// A container named `name` in `pod` (no network) on `image` with the auto-update label
/// `policy` and `options`; not started (the pod's start starts its infra container first).
pub fn in_pod(
    rt: &Runtime,
    pod: &Pod,
    name: &str,
    image: &str,
    policy: &str,
    options: Vec<CtrCreateOption>,
) -> Container {
    let mut all = vec![
        with_name(name),
        with_pod(pod),
        with_rootfs_from_image(image),
        with_labels([(libpod_autoupdate::policy::LABEL, policy)]),
        with_network_mode(NetworkMode::None),
        with_stop_timeout(1),
    ];
    all.extend(options);
    rt.new_container(all).unwrap()
}

/// The first line the container `name` printed (waiting up to five seconds for one).
pub fn first_line(rt: &Runtime, name: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let ctr = rt.container(name).unwrap();
        let mut first = None;
        ctr.logs(&LogOptions::default(), &mut |line| {
            first = Some(line.message.clone());
            false
        })
        .unwrap();
        if let Some(line) = first {
            return line;
        }
        assert!(Instant::now() < deadline, "{name} printed nothing");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The ID of the image container `name` runs.
pub fn image_of(rt: &Runtime, name: &str) -> String {
    match &rt.container(name).unwrap().config().rootfs {
        Some(libpod_core::container::RootfsSource::Image { id, .. }) => id.clone(),
        other => panic!("{other:?}"),
    }
}

/// How many image pulls the runtime's event log holds.
pub fn pulls(rt: &Runtime) -> usize {
    let mut count = 0;
    rt.events()
        .read(&ReadOptions::default(), &|| false, &mut |event| {
            if event.kind == EventType::Image && event.status == EventStatus::Pull {
                count += 1;
            }
            true
        })
        .unwrap();
    count
}

/// Removes every pod and container of `rt` (force) and the test's cgroups.
pub fn teardown(rt: &Runtime) {
    for pod in rt.pods().unwrap_or_default() {
        let _ = rt.remove_pod(&pod, PodRemoveOptions::default().force(true));
    }
    for ctr in rt.containers().unwrap_or_default() {
        let _ = rt.remove_container(
            &ctr,
            libpod_core::container::RemoveOptions::default().force(true),
        );
    }
    let Ok(entries) = std::fs::read_dir("/sys/fs/cgroup") else {
        return;
    };
    for entry in entries.flatten() {
        let _ = std::fs::remove_dir(entry.path().join(cgroup_parent().trim_start_matches('/')));
    }
}

/// Imports busybox + /etc/app/version holding `version` as `localhost/app:VERSION`; returns
/// the image's ID.
pub fn import(rt: &Runtime, tmp: &Path, version: &str) -> String {
    let rootfs = tmp.join(format!("rootfs-{version}"));
    busybox_rootfs(&rootfs).unwrap();
    std::fs::create_dir_all(rootfs.join("etc/app")).unwrap();
    std::fs::write(rootfs.join("etc/app/version"), version).unwrap();
    let tar = tmp.join(format!("rootfs-{version}.tar"));
    tar_directory(&rootfs, &tar).unwrap();
    let name = libpod_storage::ImageReference::parse(&format!("localhost/app:{version}")).unwrap();
    let image = rt
        .storage()
        .import_tarball(std::fs::File::open(&tar).unwrap(), Some(&name), &[])
        .unwrap();
    image.id.hex()
}

/// A temp root for one test.
pub fn temp() -> TempRoot {
    TempRoot::new().unwrap()
}
