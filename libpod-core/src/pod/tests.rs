//! Pods with the fake OCI runtime and the in-memory state: create, join, order, status,
//! removal. Pod cgroups and the infra container's catatonit need the host: those parts are
//! off here (`with_pod_cgroup(false)`) and tested with real runc in `tests/pods.rs`.

use super::*;
use crate::container::{
    ContainerStatus, CtrCreateOption, RemoveOptions, with_command, with_dependencies, with_name,
    with_pod, with_rootfs_path,
};
use crate::oci::FakeRuntime;
use crate::state::MemoryState;
use libpod_testutil::TempRoot;

pub(super) struct Fixture {
    pub(super) _dir: TempRoot,
    pub(super) rt: Runtime,
    pub(super) fake: Arc<FakeRuntime>,
    pub(super) rootfs: std::path::PathBuf,
}

pub(super) fn fixture() -> Fixture {
    fixture_with(crate::runtime::config::without_networking())
}

/// A runtime on the fake OCI runtime with this engine configuration.
pub(super) fn fixture_with(engine: crate::runtime::EngineConfig) -> Fixture {
    let dir = TempRoot::new().unwrap();
    let rootfs = dir.path().join("rootfs");
    std::fs::create_dir_all(rootfs.join("etc")).unwrap();
    let fake = Arc::new(FakeRuntime::new());
    let rt = Runtime::builder()
        .root(dir.path().join("root"))
        .run_root(dir.path().join("run"))
        .engine_config(engine)
        .storage_driver("vfs")
        .state_store(Box::new(MemoryState::new()))
        .with_oci(fake.clone())
        .exit_monitor(false)
        .open()
        .unwrap();
    Fixture {
        _dir: dir,
        rt,
        fake,
        rootfs,
    }
}

impl Fixture {
    /// A pod sharing PID and UTS (no IPC: no shm mount), without a cgroup or a bridge (host
    /// state: its infra container gets the pod's network whatever is shared).
    pub(super) fn pod(&self, extra: Vec<PodCreateOption>) -> Pod {
        let mut options = vec![
            with_pod_share(["pid", "uts"]),
            with_pod_cgroup(false),
            with_pod_network_mode(libpod_spec::NetworkMode::None),
        ];
        options.extend(extra);
        self.rt.new_pod(options).unwrap()
    }

    pub(super) fn member(&self, pod: &Pod, extra: Vec<CtrCreateOption>) -> Result<Container> {
        let mut spec = libpod_spec::CreateConfig::default();
        spec.ipc = libpod_spec::NamespaceMode::Host;
        let mut options = vec![
            crate::container::with_create_config(spec),
            with_rootfs_path(self.rootfs.clone()),
            with_command(["/bin/true"]),
            with_pod(pod),
        ];
        options.extend(extra);
        self.rt.new_container(options)
    }
}

#[test]
fn a_pod_shares_ipc_net_uts_by_default_through_an_infra_container() {
    let f = fixture();
    let pod =
        f.rt.new_pod([with_pod_name("web"), with_pod_cgroup(false)])
            .unwrap();
    assert!(pod.shares_ipc() && pod.shares_net() && pod.shares_uts());
    assert!(!pod.shares_pid() && !pod.shares_cgroup_ns() && !pod.shares_user());
    assert!(pod.has_infra());
    let infra = pod
        .infra_container_id()
        .unwrap()
        .expect("an infra container");
    let ctr = f.rt.container(&infra).unwrap();
    assert!(ctr.config().is_infra);
    assert_eq!(ctr.config().pod.as_deref(), Some(pod.id()));
    assert_eq!(
        ctr.config().spec.command.as_deref(),
        Some(&["/catatonit".to_string(), "-P".into()][..])
    );
    assert_eq!(ctr.config().spec.uts.hostname.as_deref(), Some("web"));
    assert!(ctr.config().spec.security.read_only_rootfs);
    assert!(!pod.state().unwrap().creating);
    assert_eq!(f.rt.pod("web").unwrap().id(), pod.id());
    assert!(f.rt.pod_exists(&pod.id()[..10]).unwrap());
    assert!(matches!(
        f.rt.remove_container(&ctr, RemoveOptions::default().force(true)),
        Err(CoreError::PodInfraContainer { .. })
    ));
}

