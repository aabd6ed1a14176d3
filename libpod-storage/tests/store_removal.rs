//! Crash-safe removal and the layers' completeness marks: a process killed while it deletes a
//! big layer or a container's storage leaves either the whole thing with its record or no
//! record, and a layer whose files are not known to be whole is reported and replaced, never
//! reused.

mod common;

use common::{MemorySource, store_at};
use libpod_storage::{Digest, ImageReference, Store, StoreProblem, driver::DriverKind};
use libpod_testutil::{TempRoot, require_root, serial};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// Files in the big layer: enough that deleting them takes a while.
const FILES: usize = 20_000;
/// Set in the child process to the directory of the store it works on.
const CHILD_ENV: &str = "LIBPOD_TEST_REMOVAL_CHILD";

/// `/files/fNNNNN` (small, distinct contents) and `/marker`, as (path, content).
fn big_layer_files() -> BTreeMap<String, Vec<u8>> {
    let mut files: BTreeMap<String, Vec<u8>> = (0..FILES)
        .map(|i| (format!("files/f{i:05}"), format!("file {i}\n").into_bytes()))
        .collect();
    files.insert("marker".into(), b"the last entry\n".to_vec());
    files
}

fn tar_of(files: &BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    let entries: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_slice()))
        .collect();
    common::tar_of(&entries)
}

fn name(n: &str) -> ImageReference {
    ImageReference::parse(n).unwrap()
}

/// The regular files under `root`, relative, with their contents.
fn files_under(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let kind = fs::symlink_metadata(&path).unwrap().file_type();
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                let rel = path.strip_prefix(root).unwrap().display().to_string();
                out.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    out
}

/// The mounted image's files equal `expected`.
fn assert_image_tree(store: &Store, image: &str, expected: &BTreeMap<String, Vec<u8>>) {
    let root = store.mount_image(image).unwrap();
    let found = files_under(&root);
    store.unmount_image(image, true).unwrap();
    let missing: Vec<&String> = expected
        .keys()
        .filter(|p| !found.contains_key(*p))
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} files missing, e.g. {:?}",
        missing.len(),
        expected.len(),
        &missing[..missing.len().min(3)]
    );
    assert!(
        &found == expected,
        "the image's files differ from the tar's"
    );
}

/// How many entries are left in the first of `dirs` that exists, if any does.
fn entries_left(dirs: &[PathBuf]) -> Option<usize> {
    dirs.iter()
        .find_map(|d| fs::read_dir(d).ok().map(|entries| entries.count()))
}

/// `in_store` under the store's root, and `in_trash` under each staging directory (where
/// removal moves what it deletes).
fn places(store_root: &Path, in_store: &str, in_trash: &str) -> Vec<PathBuf> {
    let mut dirs = vec![store_root.join(in_store)];
    if let Ok(staging) = fs::read_dir(store_root.join("tmp")) {
        dirs.extend(
            staging
                .filter_map(|e| e.ok())
                .map(|e| e.path().join(in_trash)),
        );
    }
    dirs
}

/// Runs this test binary's `test` in a child process that works on the store in `dir`.
fn spawn_child(test: &str, dir: &Path) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, dir)
        .spawn()
        .unwrap()
}

/// Kills `child` with SIGKILL once a quarter of the `total` entries in `dirs` are gone (its
/// deletion is under way). Returns how many were left, or `None` when the child finished
/// before a deletion was seen.
fn kill_while_deleting(
    mut child: Child,
    dirs: impl Fn() -> Vec<PathBuf>,
    total: usize,
) -> Option<usize> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(left) = entries_left(&dirs()).filter(|&n| n < total * 3 / 4) {
            child.kill().unwrap();
            child.wait().unwrap();
            return Some(left);
        }
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "the child failed: {status}");
            return None;
        }
        assert!(
            Instant::now() < deadline,
            "the child neither deleted nor exited"
        );
    }
}

fn open(dir: &Path) -> Store {
    store_at(dir, Some(DriverKind::Overlay))
}

