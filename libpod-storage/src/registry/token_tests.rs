//! Unit tests of the token cache, query escaping and OAuth2 error mapping.

use super::*;

#[test]
fn query_values_are_escaped() {
    assert_eq!(
        query_escape("repository:a/b:pull,push"),
        "repository%3Aa%2Fb%3Apull%2Cpush"
    );
    assert_eq!(query_escape("plain-._~"), "plain-._~");
}

#[test]
fn a_cached_token_is_reused_until_forgotten() {
    let cache = TokenCache::default();
    let scopes = vec!["repository:a:pull".to_string()];
    let mut fetches = 0;
    for _ in 0..3 {
        let token = cache
            .get_or_fetch(&scopes, || {
                fetches += 1;
                Ok(("t1".into(), Duration::from_secs(300)))
            })
            .unwrap();
        assert_eq!(token, "t1");
    }
    assert_eq!(fetches, 1);
    cache.forget(&scopes);
    cache
        .get_or_fetch(&scopes, || {
            fetches += 1;
            Ok(("t2".into(), Duration::from_secs(300)))
        })
        .unwrap();
    assert_eq!(fetches, 2);
}

#[test]
fn a_token_about_to_expire_is_fetched_again() {
    let cache = TokenCache::default();
    let scopes = vec!["repository:a:pull".to_string()];
    let mut fetches = 0;
    for _ in 0..2 {
        cache
            .get_or_fetch(&scopes, || {
                fetches += 1;
                Ok(("t".into(), Duration::from_secs(5)))
            })
            .unwrap();
    }
    assert_eq!(fetches, 2);
}

#[test]
fn params_are_appended_to_a_query_or_a_form() {
    let mut url = "https://auth.example/token?".to_string();
    append_params(
        &mut url,
        [("service", "reg"), ("scope", "repository:a:pull")],
    );
    assert_eq!(
        url,
        "https://auth.example/token?service=reg&scope=repository%3Aa%3Apull"
    );
    let mut url = "https://auth.example/token?x=1".to_string();
    append_params(&mut url, [("scope", "s")]);
    assert_eq!(url, "https://auth.example/token?x=1&scope=s");
    let mut form = String::new();
    append_params(
        &mut form,
        [
            ("grant_type", "refresh_token"),
            ("client_id", OAUTH2_CLIENT_ID),
        ],
    );
    assert_eq!(
        form,
        "grant_type=refresh_token&client_id=containers%2Fimage"
    );
}

#[test]
fn a_refused_refresh_token_is_unauthorized() {
    assert_eq!(
        oauth2_failure_from_body(br#"{"error":"invalid_grant","error_description":"expired"}"#),
        RegistryFailure::Unauthorized("invalid_grant: expired".into())
    );
    assert_eq!(
        oauth2_failure_from_body(br#"{"error":"invalid_client"}"#),
        RegistryFailure::Unauthorized("invalid_client".into())
    );
    // Other 400s stay what they are.
    assert!(matches!(
        oauth2_failure_from_body(br#"{"error":"unsupported_grant_type"}"#),
        RegistryFailure::UnexpectedStatus { status: 400, .. }
    ));
    assert!(matches!(
        oauth2_failure_from_body(b"bad request"),
        RegistryFailure::UnexpectedStatus { status: 400, .. }
    ));
}