#[test]
fn no_infra_container_when_nothing_is_shared_unless_asked() {
    let f = fixture();
    let bare =
        f.rt.new_pod([with_pod_share(["none"]), with_pod_cgroup(false)])
            .unwrap();
    assert!(!bare.has_infra() && bare.infra_container_id().unwrap().is_none());
    let asked =
        f.rt.new_pod([
            with_pod_share(["none"]),
            with_pod_infra(true),
            with_pod_cgroup(false),
        ])
        .unwrap();
    assert!(asked.infra_container_id().unwrap().is_some());
    let off =
        f.rt.new_pod([with_pod_infra(false), with_pod_cgroup(false)])
            .unwrap();
    assert!(!off.has_infra() && !off.shares_namespaces());
    assert!(matches!(
        f.rt.new_pod([with_pod_share(["net"]), with_pod_infra(false)]),
        Err(CoreError::InvalidOption {
            option: "pod infra",
            ..
        })
    ));
    assert!(f.rt.new_pod([with_pod_share(["mnt"])]).is_err());
}

#[test]
fn members_join_the_infra_containers_namespaces_and_hostname() {
    let f = fixture();
    let pod = f.pod(vec![with_pod_hostname("pod-host")]);
    let infra = pod.infra_container_id().unwrap().unwrap();
    let ctr = f.member(&pod, vec![]).unwrap();
    let config = ctr.config();
    assert_eq!(config.pod.as_deref(), Some(pod.id()));
    assert_eq!(config.namespaces_from.get("pid"), Some(&infra));
    assert_eq!(config.namespaces_from.get("uts"), Some(&infra));
    assert_eq!(config.namespaces_from.get("ipc"), None, "ipc is not shared");
    assert_eq!(config.spec.uts.hostname.as_deref(), Some("pod-host"));
    let mut other_host = libpod_spec::CreateConfig::default();
    other_host.uts.hostname = Some("mine".into());
    let refused = f.rt.new_container([
        crate::container::with_create_config(other_host),
        with_rootfs_path(f.rootfs.clone()),
        with_pod(&pod),
    ]);
    assert!(matches!(
        refused,
        Err(CoreError::InvalidOption {
            option: "hostname",
            ..
        })
    ));
}

#[test]
fn joining_a_removed_pod_is_a_typed_error() {
    let f = fixture();
    let pod = f.pod(vec![]);
    f.rt.remove_pod(&pod, PodRemoveOptions::default()).unwrap();
    assert!(matches!(f.member(&pod, vec![]), Err(CoreError::PodRemoved(id)) if id == pod.id()));
    assert!(matches!(f.rt.pod(pod.id()), Err(CoreError::PodNotFound(_))));
}

#[test]
fn members_depend_only_on_their_pods_containers() {
    let f = fixture();
    let pod = f.pod(vec![]);
    let other = f.pod(vec![]);
    let outsider = f.member(&other, vec![]).unwrap();
    let refused = f.member(&pod, vec![with_dependencies(&[&outsider])]);
    assert!(matches!(
        refused,
        Err(CoreError::InvalidOption { option: "pod", .. })
    ));
}

