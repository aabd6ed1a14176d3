use super::*;

#[test]
fn a_docker_hub_bearer_challenge_gives_realm_service_and_scope() {
    let header = r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull""#;
    let challenges = parse_challenges(header);
    assert_eq!(challenges.len(), 1);
    let c = &challenges[0];
    assert_eq!(c.scheme, "bearer");
    assert_eq!(c.param("realm"), Some("https://auth.docker.io/token"));
    assert_eq!(c.param("service"), Some("registry.docker.io"));
    assert_eq!(c.param("scope"), Some("repository:library/busybox:pull"));
}

#[test]
fn basic_with_a_realm_and_several_challenges_in_one_header() {
    let challenges =
        parse_challenges(r#"Basic realm="Registry Realm", Bearer realm="https://t/token""#);
    let schemes: Vec<&str> = challenges.iter().map(|c| c.scheme.as_str()).collect();
    assert_eq!(schemes, ["basic", "bearer"]);
    assert_eq!(challenges[0].param("realm"), Some("Registry Realm"));
    assert_eq!(challenges[1].param("realm"), Some("https://t/token"));
}

#[test]
fn sloppy_spacing_unquoted_values_escapes_and_case_are_read() {
    let challenges = parse_challenges(
        r#"  BEARER Realm = https://t/token , Service="a \"b\"",  error=insufficient_scope,"#,
    );
    assert_eq!(challenges.len(), 1);
    let c = &challenges[0];
    assert_eq!(c.scheme, "bearer");
    assert_eq!(c.param("realm"), Some("https://t/token"));
    assert_eq!(c.param("service"), Some(r#"a "b""#));
    assert_eq!(c.param("error"), Some("insufficient_scope"));
}

#[test]
fn a_scheme_without_parameters_is_a_challenge() {
    let challenges = parse_challenges("Basic");
    assert_eq!(challenges.len(), 1);
    assert!(challenges[0].params.is_empty());
}

#[test]
fn garbage_gives_no_challenge_and_never_panics() {
    for header in [
        "",
        "   ,,, ",
        "realm=\"x\"",
        "\"quoted\"",
        "Bearer realm=\"unterminated",
        "Bearer realm=",
        "Bearer =",
        "\u{1F600} realm=x",
    ] {
        let challenges = parse_challenges(header);
        assert!(
            challenges.iter().all(|c| !c.scheme.is_empty()),
            "{header:?} gave {challenges:?}"
        );
    }
    assert!(parse_challenges("realm=\"x\"").is_empty());
    assert_eq!(
        parse_challenges("Bearer realm=\"unterminated")[0].param("realm"),
        Some("unterminated")
    );
    assert!(parse_challenges(&"Bearer ".repeat(10_000)).is_empty());
}
