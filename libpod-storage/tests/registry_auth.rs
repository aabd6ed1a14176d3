//! Authentication and TLS against a real `docker-registry`: a CA from certs.d (and what
//! happens without it), htpasswd Basic auth with explicit credentials and from an auth file,
//! and Bearer tokens from a token server, cached per scope, got with Basic credentials or with
//! an identity token (OAuth2 refresh token) from an auth file.

mod common;

use common::registry::{assert_nothing_committed, push_layout, registry_options};
use libpod_storage::registry::{AuthFiles, Credentials, PullOptions, RegistryOptions as Client};
use libpod_storage::{RegistriesConfig, RegistryFailure, StorageError};
use libpod_testutil::TempRoot;
use libpod_testutil::registry::{
    RegistryOptions, TestCa, TestRegistry, TokenServer, TokenServerOptions, busybox_oci_layout,
    multi_arch_layout,
};
use std::path::Path;
use std::sync::Arc;

fn push_busybox(tmp: &Path, registry: &TestRegistry, repo_tag: &str) {
    let layout = tmp.join(format!("layout-{}", repo_tag.replace(['/', ':'], "-")));
    busybox_oci_layout(&layout, "latest").unwrap();
    push_layout(registry, &layout, "latest", repo_tag, &[]);
}

fn options(client: Client) -> PullOptions {
    PullOptions {
        registry: client,
        registries_conf: Some(Arc::new(RegistriesConfig::default())),
        ..PullOptions::default()
    }
}

fn failure(err: &StorageError) -> &RegistryFailure {
    match err {
        StorageError::Registry { failure, .. } => failure,
        other => panic!("not a registry error: {other}"),
    }
}

fn credentials(user: &str, password: &str) -> Option<Credentials> {
    Some(Credentials {
        username: user.into(),
        password: password.into(),
        identity_token: None,
    })
}

#[test]
fn tls_is_verified_with_the_certs_d_ca() {
    let tmp = TempRoot::new().unwrap();
    let ca = TestCa::generate(&tmp.path().join("ca")).unwrap();
    let registry = TestRegistry::start(RegistryOptions::default().tls(&ca)).unwrap();
    push_busybox(tmp.path(), &registry, "busybox:1");
    let name = format!("{}/busybox:1", registry.host());
    let store = common::store(&tmp, None);

    // Without the CA the certificate is refused, whatever registries.conf says.
    let err = store
        .pull_image(&name, &options(registry_options(&tmp, None)))
        .unwrap_err();
    assert!(
        matches!(failure(&err), RegistryFailure::Connection(why) if why.contains("UnknownIssuer")),
        "{err}"
    );
    assert_nothing_committed(&store);

    let certs_d = tmp.path().join("certs.d");
    registry.certs_d(&certs_d).unwrap();
    let mut client = registry_options(&tmp, None);
    client.certs_dirs = vec![certs_d];
    store.pull_image(&name, &options(client)).unwrap();

    // --tls-verify=false takes any certificate.
    let store = common::store_at(&tmp.path().join("second"), None);
    store
        .pull_image(&name, &options(registry_options(&tmp, Some(false))))
        .unwrap();
}

#[test]
fn htpasswd_basic_auth_takes_credentials_from_options_or_an_auth_file() {
    let tmp = TempRoot::new().unwrap();
    let registry =
        TestRegistry::start(RegistryOptions::default().htpasswd("alice", "s3cret:x")).unwrap();
    push_busybox(tmp.path(), &registry, "private/busybox:1");
    let name = format!("{}/private/busybox:1", registry.host());
    let store = common::store(&tmp, None);

    let err = store
        .pull_image(&name, &options(registry_options(&tmp, Some(false))))
        .unwrap_err();
    assert!(
        matches!(failure(&err), RegistryFailure::Unauthorized(_)),
        "{err}"
    );
    assert!(err.to_string().contains(&registry.host()), "{err}");
    let mut wrong = registry_options(&tmp, Some(false));
    wrong.credentials = credentials("alice", "nope");
    let err = store.pull_image(&name, &options(wrong)).unwrap_err();
    assert!(
        matches!(failure(&err), RegistryFailure::Unauthorized(_)),
        "{err}"
    );
    assert_nothing_committed(&store);

    let mut right = registry_options(&tmp, Some(false));
    right.credentials = credentials("alice", "s3cret:x");
    store.pull_image(&name, &options(right)).unwrap();

    // The same from an auth.json keyed by host/namespace, as `podman login` can write it.
    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode("alice:s3cret:x");
    let auth_json = tmp.path().join("auth.json");
    std::fs::write(
        &auth_json,
        format!(
            r#"{{"auths":{{"{}/private":{{"auth":"{auth}"}}}}}}"#,
            registry.host()
        ),
    )
    .unwrap();
    let mut from_file = registry_options(&tmp, Some(false));
    from_file.auth_files = Some(AuthFiles::explicit(&auth_json));
    let store = common::store_at(&tmp.path().join("second"), None);
    store.pull_image(&name, &options(from_file)).unwrap();
}

