//! `images` output (Go templates, json, filters, sorting, -q, --no-trunc, --digests,
//! --noheading) against the real Podman 4.3's, on the same images pulled from one OCI layout
//! into both stores (same IDs, digests and creation times).

mod common;

use common::pair::Pair;
use libpod_testutil::registry::OciLayoutBuilder;
use libpod_testutil::{require_root, serial, tar_directory};
use serde_json::{Value, json};

const LAYER: &str = "application/vnd.oci.image.layer.v1.tar";

/// (layout tag, created, labels, layers (by number), names after the pull).
type TestImage = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static [u8],
    &'static [&'static str],
);

/// The images of the test. Each image's
/// history has one entry per layer (so that `child` is `base`'s child for libimage, making
/// `base` an intermediate image, not a dangling one).
const IMAGES: &[TestImage] = &[
    (
        "web",
        "2024-01-01T00:00:00Z",
        &[("app", "web"), ("tier", "front")],
        &[1],
        &["quay.io/test/web:1", "quay.io/test/web:2"],
    ),
    (
        "db",
        "2024-03-01T00:00:00Z",
        &[("app", "db")],
        &[1, 2],
        &["quay.io/test/db:3"],
    ),
    ("old", "2023-06-01T00:00:00Z", &[], &[3], &[]),
    ("base", "2023-09-01T00:00:00Z", &[], &[4], &[]),
    (
        "child",
        "2023-10-01T00:00:00Z",
        &[("app", "child")],
        &[4, 5],
        &["docker.io/library/child:5"],
    ),
];

/// Writes the images of [`IMAGES`] into an OCI layout at `dir`, each layer a tar holding one
/// file.
fn write_layout(pair: &Pair) -> std::path::PathBuf {
    let dir = pair.dir().join("layout");
    let layout = OciLayoutBuilder::create(&dir).unwrap();
    let mut layers = Vec::new();
    for n in 1..=5u8 {
        let files = pair.dir().join(format!("layer{n}"));
        std::fs::create_dir_all(files.join("data")).unwrap();
        std::fs::write(files.join(format!("data/{n}")), vec![n; 1000 * n as usize]).unwrap();
        let tar = pair.dir().join(format!("layer{n}.tar"));
        tar_directory(&files, &tar).unwrap();
        let data = std::fs::read(&tar).unwrap();
        // Uncompressed: the blob's digest is the layer's diff ID.
        let descriptor = layout.write_blob(LAYER, &data).unwrap();
        let diff_id = descriptor["digest"].clone();
        layers.push((descriptor, diff_id));
    }
    for (tag, created, labels, numbers, _) in IMAGES {
        let labels: serde_json::Map<String, Value> = labels
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        let picked: Vec<_> = numbers.iter().map(|n| &layers[*n as usize - 1]).collect();
        let config = json!({
            "created": created, "architecture": "amd64", "os": "linux",
            "config": {"Labels": labels, "Cmd": ["/data"]},
            "rootfs": {"type": "layers", "diff_ids": picked.iter().map(|l| &l.1).collect::<Vec<_>>()},
            "history": numbers.iter().map(|n| json!({"created_by": format!("layer {n}")})).collect::<Vec<_>>(),
        });
        let config = layout
            .write_blob(
                "application/vnd.oci.image.config.v1+json",
                config.to_string().as_bytes(),
            )
            .unwrap();
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": config,
            "layers": picked.iter().map(|l| &l.0).collect::<Vec<_>>(),
        });
        let manifest = layout
            .write_blob(
                "application/vnd.oci.image.manifest.v1+json",
                manifest.to_string().as_bytes(),
            )
            .unwrap();
        layout.tag(&manifest, tag).unwrap();
    }
    dir
}

/// A symlink removed when dropped.
struct Link(std::path::PathBuf);

impl Drop for Link {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A default table without its last column (SIZE): the library counts a layer's file
/// contents where Podman counts its tar stream plus the manifest and config.
fn without_size(table: &str) -> String {
    table
        .lines()
        .map(|l| l[..l.rfind("  ").unwrap_or(l.len())].trim_end().to_string() + "\n")
        .collect()
}

/// Runs `args` on both engines; a mismatch in stdout or exit code is recorded.
fn compare(pair: &Pair, args: &[&str], failures: &mut Vec<String>) {
    let ours = pair.podctl(args);
    let theirs = pair.podman(args);
    let (mut o, mut t) = (
        String::from_utf8_lossy(&ours.stdout).to_string(),
        String::from_utf8_lossy(&theirs.stdout).to_string(),
    );
    if !args.contains(&"--format") && !args.contains(&"-q") {
        (o, t) = (without_size(&o), without_size(&t));
    }
    if o != t || ours.status.code() != theirs.status.code() {
        failures.push(format!(
            "{args:?}:\n  podctl {:?} {o:?} {}\n  podman {:?} {t:?} {}",
            ours.status.code(),
            String::from_utf8_lossy(&ours.stderr).trim(),
            theirs.status.code(),
            String::from_utf8_lossy(&theirs.stderr).trim(),
        ));
    }
}

#[test]
fn images_output_matches_podman() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("images");
    pair.ok(&["rmi", "localhost/busybox"]);
    pair.podman_ok(&["rmi", "localhost/busybox"]);
    let layout = write_layout(&pair);
    // Podman names an oci: pull after its path, which must then be lowercase.
    let link = Link(std::path::PathBuf::from(format!(
        "/tmp/libpod-rs-images-{}",
        std::process::id()
    )));
    let _ = std::fs::remove_file(&link.0);
    std::os::unix::fs::symlink(&layout, &link.0).unwrap();
    let layout = &link.0;
    let mut ids = Vec::new();
    for (tag, _, _, _, names) in IMAGES {
        let source = format!("oci:{}:{tag}", layout.display());
        let id = pair.ok(&["pull", "-q", &source]).trim().to_string();
        let theirs = pair.podman_ok(&["pull", "-q", &source]).trim().to_string();
        assert_eq!(id, theirs, "{tag}: both stores hold the same image");
        for run in [Pair::ok, Pair::podman_ok] {
            run(&pair, &["untag", &id]);
            for name in *names {
                run(&pair, &["tag", &id, name]);
            }
        }
        ids.push(id);
    }
    let flags = pair.run_flags();
    let mut create = vec!["create"];
    create.extend(flags.iter().map(String::as_str));
    create.extend(["--name", "user", "quay.io/test/web:1"]);
    pair.ok(&create);
    pair.podman_ok(&create);