#[test]
fn start_goes_in_dependency_order_and_stop_in_reverse() {
    let f = fixture();
    let pod = f.pod(vec![]);
    let c = f.member(&pod, vec![with_name("c")]).unwrap();
    let b = f
        .member(&pod, vec![with_name("b"), with_dependencies(&[&c])])
        .unwrap();
    let a = f
        .member(&pod, vec![with_name("a"), with_dependencies(&[&b])])
        .unwrap();
    let infra = pod.infra_container_id().unwrap().unwrap();
    let order: Vec<String> = pod
        .lock()
        .unwrap()
        .waves()
        .unwrap()
        .iter()
        .flatten()
        .map(|c| c.id().to_string())
        .collect();
    assert_eq!(order, [&infra, c.id(), b.id(), a.id()].map(String::from));
    assert_eq!(pod.status().unwrap(), PodStatus::Created);
    pod.start().unwrap();
    assert_eq!(pod.status().unwrap(), PodStatus::Running);
    f.fake.exit(a.id(), 0);
    assert_eq!(pod.status().unwrap(), PodStatus::Degraded);
    pod.pause().unwrap();
    assert_eq!(a.status().unwrap(), ContainerStatus::Exited);
    assert_eq!(b.status().unwrap(), ContainerStatus::Paused);
    pod.unpause().unwrap();
    pod.stop(Some(0)).unwrap();
    assert_eq!(pod.status().unwrap(), PodStatus::Exited);
    pod.restart().unwrap();
    assert_eq!(pod.status().unwrap(), PodStatus::Running);
    assert!(matches!(
        f.rt.remove_pod(&pod, PodRemoveOptions::default()),
        Err(CoreError::InvalidState { .. })
    ));
    assert_eq!(
        pod.containers().unwrap().len(),
        4,
        "nothing removed without force"
    );
    f.rt.remove_pod(&pod, PodRemoveOptions::default().force(true).timeout(0))
        .unwrap();
    assert!(f.rt.pods().unwrap().is_empty());
    assert!(f.rt.containers().unwrap().is_empty());
}

#[test]
fn the_exit_policy_stop_stops_the_pod_after_its_last_container() {
    let f = fixture();
    let pod = f.pod(vec![with_pod_exit_policy(PodExitPolicy::Stop)]);
    let a = f.member(&pod, vec![]).unwrap();
    let b = f.member(&pod, vec![]).unwrap();
    pod.start().unwrap();
    f.fake.exit(a.id(), 0);
    f.rt.cleanup_container(a.id()).unwrap();
    assert_eq!(pod.status().unwrap(), PodStatus::Degraded, "b still runs");
    f.fake.exit(b.id(), 0);
    f.rt.cleanup_container(b.id()).unwrap();
    assert_eq!(
        pod.status().unwrap(),
        PodStatus::Exited,
        "the infra container stopped"
    );

    let kept = f.pod(vec![]);
    let c = f.member(&kept, vec![]).unwrap();
    kept.start().unwrap();
    f.fake.exit(c.id(), 0);
    f.rt.cleanup_container(c.id()).unwrap();
    assert_eq!(
        kept.status().unwrap(),
        PodStatus::Degraded,
        "continue: the infra runs on"
    );
    // Their infra containers' mounts go with them.
    for pod in [pod, kept] {
        f.rt.remove_pod(&pod, PodRemoveOptions::default().force(true).timeout(0))
            .unwrap();
    }
}

#[test]
fn a_pod_whose_create_was_cut_short_is_removed_by_the_next_look() {
    let f = fixture();
    let mut config = PodConfig::new("c".repeat(64), "half");
    config.has_infra = true;
    let mut state = PodState::new();
    state.creating = true;
    f.rt.state().add_pod(&config, &state).unwrap();
    assert!(matches!(f.rt.pod("half"), Err(CoreError::PodNotFound(_))));
    assert!(f.rt.state().all_pods().unwrap().is_empty());
}

#[test]
fn pod_statuses_follow_podmans_rules() {
    use ContainerStatus as C;
    assert_eq!(PodStatus::of(&[C::Running, C::Running]), PodStatus::Running);
    assert_eq!(PodStatus::of(&[C::Paused, C::Paused]), PodStatus::Paused);
    assert_eq!(PodStatus::of(&[C::Paused, C::Exited]), PodStatus::Stopped);
    assert_eq!(
        PodStatus::of(&[C::Created, C::Configured]),
        PodStatus::Created
    );
    assert_eq!(PodStatus::of(&[C::Removing, C::Created]), PodStatus::Error);
}

