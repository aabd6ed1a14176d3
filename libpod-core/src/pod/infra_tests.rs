//! The infra container options with the fake OCI runtime: DNS and hosts entries, the infra
//! container's name, command, PID and UTS modes and what members get from them; the
//! refusals in Podman's words, and `--userns` beyond `host` refused by flag.

use super::tests::fixture;
use super::*;
use libpod_spec::{NamespaceMode, NetworkMode};

fn infra_of(pod: &Pod) -> Container {
    let id = pod.infra_container_id().unwrap().unwrap();
    pod.runtime().container(&id).unwrap()
}

fn reason(result: Result<Pod>) -> String {
    match result {
        Err(CoreError::InvalidOption { reason, .. }) => reason,
        Err(other) => panic!("not an InvalidOption: {other:?}"),
        Ok(pod) => panic!("pod {} made", pod.name()),
    }
}

#[test]
fn dns_and_hosts_entries_are_the_infra_containers() {
    // DNS needs a network of the pod's own: the default bridge, not the tests' `none`.
    let f = super::tests::fixture_with(crate::runtime::EngineConfig::builtin());
    let pod =
        f.rt.new_pod([
            with_pod_cgroup(false),
            with_pod_dns_servers(["9.9.9.9"]),
            with_pod_dns_search(["example.org"]),
            with_pod_dns_options(["ndots:3"]),
            with_pod_add_hosts(["db:10.0.0.5"]),
            with_pod_infra_name("web-infra"),
        ])
        .unwrap();
    let infra = infra_of(&pod);
    let spec = &infra.config().spec;
    assert_eq!(infra.config().name, "web-infra");
    assert_eq!(spec.network.dns_servers, ["9.9.9.9"]);
    assert_eq!(spec.network.dns_search, ["example.org"]);
    assert_eq!(spec.network.dns_options, ["ndots:3"]);
    assert_eq!(spec.uts.add_hosts, ["db:10.0.0.5"]);
    assert_eq!(pod.config().infra.add_hosts, ["db:10.0.0.5"]);
    // The members have none of their own: they bind-mount the infra container's files.
    let member = f.member(&pod, vec![]).unwrap();
    assert!(member.config().spec.network.dns_servers.is_empty());
    assert!(member.config().spec.uts.add_hosts.is_empty());
}

#[test]
fn the_pods_pid_and_uts_modes_are_the_infra_containers_and_shared_members() {
    let f = fixture();
    let pod = f.pod(vec![
        with_pod_pid(NamespaceMode::Host),
        with_pod_uts(NamespaceMode::Host),
        with_pod_infra_command(["/catatonit", "-P", "-g"]),
    ]);
    let infra = infra_of(&pod);
    let spec = &infra.config().spec;
    assert_eq!(spec.pid, NamespaceMode::Host);
    assert_eq!(spec.uts.mode, NamespaceMode::Host);
    assert_eq!(
        spec.uts.hostname, None,
        "no hostname in the host's UTS namespace"
    );
    assert_eq!(
        spec.command.as_deref(),
        Some(&["/catatonit".to_string(), "-P".into(), "-g".into()][..])
    );
    // The pod shares pid and uts: its members are in the host's, as Podman's.
    let member = f.member(&pod, vec![]).unwrap();
    let config = member.config();
    assert_eq!(config.spec.pid, NamespaceMode::Host);
    assert_eq!(config.spec.uts.mode, NamespaceMode::Host);
    assert_eq!(config.spec.uts.hostname, None);
    assert!(!config.namespaces_from.contains_key("pid"));

    // Not shared, the mode stays the infra container's.
    let pod =
        f.rt.new_pod([
            with_pod_cgroup(false),
            with_pod_network_mode(NetworkMode::None),
            with_pod_pid(NamespaceMode::Host),
        ])
        .unwrap();
    assert_eq!(infra_of(&pod).config().spec.pid, NamespaceMode::Host);
    let member = f.member(&pod, vec![]).unwrap();
    assert_eq!(member.config().spec.pid, NamespaceMode::Private);
}

#[test]
fn refusals_in_podmans_words() {
    let f = fixture();
    let no_infra = |option| {
        f.rt.new_pod([with_pod_cgroup(false), with_pod_infra(false), option])
    };
    assert_eq!(
        reason(no_infra(with_pod_dns_search(["a.org"]))),
        "NoInfo and DNSSearch are mutually exclusive pod options: invalid pod spec"
    );
    assert_eq!(
        reason(no_infra(with_pod_add_hosts(["a:1.2.3.4"]))),
        "NoInfra and HostAdd are mutually exclusive pod options: invalid pod spec"
    );
    assert_eq!(
        reason(no_infra(with_pod_infra_image("localhost/busybox"))),
        "NoInfra and InfraImage are mutually exclusive pod options: invalid pod spec"
    );
    assert_eq!(
        reason(f.rt.new_pod([
            with_pod_cgroup(false),
            with_pod_network_mode(NetworkMode::None),
            with_pod_dns_servers(["1.1.1.1"]),
        ])),
        "conflicting options: dns and the network mode: none"
    );
    assert_eq!(
        reason(f.rt.new_pod([with_pod_dns_servers(["nope"])])),
        "nope is not an ip address"
    );
    assert!(
        reason(f.rt.new_pod([
            with_pod_cgroup(false),
            with_pod_uts(NamespaceMode::Host),
            with_pod_hostname("h"),
        ]))
        .contains("cannot set hostname when running in the host UTS namespace")
    );
    assert!(matches!(
        f.rt.new_pod([with_pod_add_hosts(["no-address"])]),
        Err(CoreError::InvalidOption {
            option: "pod add-host",
            ..
        })
    ));
    // What the engine cannot honour is refused, naming Podman's flag.
    for (result, flag) in [
        (
            f.rt.new_pod([with_pod_userns(NamespaceMode::Private)]),
            "--userns",
        ),
        (
            f.rt.new_pod([with_pod_userns(NamespaceMode::Path(
                "/proc/1/ns/user".into(),
            ))]),
            "--userns",
        ),
        (f.rt.new_pod([with_pod_dns_servers(["none"])]), "--dns"),
        (
            f.rt.new_pod([with_pod_pid(NamespaceMode::Container("x".into()))]),
            "--pid",
        ),
    ] {
        match result {
            Err(CoreError::PodOptionUnsupported { flag: got, .. }) => assert_eq!(got, flag),
            other => panic!("{flag}: {other:?}"),
        }
    }
    assert!(f.rt.pods().unwrap().is_empty(), "nothing left by a refusal");
}