    let web_id = format!("id={}", ids[0]);
    let cases: &[&[&str]] = &[
        &["images"],
        &["images", "-a"],
        // (Podman's sort is not stable: tags that tie, as <none>, are not sorted by tag.)
        &["images", "-a", "--digests", "--no-trunc"],
        &["images", "--noheading", "--sort", "repository"],
        &["image", "ls", "-q"],
        &["image", "list", "-a", "-q", "--no-trunc"],
        &[
            "images",
            "-a",
            "--format",
            "{{.Repository}}:{{.Tag}} {{.ID}} {{.Digest}} {{.CreatedAt}} {{.CreatedTime}} {{.ParentId}}",
        ],
        &[
            "images",
            "--sort",
            "tag",
            "--format",
            "{{.Created}}|{{.CreatedSince}}|{{.Containers}}|{{.Dangling}}|{{.ReadOnly}}",
        ],
        &[
            "images",
            "--sort",
            "tag",
            "--format",
            "{{json .Names}} {{json .Labels}} {{index .Labels \"app\"}} {{json .RepoDigests}}",
        ],
        &[
            "images",
            "--sort",
            "tag",
            "--format",
            "table {{.ID}}\t{{.Repository}}\t{{.Tag}}\t{{.Digest}}",
        ],
        &[
            "images",
            "--noheading",
            "--sort",
            "tag",
            "--format",
            "table {{.ID}} {{.Tag}}",
        ],
        &["images", "--sort", "id", "--format", "{{.Tag}}"],
        &["images", "--sort", "created", "--format", "{{.Tag}}"],
        &["images", "-a", "--filter", "dangling=true", "-q"],
        &["images", "-a", "--filter", "dangling=false", "-q"],
        &["images", "--filter", "intermediate=true", "-q"],
        &[
            "images",
            "--filter",
            "reference=web",
            "--format",
            "{{.Tag}}",
        ],
        &[
            "images",
            "--filter",
            "reference=quay.io/test/*",
            "--sort",
            "tag",
            "--format",
            "{{.Tag}}",
        ],
        &[
            "images",
            "--filter",
            "reference=*:3",
            "--format",
            "{{.Tag}}",
        ],
        &[
            "images",
            "--filter",
            "reference=child",
            "--format",
            "{{.Tag}}",
        ],
        &["images", "quay.io/test/db", "--format", "{{.Tag}}"],
        &[
            "images",
            "--sort",
            "tag",
            "--filter",
            "label=app=web",
            "--filter",
            "label=app=db",
            "--format",
            "{{.Tag}}",
        ],
        &[
            "images",
            "--sort",
            "tag",
            "--filter",
            "label=tier",
            "--format",
            "{{.Tag}}",
        ],
        &["images", "-a", "--filter", "label!=app", "-q"],
        &[
            "images",
            "--filter",
            "before=quay.io/test/db:3",
            "--sort",
            "tag",
            "--format",
            "{{.Tag}}",
        ],
        &[
            "images",
            "--filter",
            "since=quay.io/test/web:1",
            "--format",
            "{{.Tag}}",
        ],
        &[
            "images", "--filter", &web_id, "--sort", "tag", "--format", "{{.Tag}}",
        ],
        &["images", "--filter", "containers=true", "-q"],
        &["images", "--sort", "bogus"],
        &["images", "--filter", "bogus=1"],
        &["images", "--filter", "reference=x", "quay.io/test/db"],
    ];
    let mut failures = Vec::new();
    for args in cases {
        compare(&pair, args, &mut failures);
    }

    // json: the same objects (the list's order by creation is Podman's too).
    let ours: Value =
        serde_json::from_str(&pair.ok(&["images", "-a", "--format", "json"])).unwrap();
    let theirs: Value =
        serde_json::from_str(&pair.podman_ok(&["images", "-a", "--format", "json"])).unwrap();
    let (ours, theirs) = (ours.as_array().unwrap(), theirs.as_array().unwrap());
    assert_eq!(ours.len(), theirs.len(), "{ours:#?}\n{theirs:#?}");
    for (o, t) in ours.iter().zip(theirs) {
        // `History` (the names an image had before) is not kept by the library.
        let keys = |m: &Value| {
            let mut k: Vec<String> = m.as_object().unwrap().keys().cloned().collect();
            k.retain(|k| k != "History");
            k.sort();
            k
        };
        if keys(o) != keys(t) {
            failures.push(format!("json keys: {:?} vs {:?}", keys(o), keys(t)));
        }
        for key in keys(t) {
            if o[&key] != t[&key] && !key.ends_with("Size") {
                failures.push(format!(
                    "json {key} of {}: {} vs {}",
                    t["Id"], o[&key], t[&key]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    pair.ok(&["rm", "-f", "user"]);
}