#[test]
fn a_pods_network_and_ports_are_its_infra_containers() {
    use crate::container::{with_networks, with_port_mappings};
    use crate::record::NetworkAttachment;
    use libpod_spec::NetworkMode;
    let f = fixture_with(crate::runtime::EngineConfig::builtin());
    let port = libpod_net::parse::parse_publish("8080:80").unwrap();
    // By default: the runtime's netns (bridge), on the default network, the pod's name an
    // alias there; the ports on the infra container.
    let pod =
        f.rt.new_pod([
            with_pod_name("web"),
            with_pod_cgroup(false),
            with_pod_port_mappings(vec![port.clone()]),
        ])
        .unwrap();
    assert_eq!(pod.config().network_mode, NetworkMode::Bridge(Vec::new()));
    let infra_id = pod.infra_container_id().unwrap().unwrap();
    let infra = f.rt.container(&infra_id).unwrap();
    let default = f.rt.networks().unwrap().default_network().to_string();
    assert_eq!(
        infra.config().spec.network.mode,
        NetworkMode::Bridge(vec![default.clone()])
    );
    assert_eq!(infra.config().networks[0].aliases, ["web"]);
    assert_eq!(infra.config().port_mappings, std::slice::from_ref(&port));

    // Members join its namespace, with no ports or networks of their own.
    let member = f.member(&pod, vec![]).unwrap();
    assert_eq!(
        member.config().spec.network.mode,
        NetworkMode::Container(infra_id)
    );
    assert!(matches!(
        f.member(&pod, vec![with_port_mappings(vec![port.clone()])]),
        Err(CoreError::NetworkOnPodMember {
            what: "published or exposed ports",
            ..
        })
    ));
    assert!(matches!(
        f.member(
            &pod,
            vec![with_networks(vec![NetworkAttachment::new(default)])]
        ),
        Err(CoreError::NetworkOnPodMember {
            what: "networks",
            ..
        })
    ));

    // With a network mode of its own (Podman's `--pod P --network MODE`), a member leaves
    // the pod's network and may publish ports.
    let own = f
        .member(
            &pod,
            vec![
                crate::container::with_network_mode(NetworkMode::Bridge(Vec::new())),
                with_port_mappings(vec![port.clone()]),
            ],
        )
        .unwrap();
    assert_eq!(own.config().namespaces_from.get("network"), None);
    assert!(matches!(&own.config().spec.network.mode, NetworkMode::Bridge(n) if n.len() == 1));

    // Named networks with the pod's options on them; none; refusals without a shared net.
    let mut request = libpod_net::types::Network::default();
    request.name = "front".into();
    f.rt.create_network(request).unwrap();
    let mut front = NetworkAttachment::new("front");
    front.aliases.push("api".into());
    let named =
        f.rt.new_pod([
            with_pod_name("named"),
            with_pod_cgroup(false),
            with_pod_networks(vec![front]),
        ])
        .unwrap();
    let named_infra =
        f.rt.container(&named.infra_container_id().unwrap().unwrap())
            .unwrap();
    assert_eq!(
        named_infra.config().spec.network.mode,
        NetworkMode::Bridge(vec!["front".into()])
    );
    assert_eq!(named_infra.config().networks[0].aliases, ["api", "named"]);
    let isolated = f.pod(vec![
        with_pod_share(["net", "uts"]),
        with_pod_network_mode(NetworkMode::None),
    ]);
    let isolated_infra =
        f.rt.container(&isolated.infra_container_id().unwrap().unwrap())
            .unwrap();
    assert_eq!(isolated_infra.config().spec.network.mode, NetworkMode::None);
    // Ports need an infra container and a bridge, in Podman's words.
    let refusal = |options: Vec<PodCreateOption>| match f.rt.new_pod(options) {
        Err(CoreError::InvalidOption {
            option: "pod network",
            reason,
        }) => reason,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        refusal(vec![
            with_pod_infra(false),
            with_pod_port_mappings(vec![port.clone()])
        ]),
        "you must have an infra container to publish port bindings to the host"
    );
    assert_eq!(
        refusal(vec![
            with_pod_infra(false),
            with_pod_network_mode(NetworkMode::None)
        ]),
        "NoInfra and network modes cannot be used together"
    );
    assert_eq!(
        refusal(vec![
            with_pod_network_mode(NetworkMode::None),
            with_pod_port_mappings(vec![port])
        ]),
        "PortMappings can only be used with Bridge or slirp4netns networking"
    );
}
