//! The registry harness works, checked with curl and skopeo only: every variant answers
//! `/v2/` as it should, skopeo pushes into each and reads back, and the fault proxy cuts,
//! corrupts and redirects blob downloads.

use libpod_testutil::TempRoot;
use libpod_testutil::registry::{
    Fault, FaultProxy, RegistryOptions, TestCa, TestRegistry, TokenServer, TokenServerOptions,
    busybox_oci_layout, copy_to_registry, inspect, multi_arch_layout, zstd_oci_layout,
};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// What curl did: its exit code, the HTTP status (`%{http_code}`), the body and the
/// response headers.
struct Curl {
    exit: i32,
    status: String,
    body: Vec<u8>,
    headers: String,
}

fn curl(args: &[&str]) -> Curl {
    let tmp = TempRoot::new().unwrap();
    let body_file = tmp.path().join("body");
    let headers_file = tmp.path().join("headers");
    let output = Command::new("curl")
        .args(["-s", "--max-time", "10", "-w", "%{http_code}", "-o"])
        .arg(&body_file)
        .arg("-D")
        .arg(&headers_file)
        .args(args)
        .output()
        .unwrap();
    Curl {
        exit: output.status.code().unwrap_or(-1),
        status: String::from_utf8_lossy(&output.stdout).into_owned(),
        body: std::fs::read(&body_file).unwrap_or_default(),
        headers: std::fs::read_to_string(&headers_file).unwrap_or_default(),
    }
}

fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(data))
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|err| panic!("{err}: {text}"))
}

/// Pushes the busybox layout as `busybox:latest` and checks skopeo reads the same manifest
/// back.
fn push_busybox_and_read_back(registry: &TestRegistry, tmp: &Path) {
    let layout = tmp.join("busybox-layout");
    let digest = busybox_oci_layout(&layout, "latest").unwrap();
    let src = format!("oci:{}:latest", layout.display());
    copy_to_registry(&src, registry, "busybox:latest", &[]).unwrap();
    let inspected = json(&inspect(registry, "busybox:latest", &[]).unwrap());
    assert_eq!(inspected["Digest"], digest.as_str());
    assert_eq!(inspected["Layers"].as_array().unwrap().len(), 1);
}

#[test]
fn plain_registry_answers_and_takes_a_skopeo_push() {
    let tmp = TempRoot::new().unwrap();
    let registry = TestRegistry::start(RegistryOptions::default()).unwrap();
    assert!(registry.url().starts_with("http://127.0.0.1:"));
    assert_eq!(registry.host(), format!("127.0.0.1:{}", registry.port()));
    let v2 = curl(&[&format!("{}/v2/", registry.url())]);
    assert_eq!(v2.status, "200", "{}", registry.log());
    push_busybox_and_read_back(&registry, tmp.path());
}

#[test]
fn tls_registry_is_trusted_only_with_its_ca() {
    let tmp = TempRoot::new().unwrap();
    let ca = TestCa::generate(&tmp.path().join("ca")).unwrap();
    let registry = TestRegistry::start(
        RegistryOptions::default()
            .tls(&ca)
            .htpasswd("user", "s3cret"),
    )
    .unwrap();
    assert!(registry.url().starts_with("https://127.0.0.1:"));
    let v2 = format!("{}/v2/", registry.url());
    let ca_path = ca.ca_cert();
    let ca_path = ca_path.to_str().unwrap();

    let trusted = curl(&["--cacert", ca_path, "-u", "user:s3cret", &v2]);
    assert_eq!((trusted.exit, trusted.status.as_str()), (0, "200"));
    let localhost = format!("https://localhost:{}/v2/", registry.port());
    let by_name = curl(&["--cacert", ca_path, "-u", "user:s3cret", &localhost]);
    assert_eq!(
        by_name.status, "200",
        "the certificate also names localhost"
    );
    let untrusted = curl(&["-u", "user:s3cret", &v2]);
    assert_eq!(
        untrusted.exit, 60,
        "curl must reject a certificate of an unknown CA"
    );

    let certs = registry.certs_d(&tmp.path().join("certs.d")).unwrap();
    assert_eq!(
        certs,
        tmp.path().join("certs.d").join(registry.host()),
        "certs.d/HOST"
    );
    assert!(certs.join("ca.crt").is_file());
    push_busybox_and_read_back(&registry, tmp.path());
}

#[test]
fn htpasswd_registry_wants_the_password() {
    let registry = TestRegistry::start(RegistryOptions::default().htpasswd("user", "pw")).unwrap();
    let v2 = format!("{}/v2/", registry.url());
    let anonymous = curl(&[&v2]);
    assert_eq!(anonymous.status, "401");
    assert!(
        anonymous.headers.contains("Basic realm="),
        "{}",
        anonymous.headers
    );
    assert_eq!(curl(&["-u", "user:wrong", &v2]).status, "401");
    assert_eq!(curl(&["-u", "user:pw", &v2]).status, "200");
    assert_eq!(registry.credentials(), Some(("user", "pw")));
}

