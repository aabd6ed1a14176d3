use super::{IPC_SYSCTLS, SysctlNamespaces, parse_sysctl, validate_sysctl};
use crate::SpecError;

const PRIVATE: SysctlNamespaces = SysctlNamespaces {
    ipc: true,
    net: true,
    uts: true,
};
const HOST: SysctlNamespaces = SysctlNamespaces {
    ipc: false,
    net: false,
    uts: false,
};

fn refusal(result: crate::Result<()>) -> String {
    match result {
        Err(SpecError::SysctlNotAllowed { reason, .. }) => reason,
        other => panic!("expected SysctlNotAllowed, got {other:?}"),
    }
}

#[test]
fn ipc_sysctls_in_a_private_ipc_namespace() {
    for name in IPC_SYSCTLS {
        validate_sysctl(
            name,
            SysctlNamespaces {
                net: false,
                uts: false,
                ..PRIVATE
            },
        )
        .unwrap();
    }
    validate_sysctl(
        "fs.mqueue.msg_max",
        SysctlNamespaces {
            net: false,
            ..PRIVATE
        },
    )
    .unwrap();
}

#[test]
fn ipc_sysctls_refused_with_the_host_ipc_namespace() {
    let ns = SysctlNamespaces {
        ipc: false,
        ..PRIVATE
    };
    for name in IPC_SYSCTLS.iter().copied().chain(["fs.mqueue.msg_max"]) {
        let reason = refusal(validate_sysctl(name, ns));
        assert_eq!(
            reason, "can't be set since IPC Namespace set to host",
            "{name}"
        );
    }
}

#[test]
fn net_sysctls_follow_the_network_namespace() {
    validate_sysctl(
        "net.ipv4.ip_forward",
        SysctlNamespaces {
            ipc: false,
            ..PRIVATE
        },
    )
    .unwrap();
    let reason = refusal(validate_sysctl(
        "net.ipv4.ip_forward",
        SysctlNamespaces {
            net: false,
            ..PRIVATE
        },
    ));
    assert_eq!(reason, "can't be set since Network Namespace set to host");
}

#[test]
fn sysctls_that_are_not_namespaced_are_refused() {
    for name in [
        "fs.file-max",
        "kernel.hostname",
        "kernel.domainname",
        "kernel.msgmax2",
        "kernel.shm",
        "kernel.pid_max",
        "vm.swappiness",
        "net",
        "fs.mqueue",
        "",
        "NET.ipv4.ip_forward",
    ] {
        let err = validate_sysctl(name, PRIVATE).unwrap_err();
        assert!(err.to_string().contains("is not allowed"), "{name}: {err}");
        let reason = refusal(validate_sysctl(name, HOST));
        assert!(reason.contains("only namespaced"), "{name}: {reason}");
    }
}

#[test]
fn names_with_spaces_are_refused() {
    for name in [" net.ipv4.ip_forward", "net.ipv4.ip_forward "] {
        assert!(matches!(
            validate_sysctl(name, PRIVATE),
            Err(SpecError::InvalidValue {
                field: "sysctl",
                ..
            })
        ));
    }
}

#[test]
fn parse_splits_name_and_value() {
    assert_eq!(
        parse_sysctl("net.ipv4.ip_forward=1", PRIVATE).unwrap(),
        ("net.ipv4.ip_forward".to_string(), "1".to_string())
    );
    assert_eq!(
        parse_sysctl("kernel.msgmax=", PRIVATE).unwrap(),
        ("kernel.msgmax".to_string(), String::new())
    );
}

#[test]
fn parse_refuses_malformed_settings() {
    for text in [
        "net.ipv4.ip_forward",
        "net.ipv4.ip_forward= 1",
        "net.ipv4.ip_forward =1",
        "net.a=b=c",
        "",
    ] {
        match parse_sysctl(text, PRIVATE) {
            Err(SpecError::InvalidValue {
                field: "sysctl",
                value,
                ..
            }) => assert_eq!(value, text),
            other => panic!("{text}: {other:?}"),
        }
    }
}

#[test]
fn parse_checks_the_name() {
    let err = parse_sysctl("fs.file-max=1", PRIVATE).unwrap_err();
    assert!(matches!(err, SpecError::SysctlNotAllowed { ref name, .. } if name == "fs.file-max"));
    let err = parse_sysctl("net.ipv4.ip_forward=1", HOST).unwrap_err();
    assert!(
        err.to_string().contains("Network Namespace set to host"),
        "{err}"
    );
}
