use super::{RestartPolicy, parse_restart_policy};
use crate::SpecError;

#[test]
fn names() {
    assert_eq!(parse_restart_policy("").unwrap(), RestartPolicy::No);
    assert_eq!(parse_restart_policy("no").unwrap(), RestartPolicy::No);
    assert_eq!(
        parse_restart_policy("always").unwrap(),
        RestartPolicy::Always
    );
    assert_eq!(
        parse_restart_policy("on-failure").unwrap(),
        RestartPolicy::OnFailure { max_retries: 0 }
    );
    assert_eq!(
        parse_restart_policy("unless-stopped").unwrap(),
        RestartPolicy::UnlessStopped
    );
}

#[test]
fn on_failure_retries() {
    assert_eq!(
        parse_restart_policy("on-failure:3").unwrap(),
        RestartPolicy::OnFailure { max_retries: 3 }
    );
    assert_eq!(
        parse_restart_policy("on-failure:0").unwrap(),
        RestartPolicy::OnFailure { max_retries: 0 }
    );
    // Go's Atoi takes a plus sign, and so does Podman.
    assert_eq!(
        parse_restart_policy("on-failure:+3").unwrap(),
        RestartPolicy::OnFailure { max_retries: 3 }
    );
}

#[test]
fn bad_retries_are_refused() {
    for text in [
        "on-failure:-1",
        "on-failure:abc",
        "on-failure:",
        "on-failure:1.5",
        "on-failure: 1",
        "on-failure:3:4",
        "on-failure:99999999999",
    ] {
        assert!(
            matches!(
                parse_restart_policy(text),
                Err(SpecError::InvalidValue {
                    field: "restart policy",
                    ..
                })
            ),
            "{text}"
        );
    }
    let err = parse_restart_policy("on-failure:-1").unwrap_err();
    assert!(
        err.to_string().contains("greater than or equal to 0"),
        "{err}"
    );
}

#[test]
fn retries_only_with_on_failure() {
    for text in ["always:2", "no:1", "unless-stopped:1", ":1"] {
        let err = parse_restart_policy(text).unwrap_err();
        assert!(
            err.to_string().contains("only be specified with"),
            "{text}: {err}"
        );
    }
}

#[test]
fn names_are_case_sensitive_and_exact() {
    for text in [
        "Always",
        "ON-FAILURE",
        "ON-FAILURE:3",
        "none",
        "sometimes",
        " no",
        "no ",
    ] {
        let err = parse_restart_policy(text).unwrap_err();
        assert!(
            matches!(
                err,
                SpecError::InvalidValue {
                    field: "restart policy",
                    ..
                }
            ),
            "{text}"
        );
        assert!(err.to_string().contains(text.trim()), "{text}: {err}");
    }
}

#[test]
fn display_round_trips() {
    for policy in [
        RestartPolicy::No,
        RestartPolicy::Always,
        RestartPolicy::OnFailure { max_retries: 0 },
        RestartPolicy::OnFailure { max_retries: 5 },
        RestartPolicy::UnlessStopped,
    ] {
        assert_eq!(parse_restart_policy(&policy.to_string()).unwrap(), policy);
    }
    assert_eq!(RestartPolicy::No.to_string(), "no");
    assert_eq!(
        RestartPolicy::OnFailure { max_retries: 0 }.to_string(),
        "on-failure"
    );
    assert_eq!(
        RestartPolicy::OnFailure { max_retries: 5 }.to_string(),
        "on-failure:5"
    );
    assert_eq!(
        "always".parse::<RestartPolicy>().unwrap(),
        RestartPolicy::Always
    );
}

#[test]
fn serde_uses_the_string() {
    let json = serde_json::to_string(&RestartPolicy::OnFailure { max_retries: 2 }).unwrap();
    assert_eq!(json, "\"on-failure:2\"");
    let back: RestartPolicy = serde_json::from_str(&json).unwrap();
    assert_eq!(back, RestartPolicy::OnFailure { max_retries: 2 });
    assert_eq!(
        serde_json::from_str::<RestartPolicy>("\"\"").unwrap(),
        RestartPolicy::No
    );
    assert!(serde_json::from_str::<RestartPolicy>("\"sometimes\"").is_err());
    assert!(serde_json::from_str::<RestartPolicy>("3").is_err());
}