#[test]
fn token_registry_accepts_tokens_from_the_token_server() {
    let tmp = TempRoot::new().unwrap();
    let tokens =
        TokenServer::start(TokenServerOptions::default().credentials("tok", "pw")).unwrap();
    let registry = TestRegistry::start(RegistryOptions::default().token(&tokens)).unwrap();
    let v2 = format!("{}/v2/", registry.url());

    let challenge = curl(&[&v2]);
    assert_eq!(challenge.status, "401");
    let expected = format!(
        "Bearer realm=\"{}\",service=\"{}\"",
        tokens.realm(),
        tokens.service()
    );
    assert!(
        challenge.headers.contains(&expected),
        "{}",
        challenge.headers
    );

    let token_url = format!("{}?service={}", tokens.realm(), tokens.service());
    assert_eq!(curl(&[&token_url]).status, "401", "anonymous is refused");
    assert_eq!(curl(&["-u", "tok:bad", &token_url]).status, "401");
    let issued = curl(&["-u", "tok:pw", &token_url]);
    assert_eq!(issued.status, "200");
    let body = json(&String::from_utf8_lossy(&issued.body));
    assert_eq!(body["expires_in"], 300);
    assert_eq!(body["token"], body["access_token"]);
    let bearer = format!("Authorization: Bearer {}", body["token"].as_str().unwrap());
    let authorized = curl(&["-H", &bearer, &v2]);
    assert_eq!(authorized.status, "200", "{}", registry.log());
    assert_eq!(tokens.requests_for_scope(""), 3);

    push_busybox_and_read_back(&registry, tmp.path());
    assert!(tokens.requests_for_scope("repository:busybox:pull,push") >= 1);
    assert!(tokens.tokens_issued() >= 2);
}

#[test]
fn token_server_grants_only_the_configured_actions() {
    let tokens = TokenServer::start(
        TokenServerOptions::default()
            .credentials("tok", "pw")
            .granted_actions(&["pull"])
            .anonymous_actions(&[]),
    )
    .unwrap();
    let registry = TestRegistry::start(RegistryOptions::default().token(&tokens)).unwrap();
    let upload = format!("{}/v2/denied/blobs/uploads/", registry.url());
    for (creds, scope_user) in [(Some("tok:pw"), "tok"), (None, "")] {
        let scope = "repository%3Adenied%3Apull%2Cpush";
        let token_url = format!(
            "{}?service={}&scope={scope}",
            tokens.realm(),
            tokens.service()
        );
        let mut args = vec![token_url.as_str()];
        if let Some(creds) = creds {
            args.splice(0..0, ["-u", creds]);
        }
        let issued = curl(&args);
        assert_eq!(issued.status, "200", "as {scope_user:?}");
        let token = json(&String::from_utf8_lossy(&issued.body))["token"]
            .as_str()
            .unwrap()
            .to_string();
        let bearer = format!("Authorization: Bearer {token}");
        let push = curl(&["-X", "POST", "-H", &bearer, &upload]);
        assert_eq!(
            push.status, "401",
            "a push with a pull-only token is refused"
        );
        assert!(
            push.headers.contains("insufficient_scope"),
            "{}",
            push.headers
        );
    }
    assert_eq!(tokens.requests_for_scope("repository:denied:pull,push"), 2);
}

#[test]
fn multi_arch_index_and_zstd_layers_survive_the_push() {
    let tmp = TempRoot::new().unwrap();
    let registry = TestRegistry::start(RegistryOptions::default()).unwrap();

    let multi = tmp.path().join("multi");
    let index_digest = multi_arch_layout(&multi, "v1").unwrap();
    let src = format!("oci:{}:v1", multi.display());
    copy_to_registry(&src, &registry, "multi:v1", &["--all"]).unwrap();
    let raw = json(&inspect(&registry, "multi:v1", &["--raw"]).unwrap());
    assert_eq!(raw["mediaType"], "application/vnd.oci.image.index.v1+json");
    let platforms: Vec<String> = raw["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let p = &m["platform"];
            format!("{}/{}/{}", p["os"], p["architecture"], p["variant"]).replace('"', "")
        })
        .collect();
    assert_eq!(
        platforms,
        ["linux/amd64/null", "linux/arm64/v8", "linux/arm/v7"]
    );
    let index = curl(&[
        "-H",
        "Accept: application/vnd.oci.image.index.v1+json",
        &format!("{}/v2/multi/manifests/v1", registry.url()),
    ]);
    assert_eq!(
        format!("sha256:{}", sha256_hex(&index.body)),
        index_digest,
        "the index is stored byte for byte"
    );

    let zstd_layout = tmp.path().join("zstd");
    zstd_oci_layout(&zstd_layout, "latest").unwrap();
    let src = format!("oci:{}:latest", zstd_layout.display());
    copy_to_registry(&src, &registry, "zstd:latest", &[]).unwrap();
    let manifest = json(&inspect(&registry, "zstd:latest", &["--raw"]).unwrap());
    assert_eq!(
        manifest["layers"][0]["mediaType"],
        "application/vnd.oci.image.layer.v1.tar+zstd"
    );

    // skopeo 1.9 also recompresses a gzip layer on the way, when asked.
    let gzip_layout = tmp.path().join("gzip");
    busybox_oci_layout(&gzip_layout, "latest").unwrap();
    let src = format!("oci:{}:latest", gzip_layout.display());
    let args = ["--dest-compress-format", "zstd"];
    copy_to_registry(&src, &registry, "recompressed:latest", &args).unwrap();
    let manifest = json(&inspect(&registry, "recompressed:latest", &["--raw"]).unwrap());
    assert_eq!(
        manifest["layers"][0]["mediaType"],
        "application/vnd.oci.image.layer.v1.tar+zstd"
    );
}

