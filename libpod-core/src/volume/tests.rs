//! Unit tests of the volume verbs with the in-memory state store and the fake OCI runtime.

use super::*;
use crate::container::{RemoveOptions, with_command, with_rootfs_path, with_user_volumes};
use crate::oci::FakeRuntime;
use crate::state::MemoryState;
use libpod_testutil::TempRoot;
use std::sync::Arc;

fn runtime() -> (TempRoot, Runtime) {
    let dir = TempRoot::new().unwrap();
    let rt = Runtime::builder()
        .root(dir.path().join("root"))
        .run_root(dir.path().join("run"))
        .engine_config(crate::runtime::config::without_networking())
        .storage_driver("vfs")
        .state_store(Box::new(MemoryState::new()))
        .with_oci(Arc::new(FakeRuntime::new()))
        .open()
        .unwrap();
    (dir, rt)
}

fn ctr_with(rt: &Runtime, dir: &TempRoot, volumes: &[&str]) -> crate::container::Container {
    let rootfs = dir.path().join("rootfs");
    std::fs::create_dir_all(&rootfs).unwrap();
    rt.new_container([
        with_rootfs_path(&rootfs),
        with_command(["true"]),
        with_user_volumes(volumes.iter().copied()),
    ])
    .unwrap()
}

#[test]
fn a_volume_is_created_inspected_and_removed_with_its_directory() {
    let (_dir, rt) = runtime();
    let volume = rt
        .new_volume([
            with_volume_name("data"),
            with_volume_labels([("app", "db")]),
        ])
        .unwrap();
    let data = volume.config().mount_point.clone();
    assert!(data.is_dir(), "{}", data.display());
    assert!(data.ends_with("volumes/data/_data"));
    let inspect = volume.inspect().unwrap();
    assert_eq!(inspect.labels["app"], "db");
    assert!(inspect.needs_copy_up && inspect.needs_chown);
    let json = serde_json::to_value(&inspect).unwrap();
    assert_eq!(json["Scope"], "local");
    assert!(json.get("UID").is_none(), "UID is left out when 0: {json}");
    assert!(matches!(
        rt.new_volume([with_volume_name("data")]),
        Err(CoreError::VolumeExists(name)) if name == "data"
    ));
    rt.remove_volume(&volume, VolumeRemoveOptions::default())
        .unwrap();
    assert!(!rt.volume_exists("data").unwrap());
    assert!(
        !data.parent().unwrap().exists(),
        "the volume's directory is gone"
    );
}

#[test]
fn options_are_checked_as_podmans_local_driver() {
    let (_dir, rt) = runtime();
    let volume = rt
        .new_volume([
            with_volume_name("owned"),
            with_volume_options([("o", "uid=1000,gid=1001")]),
        ])
        .unwrap();
    let inspect = volume.inspect().unwrap();
    assert_eq!((inspect.uid, inspect.gid), (1000, 1001));
    assert_eq!(inspect.options["UID"], "1000");
    assert_eq!(inspect.options["o"], "uid=1000,gid=1001");
    assert!(
        !inspect.needs_chown,
        "an owner given at create turns the chown off"
    );
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(&volume.config().mount_point).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (1000, 1001));
    assert!(!local::needs_mount(volume.config()));

    let tmpfs = rt
        .new_volume([with_volume_options([
            ("type", "tmpfs"),
            ("device", "tmpfs"),
            ("o", "size=1m"),
        ])])
        .unwrap();
    assert_eq!(
        tmpfs.name().len(),
        64,
        "an unnamed volume gets a random name"
    );
    assert!(local::needs_mount(tmpfs.config()));
    for bad in [("colour", "red"), ("o", "size=1m"), ("o", "uid=x")] {
        let err = rt.new_volume([with_volume_options([bad])]).unwrap_err();
        assert!(
            matches!(err, CoreError::VolumeOption { .. }),
            "{bad:?}: {err}"
        );
    }
    assert!(rt.new_volume([with_volume_driver("nfs-plugin")]).is_err());
    assert_eq!(
        rt.volumes().unwrap().len(),
        2,
        "refused creates leave nothing"
    );
}

