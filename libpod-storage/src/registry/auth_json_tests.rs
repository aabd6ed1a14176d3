//! The rules inside one file, each checked against Podman 4.3.1's `podman login --get-login`
//! by hand (and by `auth_file_tests::podman_get_login_agrees`).

use super::*;
use base64::engine::general_purpose::STANDARD;

fn b64(text: &str) -> String {
    STANDARD.encode(text)
}

fn parse(json: &str) -> AuthFileContent {
    AuthFileContent::parse(Path::new("/test/auth.json"), json.as_bytes(), false).unwrap()
}

fn user(content: &AuthFileContent, registry: &str, repository: &str) -> Option<String> {
    content
        .find(registry, repository)
        .unwrap()
        .map(|c| c.username)
}

fn auths(entries: &[(&str, &str)]) -> String {
    let entries: Vec<String> = entries
        .iter()
        .map(|(key, auth)| format!("{key:?}: {{\"auth\": {:?}}}", b64(auth)))
        .collect();
    format!("{{\"auths\": {{{}}}}}", entries.join(", "))
}

#[test]
fn most_specific_key_wins() {
    let content = parse(&auths(&[
        ("r.example", "host:pw"),
        ("r.example/ns", "ns:pw"),
        ("r.example/ns/repo", "repo:pw"),
    ]));
    assert_eq!(
        user(&content, "r.example", "ns/repo").as_deref(),
        Some("repo")
    );
    assert_eq!(
        user(&content, "r.example", "ns/other").as_deref(),
        Some("ns")
    );
    assert_eq!(
        user(&content, "r.example", "ns/sub/deep").as_deref(),
        Some("ns")
    );
    assert_eq!(user(&content, "r.example", "x").as_deref(), Some("host"));
    assert_eq!(user(&content, "r.example", "").as_deref(), Some("host"));
    assert_eq!(user(&content, "other.example", "ns/repo"), None);
}

#[test]
fn namespaced_keys_match_only_whole_path_components() {
    let content = parse(&auths(&[("r.example/ns", "ns:pw")]));
    assert_eq!(user(&content, "r.example", "nsx/repo"), None);
    assert_eq!(user(&content, "r.example", ""), None);
    // A trailing slash is not normalised away (Podman: not found either).
    let content = parse(&auths(&[("r.example/ns/", "trail:pw")]));
    assert_eq!(user(&content, "r.example", ""), None);
}

#[test]
fn keys_are_case_sensitive_and_ports_matter() {
    let content = parse(&auths(&[
        ("R.EXAMPLE", "upper:pw"),
        ("h.example:5000", "port:pw"),
    ]));
    assert_eq!(user(&content, "r.example", ""), None);
    assert_eq!(user(&content, "h.example", ""), None);
    assert_eq!(
        user(&content, "h.example:5000", "a/b").as_deref(),
        Some("port")
    );
}

#[test]
fn url_keys_are_reduced_to_their_host() {
    let content = parse(&auths(&[
        ("https://index.docker.io/v1/", "hub:pw"),
        ("http://h2.example:5000/v2/", "h2:pw"),
        ("https://r.example/ns", "schemens:pw"),
    ]));
    assert_eq!(user(&content, "docker.io", "").as_deref(), Some("hub"));
    assert_eq!(
        user(&content, "docker.io", "library/busybox").as_deref(),
        Some("hub")
    );
    assert_eq!(
        user(&content, "h2.example:5000", "x").as_deref(),
        Some("h2")
    );
    // The path of a URL key is dropped, so it applies to the whole registry.
    assert_eq!(
        user(&content, "r.example", "ns/repo").as_deref(),
        Some("schemens")
    );
    assert_eq!(
        user(&content, "r.example", "other").as_deref(),
        Some("schemens")
    );
}

#[test]
fn docker_hub_aliases() {
    for key in ["registry-1.docker.io", "index.docker.io", "docker.io"] {
        let content = parse(&auths(&[(key, "hub:pw")]));
        assert_eq!(
            user(&content, "docker.io", "library/busybox").as_deref(),
            Some("hub"),
            "{key}"
        );
    }
    let content = parse(&auths(&[
        ("docker.io/library", "lib:pw"),
        ("docker.io", "hub:pw"),
    ]));
    assert_eq!(
        user(&content, "docker.io", "library/busybox").as_deref(),
        Some("lib")
    );
    assert_eq!(
        user(&content, "docker.io", "someone/image").as_deref(),
        Some("hub")
    );
}

#[test]
fn exact_key_beats_normalised_one() {
    let content = parse(&auths(&[
        ("https://r.example", "second:pw"),
        ("r.example", "first:pw"),
    ]));
    assert_eq!(user(&content, "r.example", "").as_deref(), Some("first"));
}

#[test]
fn legacy_format_keys_by_registry_only() {
    let json = format!(
        "{{\"https://r.example/v1/\": {{\"auth\": {:?}, \"email\": \"x@y\"}}, \"h.example/ns\": {{\"auth\": {:?}}}}}",
        b64("legacy:pw"),
        b64("legacyns:pw")
    );
    let content =
        AuthFileContent::parse(Path::new("/h/.dockercfg"), json.as_bytes(), true).unwrap();
    assert_eq!(
        user(&content, "r.example", "ns/repo").as_deref(),
        Some("legacy")
    );
    // Any legacy key is cut at its first '/'.
    assert_eq!(user(&content, "h.example", "").as_deref(), Some("legacyns"));
    assert_eq!(
        user(&content, "h.example", "ns").as_deref(),
        Some("legacyns")
    );
}

