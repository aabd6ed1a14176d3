//! What goes wrong between us and a registry: a connection cut mid-blob (resumed, or after the
//! retries a clean failure), a flipped byte (rejected, nothing committed), a blob longer than
//! its descriptor (cut one byte past its size), a blob redirected to another host (fetched there
//! without our credentials), error statuses as typed errors, malformed and oversized manifests,
//! and mirrors tried in order.

mod common;

use common::registry::{assert_nothing_committed, busybox_registry, plain_pull, push_layout};
use libpod_storage::registry::{BlobProgress, Credentials, RegistryOptions as ClientOptions};
use libpod_storage::{Digest, RegistriesConfig, RegistryFailure, StorageError};
use libpod_testutil::TempRoot;
use libpod_testutil::registry::{
    Fault, FaultProxy, RegistryOptions as ServerOptions, TestRegistry,
};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A registry holding busybox as `busybox:1`, and a proxy in front of it.
fn registry_behind_proxy(tmp: &Path, fault: Fault) -> (TestRegistry, FaultProxy) {
    let (registry, _, _) = busybox_registry(tmp, "busybox:1", &[]);
    let proxy = FaultProxy::start(registry.addr(), fault).unwrap();
    (registry, proxy)
}

#[test]
fn a_blob_cut_mid_transfer_is_resumed_where_it_stopped() {
    let tmp = TempRoot::new().unwrap();
    let (_registry, proxy) = registry_behind_proxy(
        tmp.path(),
        Fault::CutAfter {
            bytes: 100_000,
            times: 2,
        },
    );
    let store = common::store(&tmp, None);
    let name = format!("{}/busybox:1", proxy.host());
    let image = store.pull_image(&name, &plain_pull(&tmp)).unwrap();
    let stats = proxy.stats();
    assert_eq!(stats.faults_injected, 2, "{stats:?}");
    // The config and the layer would have done; each cut costs one more (resumed with Range).
    assert_eq!(stats.blob_gets, 4, "{stats:?}");
    assert_eq!(store.check().unwrap(), []);
    assert_eq!(image.names, [name]);
}

#[test]
fn a_blob_cut_more_often_than_the_retries_fails_cleanly() {
    let tmp = TempRoot::new().unwrap();
    let (_registry, proxy) = registry_behind_proxy(
        tmp.path(),
        Fault::CutAfter {
            bytes: 5000,
            times: 100,
        },
    );
    let store = common::store(&tmp, None);
    let name = format!("{}/busybox:1", proxy.host());
    let mut options = plain_pull(&tmp);
    options.registry.retries = 2;
    let err = store.pull_image(&name, &options).unwrap_err();
    let text = format!("{err} {:?}", std::error::Error::source(&err));
    assert!(text.contains("cut after"), "{text}");
    assert_eq!(proxy.stats().faults_injected, 3);
    assert_nothing_committed(&store);

    // The registry behaves again: the same store pulls the image whole.
    proxy.set_fault(Fault::None);
    store.pull_image(&name, &options).unwrap();
    assert_eq!(store.check().unwrap(), []);
}