#[test]
fn a_container_makes_its_named_and_anonymous_volumes_and_links_them() {
    let (dir, rt) = runtime();
    let ctr = ctr_with(&rt, &dir, &["implicit:/data", "/scratch"]);
    let implicit = rt.volume("implicit").unwrap();
    assert!(!implicit.config().anonymous);
    assert_eq!(implicit.users().unwrap(), [ctr.id()]);
    let anonymous: Vec<Volume> = rt
        .volumes()
        .unwrap()
        .into_iter()
        .filter(|v| v.config().anonymous)
        .collect();
    assert_eq!(anonymous.len(), 1);
    assert_eq!(anonymous[0].users().unwrap(), [ctr.id()]);

    let err = rt
        .remove_volume(&implicit, VolumeRemoveOptions::default())
        .unwrap_err();
    assert!(matches!(err, CoreError::VolumeInUse { .. }), "{err}");
    assert!(rt.prune_volumes(&[]).unwrap().is_empty(), "both are in use");

    rt.remove_container(&ctr, RemoveOptions::default().volumes(true))
        .unwrap();
    assert!(
        rt.volume_exists("implicit").unwrap(),
        "rm -v keeps named volumes"
    );
    assert!(
        !rt.volume_exists(anonymous[0].name()).unwrap(),
        "and removes anonymous ones"
    );
    assert_eq!(rt.prune_volumes(&[]).unwrap(), ["implicit"]);
}

#[test]
fn force_removes_the_users_first() {
    let (dir, rt) = runtime();
    let ctr = ctr_with(&rt, &dir, &["shared:/data"]);
    let volume = rt.volume("shared").unwrap();
    rt.remove_volume(&volume, VolumeRemoveOptions::default().force(true))
        .unwrap();
    assert!(matches!(
        rt.container(ctr.id()),
        Err(CoreError::ContainerNotFound(_))
    ));
    assert!(!rt.volume_exists("shared").unwrap());
}

#[test]
fn filters_select_as_podmans() {
    let (dir, rt) = runtime();
    rt.new_volume([with_volume_name("a1"), with_volume_labels([("k", "v")])])
        .unwrap();
    rt.new_volume([with_volume_name("b2"), with_volume_labels([("k", "w")])])
        .unwrap();
    ctr_with(&rt, &dir, &["b2:/x"]);
    let names = |filters: &[&str]| -> Vec<String> {
        let filters: Vec<VolumeFilter> = filters
            .iter()
            .map(|f| VolumeFilter::parse(f).unwrap())
            .collect();
        rt.volumes()
            .unwrap()
            .into_iter()
            .filter(|v| VolumeFilter::all_match(&filters, v).unwrap())
            .map(|v| v.name().to_string())
            .collect()
    };
    assert_eq!(names(&["label=k"]), ["a1", "b2"]);
    assert_eq!(names(&["label=k=w"]), ["b2"]);
    assert_eq!(names(&["label!=k=w"]), ["a1"]);
    assert_eq!(names(&["name=^a"]), ["a1"]);
    assert_eq!(names(&["dangling=true"]), ["a1"]);
    assert_eq!(names(&["until=1h"]), Vec::<String>::new());
    assert_eq!(names(&["driver=local", "scope=local"]).len(), 2);
    assert!(VolumeFilter::parse("colour=red").is_err());
    assert!(VolumeFilter::parse("dangling=maybe").is_err());
}

#[test]
fn export_and_import_carry_the_data_as_tar() {
    let (_dir, rt) = runtime();
    let from = rt.new_volume([with_volume_name("from")]).unwrap();
    std::fs::create_dir(from.config().mount_point.join("sub")).unwrap();
    std::fs::write(from.config().mount_point.join("sub/file"), "hello").unwrap();
    let mut tar = Vec::new();
    from.export(&mut tar).unwrap();
    let to = rt.new_volume([with_volume_name("to")]).unwrap();
    to.import(&tar[..]).unwrap();
    assert_eq!(
        std::fs::read_to_string(to.config().mount_point.join("sub/file")).unwrap(),
        "hello"
    );
}

#[test]
fn an_interrupted_create_or_remove_is_resolved_by_the_row() {
    let (_dir, rt) = runtime();
    // A create killed after its directories, before its row.
    let orphan = local::data_dir(&rt, "orphan");
    std::fs::create_dir_all(&orphan).unwrap();
    let intents = rt.root().join("volume-intents");
    std::fs::create_dir_all(&intents).unwrap();
    std::fs::write(intents.join("orphan"), "").unwrap();
    // A remove killed before its files went (the row is there): kept whole.
    let kept = rt.new_volume([with_volume_name("kept")]).unwrap();
    std::fs::remove_dir(&kept.config().mount_point).unwrap();
    std::fs::write(intents.join("kept"), "").unwrap();
    repair::resolve_interrupted(&rt, &intents);
    assert!(!orphan.parent().unwrap().exists());
    assert!(kept.config().mount_point.is_dir());
    assert_eq!(std::fs::read_dir(&intents).unwrap().count(), 0);
}
