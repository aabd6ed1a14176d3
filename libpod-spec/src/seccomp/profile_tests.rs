//! Parsing and validating profiles.

use super::raw::{errno_value, parse_min_kernel};
use super::{DEFAULT_PROFILE_PATH, SeccompProfile};
use crate::error::SpecError;
use oci_spec::runtime::{Arch, LinuxSeccompAction, LinuxSeccompOperator};
use std::path::Path;

fn parse(json: &str) -> crate::Result<SeccompProfile> {
    SeccompProfile::from_json(Path::new("test.json"), json.as_bytes())
}

/// The reason of a `SpecError::Seccomp` for `json`, after checking it names the file.
fn seccomp_error(json: &str) -> String {
    match parse(json) {
        Err(SpecError::Seccomp { path, reason }) => {
            assert_eq!(path, Path::new("test.json"));
            reason
        }
        other => panic!("expected a seccomp error for {json}, got {other:?}"),
    }
}

fn assert_json_error(json: &str) {
    match parse(json) {
        Err(SpecError::Json { path, .. }) => assert_eq!(path, Path::new("test.json")),
        other => panic!("expected a JSON error for {json:?}, got {other:?}"),
    }
}

#[test]
fn embedded_default_is_podmans_profile() {
    let profile = SeccompProfile::embedded_default();
    let data = &profile.data;
    assert_eq!(data.default_action, LinuxSeccompAction::ScmpActErrno);
    assert_eq!(data.default_errno_ret, Some(38));
    assert_eq!(data.syscalls.len(), 35);
    assert_eq!(data.arch_map.len(), 7);
    assert_eq!(data.arch_map[0].arch, Arch::ScmpArchX86_64);
    assert_eq!(
        data.arch_map[0].sub_arches,
        [Arch::ScmpArchX86, Arch::ScmpArchX32]
    );
    assert!(data.architectures.is_empty());
    // `errno: "EPERM"` resolved; `errnoRet` agrees.
    assert_eq!(data.syscalls[0].errno_ret, Some(1));
    assert_eq!(data.syscalls[1].names.len(), 374);
    let audit = &data.syscalls[30];
    assert_eq!(audit.errno_ret, Some(22));
    assert_eq!(audit.excludes.caps, ["CAP_AUDIT_WRITE"]);
    assert_eq!(audit.args.len(), 2);
    assert_eq!(audit.args[1].index(), 2);
    assert_eq!(audit.args[1].value_two(), None);
    assert_eq!(
        profile.origin(),
        Path::new("<embedded default seccomp profile>")
    );
}

#[test]
fn embedded_default_is_parsed_once_and_shared() {
    let first = SeccompProfile::embedded_default();
    let second = SeccompProfile::embedded_default();
    assert!(std::sync::Arc::ptr_eq(&first.data, &second.data));
}

#[test]
fn embedded_default_matches_the_installed_file() {
    // The installed file is only present on machines with containers-common.
    if let Ok(installed) = std::fs::read_to_string(DEFAULT_PROFILE_PATH) {
        assert_eq!(installed, include_str!("default.json"));
    }
}

#[test]
fn load_default_reads_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seccomp.json");
    std::fs::write(&path, r#"{"defaultAction": "SCMP_ACT_LOG"}"#).unwrap();
    let profile = SeccompProfile::load_default(&path).unwrap();
    assert_eq!(profile.origin(), path);
    assert_eq!(profile.data.default_action, LinuxSeccompAction::ScmpActLog);
}

#[test]
fn load_default_falls_back_to_embedded_when_missing() {
    let dir = tempfile::tempdir().unwrap();
    let profile = SeccompProfile::load_default(&dir.path().join("absent.json")).unwrap();
    assert_eq!(profile, SeccompProfile::embedded_default());
}

#[test]
fn load_default_refuses_a_malformed_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seccomp.json");
    std::fs::write(&path, "{not json").unwrap();
    match SeccompProfile::load_default(&path) {
        Err(SpecError::Json { path: named, .. }) => assert_eq!(named, path),
        other => panic!("expected a JSON error, got {other:?}"),
    }
}

#[test]
fn load_default_refuses_an_unreadable_path() {
    let dir = tempfile::tempdir().unwrap();
    // A directory exists but cannot be read as a file.
    match SeccompProfile::load_default(dir.path()) {
        Err(SpecError::Read { path, .. }) => assert_eq!(path, dir.path()),
        other => panic!("expected a read error, got {other:?}"),
    }
}