/// Nothing is left in the store's `tmp/`: the trash of the killed process was removed.
fn assert_no_staging(store: &Store) {
    let left: Vec<_> = fs::read_dir(store.root().join("tmp"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "staging left in tmp/: {left:?}");
}

#[test]
fn a_garbage_collection_killed_midway_leaves_no_half_layer_for_the_next_import() {
    if let Some(dir) = std::env::var_os(CHILD_ENV) {
        // The child: removing the image garbage-collects its 20,000-file layer.
        open(Path::new(&dir))
            .remove_image("localhost/big", false)
            .unwrap();
        return;
    }
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let files = big_layer_files();
    let tar = tar_of(&files);
    let layer = Digest::of(&tar);
    let store = open(tmp.path());
    store
        .import_tarball(&tar[..], Some(&name("localhost/big")), &[])
        .unwrap();
    drop(store);

    let child = spawn_child(
        "a_garbage_collection_killed_midway_leaves_no_half_layer_for_the_next_import",
        tmp.path(),
    );
    let root = tmp.path().join("root");
    let hex = layer.hex();
    let (in_store, in_trash) = (
        format!("layers/{hex}/diff/files"),
        format!("layer-{hex}/diff/files"),
    );
    let left = kill_while_deleting(child, || places(&root, &in_store, &in_trash), FILES)
        .expect("the child finished before its deletion was seen");
    eprintln!("killed with {left} of {FILES} files left");

    let store = open(tmp.path());
    assert_no_staging(&store);
    assert_eq!(store.check().unwrap(), []);
    // The image's removal was committed before the kill.
    assert!(store.images().unwrap().is_empty());

    store
        .import_tarball(&tar[..], Some(&name("localhost/big")), &[])
        .unwrap();
    assert_image_tree(&store, "localhost/big", &files);
    assert_eq!(store.check().unwrap(), []);
}

/// What an interrupted extraction or removal leaves: the layer's record, part of its files,
/// no completeness mark.
fn damage_layer(store: &Store, layer: &Digest) {
    let dir = store.root().join("layers").join(layer.hex());
    fs::remove_file(dir.join("complete")).unwrap();
    fs::remove_file(dir.join("diff/marker")).unwrap();
    fs::remove_file(dir.join("diff/files/f00007")).unwrap();
}

fn assert_reported_incomplete(store: &Store, layer: &Digest) {
    let problems = store.check().unwrap();
    assert!(
        matches!(&problems[..], [StoreProblem::LayerIncomplete { layer: l, .. }] if l == layer),
        "{problems:?}"
    );
}

#[test]
fn a_layer_without_its_completeness_mark_is_reported_and_replaced_not_reused() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let files: BTreeMap<String, Vec<u8>> = (0..20)
        .map(|i| (format!("files/f{i:05}"), format!("file {i}\n").into_bytes()))
        .chain([("marker".to_string(), b"here\n".to_vec())])
        .collect();
    let tar = tar_of(&files);
    let layer = Digest::of(&tar);
    let store = open(tmp.path());
    store
        .import_tarball(&tar[..], Some(&name("localhost/a")), &[])
        .unwrap();
    assert!(
        store
            .root()
            .join("layers")
            .join(layer.hex())
            .join("complete")
            .is_file()
    );
    assert_eq!(store.check().unwrap(), []);

    // A pull of the same layer fetches it again rather than skipping it.
    damage_layer(&store, &layer);
    assert_reported_incomplete(&store, &layer);
    let source = MemorySource::new(vec![tar.clone()]);
    store
        .pull_from(&source, Some(&name("localhost/pulled")))
        .unwrap();
    assert_eq!(store.check().unwrap(), []);
    assert_image_tree(&store, "localhost/pulled", &files);
    assert_image_tree(&store, "localhost/a", &files);

    // An import of it replaces the files rather than keeping them.
    damage_layer(&store, &layer);
    assert_reported_incomplete(&store, &layer);
    store
        .import_tarball(&tar[..], Some(&name("localhost/b")), &[])
        .unwrap();
    assert_eq!(store.check().unwrap(), []);
    assert_image_tree(&store, "localhost/b", &files);
}

#[test]
fn layers_recorded_by_an_earlier_version_are_taken_as_complete_once() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let files = BTreeMap::from([("marker".to_string(), b"old\n".to_vec())]);
    let tar = tar_of(&files);
    let layer = Digest::of(&tar);
    let store = open(tmp.path());
    store
        .import_tarball(&tar[..], Some(&name("localhost/old")), &[])
        .unwrap();
    drop(store);
    // As the earlier version wrote it: no marks, no `layers_marked` and no driver recorded.
    let layer_dir = tmp.path().join("root/layers").join(layer.hex());
    fs::remove_file(layer_dir.join("complete")).unwrap();
    fs::remove_file(tmp.path().join("root/driver")).unwrap();
    let records = tmp.path().join("root/store.json");
    let mut json: serde_json::Value = serde_json::from_slice(&fs::read(&records).unwrap()).unwrap();
    let fields = json.as_object_mut().unwrap();
    fields.remove("layers_marked").unwrap();
    fields.remove("driver").unwrap();
    fs::write(&records, serde_json::to_vec(&json).unwrap()).unwrap();

    let store = open(tmp.path());
    assert!(layer_dir.join("complete").is_file());
    assert_eq!(store.check().unwrap(), []);
    let marked: serde_json::Value = serde_json::from_slice(&fs::read(&records).unwrap()).unwrap();
    assert_eq!(marked["layers_marked"], true);
    // Taken as whole: a new import of the layer keeps its files.
    let before = fs::metadata(layer_dir.join("diff/marker")).unwrap();
    store
        .import_tarball(&tar[..], Some(&name("localhost/new")), &[])
        .unwrap();
    let after = fs::metadata(layer_dir.join("diff/marker")).unwrap();
    use std::os::unix::fs::MetadataExt;
    assert_eq!(before.ino(), after.ino(), "the layer's files were replaced");
}