#[test]
fn fault_proxy_cuts_corrupts_and_redirects_blob_downloads() {
    let tmp = TempRoot::new().unwrap();
    let registry = TestRegistry::start(RegistryOptions::default()).unwrap();
    let layout = tmp.path().join("layout");
    busybox_oci_layout(&layout, "latest").unwrap();
    let src = format!("oci:{}:latest", layout.display());
    copy_to_registry(&src, &registry, "busybox:latest", &[]).unwrap();
    let manifest = json(&inspect(&registry, "busybox:latest", &["--raw"]).unwrap());
    let layer = manifest["layers"][0]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    let size = manifest["layers"][0]["size"].as_u64().unwrap();
    let config = manifest["config"]["digest"].as_str().unwrap().to_string();

    let proxy = FaultProxy::start(registry.addr(), Fault::None).unwrap();
    let layer_url = format!("{}/v2/busybox/blobs/{layer}", proxy.url());
    let fetched = curl(&[&layer_url]);
    assert_eq!((fetched.exit, fetched.status.as_str()), (0, "200"));
    assert_eq!(format!("sha256:{}", sha256_hex(&fetched.body)), layer);
    assert!(
        fetched.headers.contains("Connection: close"),
        "{}",
        fetched.headers
    );

    proxy.set_fault(Fault::CutAfter {
        bytes: 2000,
        times: 1,
    });
    let cut = curl(&[&layer_url]);
    assert_eq!(cut.exit, 18, "curl reports a partial transfer");
    assert_eq!(cut.body.len(), 2000);
    let ranged = curl(&["-H", "Range: bytes=2000-", &layer_url]);
    assert_eq!(ranged.status, "206", "Range passes through");
    assert_eq!([&cut.body[..], &ranged.body[..]].concat(), fetched.body);
    let again = curl(&[&layer_url]);
    assert_eq!(
        (again.exit, again.body.len() as u64),
        (0, size),
        "cut only once"
    );

    proxy.set_fault(Fault::FlipByte { offset: 100 });
    let flipped = curl(&[&layer_url]);
    assert_eq!(flipped.exit, 0);
    assert_eq!(flipped.body.len() as u64, size);
    assert_ne!(format!("sha256:{}", sha256_hex(&flipped.body)), layer);
    assert_eq!(flipped.body[100], fetched.body[100] ^ 1);
    let small = curl(&[&format!("{}/v2/busybox/blobs/{config}", proxy.url())]);
    assert_eq!(
        format!("sha256:{}", sha256_hex(&small.body)),
        config,
        "bodies under MIN_FAULTY_BODY pass untouched"
    );

    let stats = proxy.stats();
    assert_eq!(stats.blob_gets, 6);
    assert_eq!(stats.faults_injected, 2, "{stats:?}");
    assert_eq!(stats.connections, 6);

    let to = "127.0.0.1:9".parse().unwrap();
    proxy.set_fault(Fault::RedirectBlobs { to });
    let redirected = curl(&[&layer_url]);
    assert_eq!((redirected.exit, redirected.status.as_str()), (0, "307"));
    let location = format!("Location: http://127.0.0.1:9/v2/busybox/blobs/{layer}\r\n");
    assert!(
        redirected.headers.contains(&location),
        "{}",
        redirected.headers
    );
    assert!(redirected.body.is_empty());
    let manifest_url = format!("{}/v2/busybox/manifests/latest", proxy.url());
    let oci = "Accept: application/vnd.oci.image.manifest.v1+json";
    let manifest = curl(&["-H", oci, &manifest_url]);
    assert_eq!(manifest.status, "200", "only blobs move");
    assert_eq!(proxy.stats().faults_injected, 3);
}

#[test]
fn a_registry_that_cannot_start_reports_its_stderr() {
    let tmp = TempRoot::new().unwrap();
    let ca = TestCa::generate(&tmp.path().join("ca")).unwrap();
    std::fs::remove_file(ca.server_key()).unwrap();
    let err = TestRegistry::start(RegistryOptions::default().tls(&ca)).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("docker-registry exited"), "{message}");
    assert!(
        message.contains("server.key"),
        "the registry's own words: {message}"
    );
}