#[test]
fn from_path_names_a_missing_file() {
    let err = SeccompProfile::from_path(Path::new("/nonexistent/seccomp.json")).unwrap_err();
    assert!(
        matches!(err, SpecError::Read { ref path, .. } if path == Path::new("/nonexistent/seccomp.json"))
    );
}

#[test]
fn plain_oci_form_is_accepted() {
    let profile = parse(
        r#"{"defaultAction": "SCMP_ACT_KILL_PROCESS", "defaultErrnoRet": 1,
            "architectures": ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"],
            "flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
            "listenerPath": "/run/agent.sock", "listenerMetadata": "meta",
            "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ALLOW",
                          "args": [{"index": 0, "value": 255, "valueTwo": 8, "op": "SCMP_CMP_MASKED_EQ"}]},
                         {"names": ["ptrace"], "action": "SCMP_ACT_NOTIFY"}]}"#,
    )
    .unwrap();
    let data = &profile.data;
    assert_eq!(data.default_action, LinuxSeccompAction::ScmpActKillProcess);
    assert_eq!(
        data.architectures,
        [Arch::ScmpArchAarch64, Arch::ScmpArchArm]
    );
    assert_eq!(data.flags.len(), 2);
    assert_eq!(
        data.listener_path.as_deref(),
        Some(Path::new("/run/agent.sock"))
    );
    assert_eq!(data.listener_metadata.as_deref(), Some("meta"));
    assert_eq!(
        data.syscalls[0].args[0].op(),
        LinuxSeccompOperator::ScmpCmpMaskedEq
    );
    assert_eq!(data.syscalls[0].args[0].value_two(), Some(8));
    assert_eq!(data.syscalls[1].action, LinuxSeccompAction::ScmpActNotify);
}

#[test]
fn legacy_name_becomes_names() {
    let profile = parse(r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"name": "read", "action": "SCMP_ACT_ALLOW"}]}"#)
        .unwrap();
    assert_eq!(profile.data.syscalls[0].names, ["read"]);
}

#[test]
fn errno_name_wins_over_errno_ret() {
    let profile = parse(
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrno": "ENOSYS", "defaultErrnoRet": 1,
            "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "errno": "13", "errnoRet": 1},
                         {"names": ["write"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5}]}"#,
    )
    .unwrap();
    assert_eq!(profile.data.default_errno_ret, Some(38));
    assert_eq!(profile.data.syscalls[0].errno_ret, Some(13));
    assert_eq!(profile.data.syscalls[1].errno_ret, Some(5));
}

#[test]
fn errno_values() {
    assert_eq!(errno_value("EPERM"), Some(1));
    assert_eq!(errno_value("EINVAL"), Some(22));
    assert_eq!(
        errno_value("ENOSYS"),
        Some(nix::errno::Errno::ENOSYS as u32)
    );
    assert_eq!(
        errno_value("EWOULDBLOCK"),
        Some(nix::errno::Errno::EAGAIN as u32)
    );
    assert_eq!(
        errno_value("ENOTSUP"),
        Some(nix::errno::Errno::EOPNOTSUPP as u32)
    );
    assert_eq!(errno_value("4000"), Some(4000));
    assert_eq!(errno_value("+1"), None);
    assert_eq!(errno_value("eperm"), None);
    assert_eq!(errno_value("UnknownErrno"), None);
    assert_eq!(errno_value("99999999999"), None);
}

#[test]
fn min_kernel_versions() {
    assert_eq!(parse_min_kernel("4.8"), Some((4, 8)));
    assert_eq!(parse_min_kernel("5.10"), Some((5, 10)));
    for bad in [
        "0.0", "4", "4.8.1", "4.x", "-4.8", "4.", ".8", "4.+8", " 4.8",
    ] {
        assert_eq!(parse_min_kernel(bad), None, "{bad}");
    }
    let profile = parse(
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
            "includes": {"minKernel": "5.6"}, "excludes": {"minKernel": ""}}]}"#,
    )
    .unwrap();
    assert_eq!(profile.data.syscalls[0].includes.min_kernel, Some((5, 6)));
    assert_eq!(profile.data.syscalls[0].excludes.min_kernel, None);
}

