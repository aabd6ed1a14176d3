//! Resolving profiles into `LinuxSeccomp`, checked against Podman's own output.

use super::convert::parse_kernel_release;
use super::{SeccompHost, SeccompProfile};
use oci_spec::runtime::{Arch, LinuxSeccomp, LinuxSeccompAction, LinuxSyscall};
use std::path::Path;

const PODMAN_DEFAULT: &str = include_str!("testdata/default.json");
const PODMAN_CAP_DROP_ALL: &str = include_str!("testdata/capdropall.json");
const PODMAN_CAP_MIX: &str = include_str!("testdata/capmix.json");

fn amd64() -> SeccompHost {
    SeccompHost {
        arch: "amd64".into(),
        kernel: (6, 1),
    }
}

fn host(arch: &str, kernel: (u32, u32)) -> SeccompHost {
    SeccompHost {
        arch: arch.into(),
        kernel,
    }
}

fn caps(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| name.to_string()).collect()
}

/// The bounding set and `linux.seccomp` of a config.json Podman 4.3 wrote.
fn podman_output(config_json: &str) -> (Vec<String>, LinuxSeccomp) {
    let config: serde_json::Value = serde_json::from_str(config_json).unwrap();
    let bounding = config["process"]["capabilities"]["bounding"]
        .as_array()
        .map_or_else(Vec::new, |caps| {
            caps.iter()
                .map(|cap| cap.as_str().unwrap().to_string())
                .collect()
        });
    let seccomp = serde_json::from_value(config["linux"]["seccomp"].clone()).unwrap();
    (bounding, seccomp)
}

fn profile(json: &str) -> SeccompProfile {
    SeccompProfile::from_json(Path::new("test.json"), json.as_bytes()).unwrap()
}

fn rules(seccomp: &LinuxSeccomp) -> &[LinuxSyscall] {
    seccomp.syscalls().as_deref().unwrap_or_default()
}

fn names_of(seccomp: &LinuxSeccomp) -> Vec<Vec<String>> {
    rules(seccomp)
        .iter()
        .map(|rule| rule.names().clone())
        .collect()
}

fn assert_matches_podman(config_json: &str, expected_rules: usize) {
    let (bounding, podman) = podman_output(config_json);
    let ours = SeccompProfile::embedded_default()
        .to_oci(&bounding, &amd64())
        .unwrap();
    // libseccomp 2.5.4 knows every name of the default profile on x86_64, x86 and x32, so
    // dropping unknown names removes nothing and the output is Podman's, rule for rule.
    assert_eq!(rules(&ours).len(), expected_rules);
    assert_eq!(ours, podman);
}

#[test]
fn default_caps_give_podmans_default_rules() {
    let (bounding, _) = podman_output(PODMAN_DEFAULT);
    assert_eq!(bounding.len(), 14);
    assert_matches_podman(PODMAN_DEFAULT, 19);
}

#[test]
fn cap_drop_all_gives_podmans_rules() {
    assert_matches_podman(PODMAN_CAP_DROP_ALL, 22);
}

#[test]
fn cap_sys_admin_gives_podmans_rules() {
    assert_matches_podman(PODMAN_CAP_MIX, 19);
}

#[test]
fn no_name_of_the_default_profile_is_dropped_on_x86_64() {
    let profile = SeccompProfile::embedded_default();
    let all_names = profile.data.syscalls.iter().flat_map(|rule| &rule.names);
    let arches = [
        libseccomp::ScmpArch::X8664,
        libseccomp::ScmpArch::X86,
        libseccomp::ScmpArch::X32,
    ];
    let unknown: Vec<&String> = all_names
        .filter(|name| !super::resolve::resolves_on_any(name, &arches))
        .collect();
    assert_eq!(unknown, Vec::<&String>::new());
}

#[test]
fn arch_map_entry_follows_the_host() {
    let profile = SeccompProfile::embedded_default();
    let arches = |arch: &str| {
        profile
            .to_oci(&[], &host(arch, (6, 1)))
            .unwrap()
            .architectures()
            .clone()
    };
    assert_eq!(
        arches("amd64"),
        Some(vec![
            Arch::ScmpArchX86_64,
            Arch::ScmpArchX86,
            Arch::ScmpArchX32
        ])
    );
    assert_eq!(
        arches("arm64"),
        Some(vec![Arch::ScmpArchAarch64, Arch::ScmpArchArm])
    );
    assert_eq!(
        arches("s390x"),
        Some(vec![Arch::ScmpArchS390x, Arch::ScmpArchS390])
    );
    assert_eq!(
        arches("mipsel64n32"),
        Some(vec![
            Arch::ScmpArchMipsel64n32,
            Arch::ScmpArchMipsel,
            Arch::ScmpArchMipsel64
        ])
    );
    // containers/common consults archMap only for the hosts of its nativeToSeccomp table.
    assert_eq!(arches("ppc64le"), None);
    assert_eq!(arches("x86"), None);
    assert_eq!(arches("riscv64"), None);
}