#[test]
fn decoding_the_auth_field() {
    let cases = [
        ("u:p:x", Some(("u", "p:x"))),
        ("emptypw:", Some(("emptypw", ""))),
        (":pw", Some(("", "pw"))),
        ("nul:pw\0\0", Some(("nul", "pw"))),
        ("nocolon", None),
        (":", None),
        ("", None),
    ];
    for (auth, expected) in cases {
        let content = parse(&auths(&[("r.example", auth)]));
        let got = content.find("r.example", "").unwrap();
        let got = got
            .as_ref()
            .map(|c| (c.username.as_str(), c.password.as_str()));
        assert_eq!(got, expected, "{auth:?}");
    }
    // Go's decoder skips line breaks.
    let content = parse("{\"auths\": {\"r.example\": {\"auth\": \"dTpw\\ndw==\\n\"}}}");
    assert_eq!(user(&content, "r.example", "").as_deref(), Some("u"));
}

#[test]
fn bad_base64_is_an_error_naming_the_file_only_when_matched() {
    let unpadded = b64("rawuser:pw").trim_end_matches('=').to_owned();
    for auth in ["!!notb64", unpadded.as_str()] {
        let json = format!("{{\"auths\": {{\"r.example\": {{\"auth\": {auth:?}}}}}}}");
        let content = parse(&json);
        let err = content.find("r.example", "").unwrap_err();
        assert!(
            matches!(&err, StorageError::AuthFile { path, .. } if path == Path::new("/test/auth.json")),
            "{err}"
        );
        assert!(err.to_string().contains("not base64"), "{err}");
        // containers/image decodes only the entry it uses.
        assert_eq!(user(&content, "other.example", ""), None);
    }
}

#[test]
fn identity_tokens() {
    let json = format!(
        "{{\"auths\": {{\"r.example\": {{\"auth\": {:?}, \"identitytoken\": \"tok\"}}, \"t.example\": {{\"identitytoken\": \"tok\"}}}}}}",
        b64("tokuser:")
    );
    let content = parse(&json);
    let found = content.find("r.example", "").unwrap().unwrap();
    assert_eq!(found.identity_token.as_deref(), Some("tok"));
    assert_eq!(found.password, "");
    // Without a valid auth field the token is not used (containers/image 5.23).
    assert_eq!(content.find("t.example", "").unwrap(), None);
}

#[test]
fn credential_helpers_are_skipped() {
    let json = format!(
        "{{\"credHelpers\": {{\"r.example\": \"secretservice\"}}, \"credsStore\": \"desktop\", \"auths\": {{\"r.example\": {{\"auth\": {:?}}}, \"s.example\": {{\"auth\": {:?}}}}}}}",
        b64("helperfile:pw"),
        b64("store:pw")
    );
    let content = parse(&json);
    assert_eq!(user(&content, "r.example", ""), None);
    // credsStore is not read by containers/image 5.23 at all.
    assert_eq!(user(&content, "s.example", "").as_deref(), Some("store"));
}

#[test]
fn go_json_leniency() {
    // Field names match case-insensitively; null is empty; unknown fields are ignored.
    let content = parse(&format!(
        "{{\"Auths\": {{\"r.example\": {{\"Auth\": {:?}}}, \"n.example\": null}}, \"HttpHeaders\": {{}}}}",
        b64("goci:pw")
    ));
    assert_eq!(user(&content, "r.example", "").as_deref(), Some("goci"));
    assert_eq!(user(&content, "n.example", ""), None);
    for json in ["null", "{}", "{\"auths\": null}", "{\"auths\": {}}"] {
        assert_eq!(user(&parse(json), "r.example", ""), None, "{json}");
    }
}

#[test]
fn malformed_files_are_errors_naming_the_file() {
    for json in [
        "",
        "{\"auths\":",
        "[]",
        "\"text\"",
        "{\"auths\": []}",
        "{\"auths\": {\"r.example\": \"x\"}}",
        "{\"auths\": {\"r.example\": {\"auth\": 12}}}",
        "{\"credHelpers\": {\"r.example\": 1}}",
    ] {
        let err = AuthFileContent::parse(Path::new("/test/bad.json"), json.as_bytes(), false)
            .unwrap_err();
        match &err {
            StorageError::AuthFile { path, .. } => assert_eq!(path, Path::new("/test/bad.json")),
            other => panic!("{json:?}: {other}"),
        }
    }
}

#[test]
fn credentials_debug_redacts_secrets() {
    let credentials = Credentials {
        username: "user".into(),
        password: "hunter2".into(),
        identity_token: Some("refresh-me".into()),
    };
    let shown = format!("{credentials:?}");
    assert!(shown.contains("user"), "{shown}");
    assert!(
        !shown.contains("hunter2") && !shown.contains("refresh-me"),
        "{shown}"
    );
}