#[test]
fn malformed_json_is_a_json_error() {
    for json in [
        "",
        "   ",
        "{",
        "[]",
        "null",
        r#"{"defaultAction": 5}"#,
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": {}}"#,
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": "read", "action": "SCMP_ACT_ALLOW"}]}"#,
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"]}]}"#,
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [null]}"#,
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": -1}"#,
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 4294967296}"#,
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
            "args": [{"index": -1, "value": 0, "op": "SCMP_CMP_EQ"}]}]}"#,
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
            "args": [{"index": 0, "value": "1", "op": "SCMP_CMP_EQ"}]}]}"#,
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
            "args": [{"index": 0, "value": 1.5, "op": "SCMP_CMP_EQ"}]}]}"#,
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "comment": 1}]}"#,
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
            "args": [{"index": 0, "value": 1}]}]}"#,
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
            "includes": {"caps": "CAP_SYS_ADMIN"}}]}"#,
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "archMap": [{"subArchitectures": []}]}"#,
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "defaultAction": "SCMP_ACT_ALLOW"}"#,
    ] {
        assert_json_error(json);
    }
}

#[test]
fn invalid_values_are_seccomp_errors() {
    let cases = [
        (r#"{}"#, "no defaultAction"),
        (
            r#"{"defaultAction": "SCMP_ACT_NOPE"}"#,
            r#"defaultAction: unknown action "SCMP_ACT_NOPE""#,
        ),
        (r#"{"defaultAction": "scmp_act_allow"}"#, "unknown action"),
        (
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrno": "EWHAT"}"#,
            r#"unknown errno "EWHAT""#,
        ),
        (
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_VAX"]}"#,
            "unknown architecture",
        ),
        (
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "archMap": [{"architecture": "x86_64"}]}"#,
            "unknown architecture",
        ),
        (
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_PDP11"]}]}"#,
            "unknown architecture \"SCMP_ARCH_PDP11\"",
        ),
        (
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86"],
                "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": []}]}"#,
            "both 'architectures' and 'archMap'",
        ),
        (
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "flags": ["SECCOMP_FILTER_FLAG_NOPE"]}"#,
            "unknown flag",
        ),
        (
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_MAYBE"}]}"#,
            r#"syscalls[0].action: unknown action "SCMP_ACT_MAYBE""#,
        ),
        (
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"},
                {"names": ["write"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_ABOUT"}]}]}"#,
            r#"syscalls[1].args[0]: unknown operator "SCMP_CMP_ABOUT""#,
        ),
        (
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
                "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]}"#,
            "argument index 6 is above 5",
        ),
        (
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"name": "read", "names": ["write"], "action": "SCMP_ACT_ALLOW"}]}"#,
            "both 'name' and 'names'",
        ),
        (
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "errno": "EFOO"}]}"#,
            r#"syscalls[0].errno: unknown errno "EFOO""#,
        ),
        (
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
                "includes": {"arches": ["x86_64"]}}]}"#,
            r#"syscalls[0].includes.arches: unknown architecture "x86_64""#,
        ),
        (
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
                "excludes": {"arches": ["386"]}}]}"#,
            r#"syscalls[0].excludes.arches: unknown architecture "386""#,
        ),
        (
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
                "excludes": {"minKernel": "4"}}]}"#,
            "syscalls[0].excludes.minKernel: invalid kernel version",
        ),
    ];
    for (json, expected) in cases {
        let reason = seccomp_error(json);
        assert!(
            reason.contains(expected),
            "{json}: {reason:?} lacks {expected:?}"
        );
    }
}

#[test]
fn errors_name_the_file() {
    let err =
        SeccompProfile::from_json(Path::new("/etc/custom.json"), br#"{"defaultAction": "X"}"#)
            .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"invalid seccomp profile /etc/custom.json: defaultAction: unknown action "X""#
    );
    let err = SeccompProfile::from_json(Path::new("/etc/custom.json"), b"").unwrap_err();
    assert_eq!(err.to_string(), "malformed JSON in /etc/custom.json");
}

#[test]
fn unknown_fields_are_ignored() {
    let profile = parse(
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "futureField": [1, 2],
            "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "note": {}}]}"#,
    )
    .unwrap();
    assert_eq!(profile.data.syscalls.len(), 1);
}

#[test]
fn clones_share_the_parsed_data() {
    let profile = parse(r#"{"defaultAction": "SCMP_ACT_ERRNO"}"#).unwrap();
    let clone = profile.clone();
    assert!(std::sync::Arc::ptr_eq(&profile.data, &clone.data));
    assert_eq!(profile, clone);
}