#[test]
fn plain_architectures_are_used_as_given() {
    let profile = profile(
        r#"{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86", "SCMP_ARCH_NATIVE"]}"#,
    );
    let seccomp = profile.to_oci(&[], &amd64()).unwrap();
    assert_eq!(
        seccomp.architectures(),
        &Some(vec![Arch::ScmpArchX86, Arch::ScmpArchNative])
    );
    assert_eq!(seccomp.syscalls(), &None);
}

#[test]
fn includes_arches_select_rules_per_host() {
    let profile = SeccompProfile::embedded_default();
    let has = |arch: &str, name: &str| {
        let seccomp = profile.to_oci(&[], &host(arch, (6, 1))).unwrap();
        names_of(&seccomp)
            .iter()
            .any(|names| names.iter().any(|n| n == name))
    };
    assert!(has("amd64", "arch_prctl") && has("amd64", "modify_ldt"));
    assert!(!has("amd64", "breakpoint") && !has("amd64", "s390_runtime_instr"));
    assert!(has("x86", "modify_ldt") && !has("x86", "arch_prctl"));
    assert!(has("arm64", "breakpoint") && has("arm", "breakpoint") && !has("arm64", "arch_prctl"));
    assert!(has("s390x", "s390_runtime_instr") && has("s390", "s390_pci_mmio_read"));
    assert!(has("ppc64le", "sync_file_range2") && !has("amd64", "sync_file_range2"));
}

const FILTERED: &str = r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
    {"names": ["a_read"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["arm64", "amd64"]}},
    {"names": ["b_read"], "action": "SCMP_ACT_ALLOW", "excludes": {"arches": ["amd64"]}},
    {"names": ["c_read"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_A", "CAP_B"]}},
    {"names": ["d_read"], "action": "SCMP_ACT_ALLOW", "excludes": {"caps": ["CAP_A", "CAP_B"]}},
    {"names": ["e_read"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "5.10"}},
    {"names": ["f_read"], "action": "SCMP_ACT_ALLOW", "excludes": {"minKernel": "5.10"}},
    {"names": ["g_read"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_A"], "arches": ["arm64"]}}
]}"#;

/// Which rules of [`FILTERED`] apply, by the first letter of their (only) name. The names
/// are not syscalls, so this looks at rule selection alone.
fn selected(caps_held: &[&str], host: &SeccompHost) -> String {
    let profile = profile(FILTERED);
    let bounding = caps(caps_held);
    (profile.data.syscalls.iter())
        .filter(|rule| rule.applies(&bounding, host))
        .map(|rule| rule.names[0].chars().next().unwrap())
        .collect()
}

#[test]
fn arches_include_and_exclude() {
    assert_eq!(selected(&[], &host("amd64", (5, 10))), "ade");
    assert_eq!(selected(&[], &host("arm64", (5, 10))), "abde");
    assert_eq!(selected(&[], &host("s390x", (5, 10))), "bde");
}

#[test]
fn caps_include_needs_all_and_exclude_any() {
    let amd64_new = host("amd64", (6, 0));
    assert_eq!(selected(&["CAP_A"], &amd64_new), "ae");
    assert_eq!(selected(&["CAP_A", "CAP_B"], &amd64_new), "ace");
    assert_eq!(selected(&["CAP_B"], &amd64_new), "ae");
    assert_eq!(selected(&["CAP_A"], &host("arm64", (6, 0))), "abeg");
    // Podman compares capability names exactly.
    assert_eq!(selected(&["cap_a", "CAP_b"], &amd64_new), "ade");
}

#[test]
fn min_kernel_include_and_exclude() {
    assert_eq!(selected(&[], &host("amd64", (5, 9))), "adf");
    assert_eq!(selected(&[], &host("amd64", (5, 10))), "ade");
    assert_eq!(selected(&[], &host("amd64", (6, 0))), "ade");
    assert_eq!(selected(&[], &host("amd64", (4, 20))), "adf");
}

#[test]
fn unknown_names_are_dropped_and_empty_rules_vanish() {
    let profile = profile(
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
            {"names": ["read", "not_a_syscall", "write"], "action": "SCMP_ACT_ALLOW"},
            {"names": ["not_a_syscall", "also_not_one"], "action": "SCMP_ACT_ALLOW"},
            {"names": [], "action": "SCMP_ACT_ALLOW"},
            {"names": ["close"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}"#,
    );
    let seccomp = profile.to_oci(&[], &amd64()).unwrap();
    assert_eq!(names_of(&seccomp), [vec!["read", "write"], vec!["close"]]);
    assert_eq!(rules(&seccomp)[1].errno_ret(), Some(1));
}

#[test]
fn names_known_on_one_architecture_are_kept() {
    // arch_prctl exists on x86_64 but not on arm; libseccomp still knows the name.
    let profile = profile(
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_ARM"],
            "syscalls": [{"names": ["arch_prctl", "set_tls"], "action": "SCMP_ACT_ALLOW"}]}"#,
    );
    let seccomp = profile.to_oci(&[], &amd64()).unwrap();
    assert_eq!(names_of(&seccomp), [vec!["arch_prctl", "set_tls"]]);
}

#[test]
fn rule_fields_are_carried() {
    let profile = profile(
        r#"{"defaultAction": "SCMP_ACT_TRAP", "defaultErrnoRet": 7,
            "architectures": ["SCMP_ARCH_X86_64"],
            "flags": ["SECCOMP_FILTER_FLAG_LOG"], "listenerPath": "/run/agent.sock", "listenerMetadata": "m",
            "syscalls": [
              {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errno": "EINVAL",
               "args": [{"index": 0, "value": 16, "valueTwo": 0, "op": "SCMP_CMP_EQ"},
                        {"index": 2, "value": 255, "valueTwo": 9, "op": "SCMP_CMP_MASKED_EQ"}]},
              {"names": ["read"], "action": "SCMP_ACT_LOG", "args": []},
              {"name": "write", "action": "SCMP_ACT_TRACE", "errnoRet": 3, "args": null}]}"#,
    );
    let seccomp = profile.to_oci(&[], &amd64()).unwrap();
    let expected: LinuxSeccomp = serde_json::from_str(
        r#"{"defaultAction": "SCMP_ACT_TRAP", "defaultErrnoRet": 7,
            "architectures": ["SCMP_ARCH_X86_64"],
            "flags": ["SECCOMP_FILTER_FLAG_LOG"], "listenerPath": "/run/agent.sock", "listenerMetadata": "m",
            "syscalls": [
              {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22,
               "args": [{"index": 0, "value": 16, "op": "SCMP_CMP_EQ"},
                        {"index": 2, "value": 255, "valueTwo": 9, "op": "SCMP_CMP_MASKED_EQ"}]},
              {"names": ["read"], "action": "SCMP_ACT_LOG"},
              {"names": ["write"], "action": "SCMP_ACT_TRACE", "errnoRet": 3}]}"#,
    )
    .unwrap();
    assert_eq!(seccomp, expected);
    let arg = rules(&seccomp)[0].args().as_ref().unwrap()[0];
    assert_eq!(arg.value_two(), None);
}