#[test]
fn a_container_removal_killed_midway_leaves_its_storage_whole_or_gone() {
    if let Some(dir) = std::env::var_os(CHILD_ENV) {
        open(Path::new(&dir)).remove_container("big").unwrap();
        return;
    }
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let files = BTreeMap::from([("marker".to_string(), b"base\n".to_vec())]);
    let store = open(tmp.path());
    store
        .import_tarball(&tar_of(&files)[..], Some(&name("localhost/base")), &[])
        .unwrap();
    let ctr = store
        .create_container("big", Some("localhost/base"))
        .unwrap();
    let upper = ctr.dir.join("upper/files");
    fs::create_dir(&upper).unwrap();
    for i in 0..FILES {
        fs::write(upper.join(format!("f{i:05}")), "x").unwrap();
    }
    drop(store);

    let child = spawn_child(
        "a_container_removal_killed_midway_leaves_its_storage_whole_or_gone",
        tmp.path(),
    );
    let root = tmp.path().join("root");
    let left = kill_while_deleting(
        child,
        || {
            places(
                &root,
                "containers/big/upper/files",
                "container-big/upper/files",
            )
        },
        FILES,
    )
    .expect("the child finished before its deletion was seen");
    eprintln!("killed with {left} of {FILES} files left");

    let store = open(tmp.path());
    assert_no_staging(&store);
    assert_eq!(store.check().unwrap(), []);
    assert!(
        store.container("big").is_err(),
        "the record outlived the deletion"
    );
    assert!(!root.join("containers/big").exists());
    // The name is free again.
    store
        .create_container("big", Some("localhost/base"))
        .unwrap();
    store.remove_container("big").unwrap();
}

/// A source that runs `meanwhile` when the blob `trigger` is fetched (once).
struct SourceWithHook<'a> {
    inner: MemorySource,
    trigger: Digest,
    meanwhile: std::sync::Mutex<Option<Box<dyn FnOnce() + Send + 'a>>>,
}

impl libpod_storage::transport::ImageSource for SourceWithHook<'_> {
    fn manifest(&self) -> libpod_storage::Result<libpod_storage::transport::ResolvedManifest> {
        self.inner.manifest()
    }

    fn blob(&self, digest: &Digest) -> libpod_storage::Result<Box<dyn std::io::Read + Send>> {
        if *digest == self.trigger
            && let Some(hook) = self.meanwhile.lock().unwrap().take()
        {
            hook();
        }
        self.inner.blob(digest)
    }
}

#[test]
fn a_pull_whose_present_layer_is_collected_meanwhile_commits_nothing() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let store = open(tmp.path());
    let base = common::tar_of(&[("base", b"base\n")]);
    let top = common::tar_of(&[("top", b"top\n")]);
    store
        .pull_from(
            &MemorySource::new(vec![base.clone()]),
            Some(&name("localhost/base")),
        )
        .unwrap();
    // The pull finds the base layer here and fetches only the top one; while it does, the
    // only image using the base layer is removed, and the layer with it.
    let source = SourceWithHook {
        inner: MemorySource::new(vec![base.clone(), top.clone()]),
        trigger: Digest::of(&top),
        meanwhile: std::sync::Mutex::new(Some(Box::new(|| {
            store.remove_image("localhost/base", false).unwrap();
        }))),
    };
    let err = store
        .pull_from(&source, Some(&name("localhost/both")))
        .unwrap_err();
    assert!(
        matches!(&err, libpod_storage::StorageError::LayerNotKnown(l) if *l == Digest::of(&base).to_string()),
        "{err}"
    );
    assert!(store.images().unwrap().is_empty());
    // Nothing half-committed: the next pull fetches both layers.
    store
        .pull_from(&source, Some(&name("localhost/both")))
        .unwrap();
    assert_eq!(store.check().unwrap(), []);
    let expected = BTreeMap::from([
        ("base".to_string(), b"base\n".to_vec()),
        ("top".to_string(), b"top\n".to_vec()),
    ]);
    assert_image_tree(&store, "localhost/both", &expected);
}