#[test]
fn a_flipped_byte_is_rejected_and_nothing_is_committed() {
    let tmp = TempRoot::new().unwrap();
    let (_registry, proxy) = registry_behind_proxy(tmp.path(), Fault::FlipByte { offset: 4000 });
    let store = common::store(&tmp, None);
    let name = format!("{}/busybox:1", proxy.host());
    let err = store.pull_image(&name, &plain_pull(&tmp)).unwrap_err();
    // The flip is caught by the decompressor (deflate data or gzip CRC), the tar reader
    // (header checksum) or the blob digest, whichever comes first: never committed.
    match &err {
        StorageError::DigestMismatch { .. } => {}
        StorageError::MalformedLayer { reason } => {
            assert!(reason.starts_with("layer sha256:"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    assert!(proxy.stats().faults_injected >= 1);
    assert_nothing_committed(&store);
}

#[test]
fn a_blob_longer_than_its_descriptor_is_cut_one_byte_past_its_size() {
    let tmp = TempRoot::new().unwrap();
    // 64 MiB after the layer's true bytes, under a Content-Length that counts them.
    let extra = 64 << 20;
    let (_registry, proxy) = registry_behind_proxy(tmp.path(), Fault::Overlong { extra });
    let store = common::store(&tmp, None);
    let name = format!("{}/busybox:1", proxy.host());
    let mut options = plain_pull(&tmp);
    // The most bytes read from the connection for each layer, and its descriptor size.
    let most: Arc<Mutex<HashMap<Digest, (u64, u64)>>> = Arc::default();
    let record = Arc::clone(&most);
    options.progress = Some(Arc::new(move |p: BlobProgress| {
        let mut most = record.lock().unwrap();
        let entry = most.entry(p.digest).or_insert((0, p.total));
        entry.0 = entry.0.max(p.done);
    }));
    let err = store.pull_image(&name, &options).unwrap_err();
    let StorageError::BlobTooLarge {
        digest,
        expected,
        received,
    } = &err
    else {
        panic!("expected the blob to be cut at its size, got {err:?}")
    };
    assert_eq!(*received, expected + 1, "{err}");
    assert!(err.to_string().contains(digest.as_str()), "{err}");
    let (read, size) = most.lock().unwrap()[&digest.parse::<Digest>().unwrap()];
    assert_eq!(size, *expected);
    assert_eq!(read, size + 1, "bytes read from the registry");
    assert_eq!(proxy.stats().faults_injected, 1);
    assert_nothing_committed(&store);
}

#[test]
fn a_registry_that_stalls_mid_blob_times_out() {
    let tmp = TempRoot::new().unwrap();
    let (_registry, proxy) = registry_behind_proxy(tmp.path(), Fault::StallAfter { bytes: 5000 });
    let store = common::store(&tmp, None);
    let name = format!("{}/busybox:1", proxy.host());
    let mut options = plain_pull(&tmp);
    options.registry.io_timeout = Duration::from_millis(500);
    options.registry.retries = 1;
    let started = Instant::now();
    let err = store.pull_image(&name, &options).unwrap_err();
    let elapsed = started.elapsed();
    match &err {
        StorageError::Registry {
            operation: "get blob",
            failure: RegistryFailure::Timeout(detail),
            ..
        } => assert!(detail.contains("per read, after 10000 bytes"), "{err}"),
        other => panic!("expected a timeout, got {other:?}"),
    }
    // The stall and its one resumption (a Range GET from byte 5000, which stalls after 5000
    // more), each given up after 0.5 s; the proxy would hold on for 30 s.
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
    assert_eq!(proxy.stats().faults_injected, 2);
    assert_nothing_committed(&store);
}

#[test]
fn a_blob_redirected_to_another_host_is_fetched_there_without_credentials() {
    let tmp = TempRoot::new().unwrap();
    // What the redirects lead to: a blob store that serves without authentication (another
    // registry holding the same image), behind a recording proxy on another port of
    // 127.0.0.1: another origin.
    let (storage, layout, digest) = busybox_registry(tmp.path(), "busybox:1", &[]);
    let elsewhere = FaultProxy::start(storage.addr(), Fault::None).unwrap();
    let registry =
        TestRegistry::start(ServerOptions::default().htpasswd("alice", "s3cret")).unwrap();
    push_layout(&registry, &layout, "latest", "busybox:1", &[]);
    let front = FaultProxy::start(
        registry.addr(),
        Fault::RedirectBlobs {
            to: elsewhere.addr(),
        },
    )
    .unwrap();
    let store = common::store(&tmp, None);
    let name = format!("{}/busybox:1", front.host());
    let mut options = plain_pull(&tmp);
    options.registry.credentials = Some(Credentials {
        username: "alice".into(),
        password: "s3cret".into(),
        identity_token: None,
    });
    let image = store.pull_image(&name, &options).unwrap();
    assert_eq!(image.manifest_digest.to_string(), digest);
    assert_eq!(store.check().unwrap(), []);

    // Every blob (the config and the layers) was asked of the registry with the credentials,
    // redirected, and fetched from the other host without them.
    let blobs = 1 + image.layers.len();
    let asked: Vec<_> = front
        .requests()
        .into_iter()
        .filter(|r| r.target.contains("/blobs/sha256:"))
        .collect();
    assert_eq!(asked.len(), blobs, "{asked:?}");
    for request in &asked {
        let authorization = request.header("authorization").unwrap_or_default();
        assert!(authorization.starts_with("Basic "), "{request:?}");
    }
    assert_eq!(front.stats().faults_injected, blobs as u64);
    let fetched = elsewhere.requests();
    assert_eq!(fetched.len(), blobs, "{fetched:?}");
    for request in &fetched {
        assert_eq!(request.header("authorization"), None, "{request:?}");
    }
}

/// A one-shot HTTP server answering every request with `respond(path)` (status line, headers,
/// body), until the test ends.
fn fake_registry(respond: impl Fn(&str) -> (String, Vec<u8>) + Send + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let host = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
            }
            let path = request_line.split(' ').nth(1).unwrap_or("/").to_string();
            let (head, body) = respond(&path);
            let _ = write!(
                stream,
                "{head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        }
    });
    host
}

fn manifest_failure(head: &'static str, body: Vec<u8>) -> StorageError {
    let host = fake_registry(move |path| {
        if path == "/v2/" {
            ("HTTP/1.1 200 OK".into(), b"{}".to_vec())
        } else {
            (head.to_string(), body.clone())
        }
    });
    let tmp = TempRoot::new().unwrap();
    let store = common::store(&tmp, None);
    let err = store
        .pull_image(&format!("{host}/some/image:1"), &plain_pull(&tmp))
        .unwrap_err();
    assert_nothing_committed(&store);
    err
}

#[test]
fn error_statuses_become_typed_errors_naming_registry_and_reference() {
    let err = manifest_failure(
        "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 30",
        Vec::new(),
    );
    let StorageError::Registry {
        reference,
        failure,
        operation,
        ..
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(
        failure,
        &RegistryFailure::TooManyRequests {
            retry_after: Some(30)
        }
    );
    assert_eq!(
        (reference.as_str(), *operation),
        ("some/image:1", "get manifest")
    );

    let body = br#"{"errors":[{"code":"UNAVAILABLE","message":"down for maintenance"}]}"#;
    let err = manifest_failure("HTTP/1.1 503 Service Unavailable", body.to_vec());
    assert!(
        matches!(&err, StorageError::Registry { failure: RegistryFailure::Server { status: 503, detail }, .. } if detail.contains("maintenance")),
        "{err}"
    );
    let err = manifest_failure("HTTP/1.1 403 Forbidden", Vec::new());
    assert!(
        matches!(
            &err,
            StorageError::Registry {
                failure: RegistryFailure::Denied(_),
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("some/image:1"), "{err}");
}

#[test]
fn the_remote_digest_falls_back_to_get_when_head_gives_none() {
    let manifest = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"#;
    // No Docker-Content-Digest header on HEAD or GET: the digest is the GET body's.
    let host = fake_registry(move |path| {
        if path == "/v2/" {
            ("HTTP/1.1 200 OK".into(), b"{}".to_vec())
        } else {
            let head =
                "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.manifest.v1+json";
            (head.into(), manifest.to_vec())
        }
    });
    let tmp = TempRoot::new().unwrap();
    let reference = libpod_storage::ImageReference::parse(&format!("{host}/x/y:1")).unwrap();
    let digest = libpod_storage::registry::remote_digest(&reference, &plain_pull(&tmp)).unwrap();
    assert_eq!(digest, libpod_storage::Digest::of(manifest));
}

#[test]
fn malformed_oversized_and_schema1_manifests_are_refused() {
    let json = "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.manifest.v1+json";
    let err = manifest_failure(json, b"{\"schemaVersion\": 2, \"config\": ".to_vec());
    assert!(matches!(err, StorageError::InvalidValue { .. }), "{err}");
    let err = manifest_failure(json, vec![b' '; 5 << 20]);
    assert!(err.to_string().contains("byte limit"), "{err}");
    let schema1 = "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.distribution.manifest.v1+prettyjws";
    let err = manifest_failure(schema1, br#"{"schemaVersion":1,"fsLayers":[]}"#.to_vec());
    assert!(err.to_string().contains("schema 1"), "{err}");
    let err = manifest_failure(json, b"\xff\xfe garbage".to_vec());
    assert!(matches!(err, StorageError::InvalidValue { .. }), "{err}");
}

#[test]
fn mirrors_are_tried_in_order_before_the_location() {
    let tmp = TempRoot::new().unwrap();
    let (registry, _proxy) = registry_behind_proxy(tmp.path(), Fault::None);
    let dead = TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_host = dead.local_addr().unwrap().to_string();
    drop(dead);
    let conf = format!(
        r#"
[[registry]]
prefix = "example.invalid/lib"
location = "{dead_host}/lib"
insecure = true
[[registry.mirror]]
location = "{dead_host}/mirror"
insecure = true
[[registry.mirror]]
location = "{}"
insecure = true
"#,
        registry.host()
    );
    let conf = RegistriesConfig::from_toml_str(Path::new("test.conf"), &conf).unwrap();
    let tmp2 = TempRoot::new().unwrap();
    let store = common::store(&tmp2, None);
    let mut options = plain_pull(&tmp);
    // registries.conf decides about TLS here.
    options.registry = ClientOptions {
        tls_verify: None,
        ..options.registry
    };
    options.registries_conf = Some(Arc::new(conf));
    let image = store
        .pull_image("example.invalid/lib/busybox:1", &options)
        .unwrap();
    assert_eq!(image.names, ["example.invalid/lib/busybox:1"]);
}

#[test]
fn layers_already_in_the_store_are_not_fetched_again() {
    use libpod_testutil::registry::{LayerCompression, OciLayoutBuilder, Platform};
    let tmp = TempRoot::new().unwrap();
    let (registry, proxy) = registry_behind_proxy(tmp.path(), Fault::None);
    // Two images sharing their bottom layer.
    let big: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
    let shared = common::tar_of(&[("shared", &big)]);
    let own = common::tar_of(&[("own", &big[..100_000])]);
    let layout = tmp.path().join("two");
    let builder = OciLayoutBuilder::create(&layout).unwrap();
    let host = Platform::host();
    let one = builder
        .add_image(
            std::slice::from_ref(&shared),
            LayerCompression::Gzip,
            &host,
            &["/x"],
        )
        .unwrap();
    builder.tag(&one, "one").unwrap();
    let two = builder
        .add_image(&[shared, own], LayerCompression::Gzip, &host, &["/x"])
        .unwrap();
    builder.tag(&two, "two").unwrap();
    for tag in ["one", "two"] {
        push_layout(&registry, &layout, tag, &format!("app:{tag}"), &[]);
    }
    let store = common::store(&tmp, None);
    let first = store
        .pull_image(&format!("{}/app:one", proxy.host()), &plain_pull(&tmp))
        .unwrap();
    let before = proxy.stats().blob_gets;
    let second = store
        .pull_image(&format!("{}/app:two", proxy.host()), &plain_pull(&tmp))
        .unwrap();
    assert_eq!(second.layers[0], first.layers[0]);
    // Its config and its own layer only: the shared layer is not fetched again.
    assert_eq!(proxy.stats().blob_gets - before, 2);
    assert_eq!(store.check().unwrap(), []);
}