#[test]
fn bearer_tokens_are_fetched_once_per_scope_and_refused_without_credentials() {
    let tmp = TempRoot::new().unwrap();
    let tokens =
        TokenServer::start(TokenServerOptions::default().credentials("bob", "pw")).unwrap();
    let registry = TestRegistry::start(RegistryOptions::default().token(&tokens)).unwrap();
    let layout = tmp.path().join("multi");
    multi_arch_layout(&layout, "multi").unwrap();
    push_layout(&registry, &layout, "multi", "team/multi:1", &["--all"]);
    let name = format!("{}/team/multi:1", registry.host());
    let store = common::store(&tmp, None);

    let err = store
        .pull_image(&name, &options(registry_options(&tmp, Some(false))))
        .unwrap_err();
    let StorageError::Registry {
        operation,
        failure: RegistryFailure::Unauthorized(_),
        ..
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(*operation, "token");
    assert_nothing_committed(&store);

    let before = tokens.requests_for_scope("repository:team/multi:pull");
    let mut client = registry_options(&tmp, Some(false));
    client.credentials = credentials("bob", "pw");
    // The index, the amd64 manifest, its config and two layers: five requests, one token.
    store.pull_image(&name, &options(client)).unwrap();
    assert_eq!(
        tokens.requests_for_scope("repository:team/multi:pull") - before,
        1
    );
}

#[test]
fn an_identity_token_is_exchanged_for_bearer_tokens_with_an_oauth2_post() {
    let tmp = TempRoot::new().unwrap();
    // The token server knows no password: only the refresh token gets a token.
    let tokens =
        TokenServer::start(TokenServerOptions::default().refresh_token("refresh-me")).unwrap();
    let registry = TestRegistry::start(RegistryOptions::default().token(&tokens)).unwrap();
    // containers/image requires a valid `auth` next to `identitytoken`; its user and
    // password are never sent when there is an identity token.
    let auth_file = |identity_token: &str| {
        use base64::Engine as _;
        let auth = base64::engine::general_purpose::STANDARD.encode("someone:not-a-password");
        let path = tmp.path().join(format!("auth-{identity_token}.json"));
        std::fs::write(
            &path,
            format!(
                r#"{{"auths":{{"{}":{{"auth":"{auth}","identitytoken":"{identity_token}"}}}}}}"#,
                registry.host()
            ),
        )
        .unwrap();
        path
    };
    let good = auth_file("refresh-me");
    // skopeo (containers/image) pushes through the same OAuth2 POST.
    let layout = tmp.path().join("layout");
    busybox_oci_layout(&layout, "latest").unwrap();
    let dest_authfile = format!("--dest-authfile={}", good.display());
    push_layout(
        &registry,
        &layout,
        "latest",
        "team/busybox:1",
        &[&dest_authfile],
    );
    assert!(tokens.oauth2_requests() > 0);
    assert_eq!(tokens.oauth2_requests(), tokens.total_requests());
    let name = format!("{}/team/busybox:1", registry.host());
    let store = common::store(&tmp, None);

    // A wrong identity token is refused (400 invalid_grant) before anything is fetched.
    let mut wrong = registry_options(&tmp, Some(false));
    wrong.auth_files = Some(AuthFiles::explicit(auth_file("stale")));
    let posts_before = tokens.oauth2_requests();
    let err = store.pull_image(&name, &options(wrong)).unwrap_err();
    let StorageError::Registry {
        operation,
        failure: RegistryFailure::Unauthorized(_),
        ..
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(*operation, "token");
    assert!(tokens.oauth2_requests() > posts_before);
    assert_nothing_committed(&store);

    // The password alone is not enough: the GET path is refused.
    let mut password_only = registry_options(&tmp, Some(false));
    password_only.credentials = credentials("someone", "not-a-password");
    let err = store
        .pull_image(&name, &options(password_only))
        .unwrap_err();
    assert!(
        matches!(failure(&err), RegistryFailure::Unauthorized(_)),
        "{err}"
    );

    let (gets_before, posts_before) = (
        tokens.total_requests() - tokens.oauth2_requests(),
        tokens.oauth2_requests(),
    );
    let mut client = registry_options(&tmp, Some(false));
    client.auth_files = Some(AuthFiles::explicit(&good));
    store.pull_image(&name, &options(client)).unwrap();
    // The manifest, the config and the layer share one token, from one POST and no GET.
    assert_eq!(tokens.oauth2_requests() - posts_before, 1);
    assert_eq!(
        tokens.total_requests() - tokens.oauth2_requests(),
        gets_before
    );
}