#[test]
fn plain_oci_profile_round_trips() {
    let (bounding, podman) = podman_output(PODMAN_DEFAULT);
    let json = serde_json::to_vec(&podman).unwrap();
    let reparsed = SeccompProfile::from_json(Path::new("oci.json"), &json).unwrap();
    assert_eq!(reparsed.to_oci(&bounding, &amd64()).unwrap(), podman);
    // With plain `architectures`, the host's arch does not matter.
    assert_eq!(
        reparsed.to_oci(&[], &host("arm64", (5, 0))).unwrap(),
        podman
    );
}

#[test]
fn defaults_without_rules() {
    let seccomp = profile(r#"{"defaultAction": "SCMP_ACT_ALLOW"}"#)
        .to_oci(&[], &amd64())
        .unwrap();
    assert_eq!(seccomp.default_action(), LinuxSeccompAction::ScmpActAllow);
    assert_eq!(seccomp.default_errno_ret(), None);
    assert_eq!(seccomp.architectures(), &None);
    assert_eq!(seccomp.flags(), &None);
    assert_eq!(seccomp.syscalls(), &None);
    assert_eq!(
        serde_json::to_string(&seccomp).unwrap(),
        r#"{"defaultAction":"SCMP_ACT_ALLOW"}"#
    );
}

#[test]
fn name_resolution_is_cached_per_architecture_set() {
    let profile = profile(
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}"#,
    );
    let clone = profile.clone();
    let first = profile.to_oci(&[], &amd64()).unwrap();
    assert_eq!(clone.data.resolution.cached_sets(), 1);
    assert_eq!(
        clone.to_oci(&caps(&["CAP_CHOWN"]), &amd64()).unwrap(),
        first
    );
    assert_eq!(profile.data.resolution.cached_sets(), 1);
    profile.to_oci(&[], &host("arm64", (6, 1))).unwrap();
    assert_eq!(profile.data.resolution.cached_sets(), 2);
}

#[test]
fn kernel_releases() {
    assert_eq!(parse_kernel_release("6.1.0-18-amd64"), Some((6, 1)));
    assert_eq!(parse_kernel_release("5.15-rc3"), Some((5, 15)));
    assert_eq!(parse_kernel_release("3.12.25-gentoo"), Some((3, 12)));
    assert_eq!(parse_kernel_release("6.18.44-fc-v669"), Some((6, 18)));
    assert_eq!(parse_kernel_release("6"), None);
    assert_eq!(parse_kernel_release("x.1"), None);
    assert_eq!(parse_kernel_release(""), None);
}

#[test]
fn detect_reads_this_machine() {
    let detected = SeccompHost::detect();
    let uts = nix::sys::utsname::uname().unwrap();
    assert_eq!(
        Some(detected.kernel),
        parse_kernel_release(&uts.release().to_string_lossy())
    );
    let expected_arch = match uts.machine().to_str().unwrap() {
        "x86_64" if cfg!(target_pointer_width = "64") => "amd64",
        "aarch64" if cfg!(target_pointer_width = "64") => "arm64",
        _ => detected.arch.as_str(),
    };
    assert_eq!(detected.arch, expected_arch);
    assert!(super::resolve::GO_ARCH_NAMES.contains(&detected.arch.as_str()));
}
