use super::*;
use crate::hooks::{When, parse_hook};
use std::fs;

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/hooks/testdata")
        .join(name)
}

fn load(dirs: &[&str]) -> Result<HookManager> {
    let dirs: Vec<PathBuf> = dirs.iter().map(|d| testdata(d)).collect();
    HookManager::load(&dirs, true)
}

/// A hook running `/bin/sh <tag>` in `stages` when `when` holds.
fn hook(tag: &str, stages: &[&str], when: When) -> Hook {
    let mut oci = oci_spec::runtime::Hook::default();
    oci.set_path(PathBuf::from("/bin/sh"));
    oci.set_args(Some(vec!["sh".into(), tag.into()]));
    Hook {
        hook: oci,
        when,
        stages: stages.iter().map(|s| s.to_string()).collect(),
    }
}

fn always() -> When {
    When {
        always: Some(true),
        ..When::default()
    }
}

fn manager(hooks: Vec<(&str, Hook)>) -> HookManager {
    HookManager::from_hooks(hooks.into_iter().map(|(n, h)| (n.to_owned(), h))).unwrap()
}

/// The tags (second argument) of the hooks in a stage list.
fn tags(list: &Option<Vec<oci_spec::runtime::Hook>>) -> Vec<String> {
    list.iter()
        .flatten()
        .map(|h| h.args().as_ref().unwrap()[1].clone())
        .collect()
}

fn spec_hooks(spec: &Spec) -> &Hooks {
    spec.hooks().as_ref().expect("the spec has hooks")
}

fn write_hook(dir: &Path, name: &str, stage: &str) {
    let json = format!(
        r#"{{"version": "1.0.0", "hook": {{"path": "/bin/sh"}}, "when": {{"always": true}},
            "stages": ["{stage}"]}}"#
    );
    fs::write(dir.join(name), json).unwrap();
}

#[test]
fn reads_only_json_files() {
    let manager = load(&["dir-a"]).unwrap();
    assert_eq!(
        manager.names().collect::<Vec<_>>(),
        ["10-common.json", "20-only-a.json"]
    );
}

#[test]
fn later_directory_overrides_by_file_name() {
    let manager = load(&["dir-a", "dir-b"]).unwrap();
    let (_, common) = manager
        .hooks()
        .find(|(name, _)| *name == "10-common.json")
        .unwrap();
    assert_eq!(common.hook.args().as_ref().unwrap(), &["b-common"]);
    assert_eq!(common.stages, ["createContainer"]);
    // The other way round, dir-a's file wins.
    let manager = load(&["dir-b", "dir-a"]).unwrap();
    let (_, common) = manager
        .hooks()
        .find(|(name, _)| *name == "10-common.json")
        .unwrap();
    assert_eq!(common.hook.args().as_ref().unwrap(), &["a-common"]);
}

#[test]
fn hooks_are_ordered_by_lower_case_file_name() {
    let manager = load(&["dir-a", "dir-b"]).unwrap();
    assert_eq!(
        manager.names().collect::<Vec<_>>(),
        [
            "10-common.json",
            "20-only-a.json",
            "a-lower.json",
            "B-upper.json"
        ]
    );
}

#[test]
fn missing_directory_is_skipped_unless_asked() {
    let dirs = [testdata("no-such-dir"), testdata("dir-a")];
    let manager = HookManager::load(&dirs, false).unwrap();
    assert_eq!(manager.names().count(), 2);
    let err = HookManager::load(&dirs, true).unwrap_err();
    assert!(matches!(err, SpecError::Read { path, .. } if path == dirs[0]));
}

#[test]
fn a_file_as_directory_is_an_error_either_way() {
    let dirs = [testdata("v1-full.json")];
    assert!(matches!(
        HookManager::load(&dirs, false),
        Err(SpecError::Read { .. })
    ));
}

#[test]
fn invalid_hook_file_is_an_error_naming_it() {
    let err = load(&["dir-a", "dir-invalid"]).unwrap_err();
    match err {
        SpecError::Hook { path, reason } => {
            assert_eq!(path, testdata("dir-invalid/20-bad.json"));
            assert_eq!(reason, r#"unknown stage "sometime""#);
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn malformed_hook_file_is_a_json_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("broken.json"), "{").unwrap();
    let err = HookManager::load(&[dir.path().to_path_buf()], false).unwrap_err();
    assert!(matches!(err, SpecError::Json { path, .. } if path == dir.path().join("broken.json")));
}

#[test]
fn hook_with_missing_program_is_skipped() {
    let manager = load(&["dir-missing-binary"]).unwrap();
    assert_eq!(manager.names().collect::<Vec<_>>(), ["20-real.json"]);
    // Skipping does not remove an earlier directory's hook of the same name.
    let dir = tempfile::tempdir().unwrap();
    write_hook(dir.path(), "10-ghost.json", "poststart");
    let dirs = [dir.path().to_path_buf(), testdata("dir-missing-binary")];
    let manager = HookManager::load(&dirs, true).unwrap();
    assert_eq!(
        manager.names().collect::<Vec<_>>(),
        ["10-ghost.json", "20-real.json"]
    );
}

#[test]
fn dangling_link_is_skipped_and_directory_named_json_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write_hook(dir.path(), "real.json", "prestart");
    std::os::unix::fs::symlink("/nonexistent/target.json", dir.path().join("gone.json")).unwrap();
    let manager = HookManager::load(&[dir.path().to_path_buf()], true).unwrap();
    assert_eq!(manager.names().collect::<Vec<_>>(), ["real.json"]);

    fs::create_dir(dir.path().join("sub.json")).unwrap();
    let err = HookManager::load(&[dir.path().to_path_buf()], true).unwrap_err();
    assert!(matches!(err, SpecError::Read { path, .. } if path == dir.path().join("sub.json")));
}

#[test]
fn empty_manager_leaves_the_spec_alone() {
    let mut spec = Spec::default();
    let manager = HookManager::load(&[], true).unwrap();
    assert!(manager.is_empty());
    assert!(manager.apply(&mut spec, true).unwrap().is_empty());
    assert_eq!(spec.hooks(), &None);
}

#[test]
fn injects_into_each_stage_in_file_name_order() {
    let manager = manager(vec![
        ("b.json", hook("b", &["prestart", "poststop"], always())),
        (
            "A.json",
            hook("a", &["prestart", "createRuntime"], always()),
        ),
        (
            "c.json",
            hook(
                "c",
                &["createContainer", "startContainer", "poststart"],
                always(),
            ),
        ),
    ]);
    let mut spec = Spec::default();
    let injected = manager.apply(&mut spec, false).unwrap();
    assert_eq!(injected, ["A.json", "b.json", "c.json"]);
    let hooks = spec_hooks(&spec);
    #[allow(deprecated)]
    let prestart = hooks.prestart();
    assert_eq!(tags(prestart), ["a", "b"]);
    assert_eq!(tags(hooks.create_runtime()), ["a"]);
    assert_eq!(tags(hooks.create_container()), ["c"]);
    assert_eq!(tags(hooks.start_container()), ["c"]);
    assert_eq!(tags(hooks.poststart()), ["c"]);
    assert_eq!(tags(hooks.poststop()), ["b"]);
}

#[test]
fn appends_after_hooks_already_in_the_spec() {
    let manager = manager(vec![("x.json", hook("new", &["poststart"], always()))]);
    let mut spec = Spec::default();
    let mut hooks = Hooks::default();
    hooks.set_poststart(Some(vec![hook("old", &[], always()).hook]));
    spec.set_hooks(Some(hooks));
    manager.apply(&mut spec, false).unwrap();
    assert_eq!(tags(spec_hooks(&spec).poststart()), ["old", "new"]);
}

#[test]
fn only_matching_hooks_are_injected() {
    let gpu = When {
        annotations: [("^gpu$".into(), "^yes$".into())].into(),
        ..When::default()
    };
    let binds = When {
        has_bind_mounts: Some(true),
        ..When::default()
    };
    let manager = manager(vec![
        ("gpu.json", hook("gpu", &["prestart"], gpu)),
        ("binds.json", hook("binds", &["prestart"], binds)),
    ]);
    let mut spec = Spec::default();
    assert!(manager.apply(&mut spec, false).unwrap().is_empty());
    assert_eq!(spec.hooks(), &None);

    spec.set_annotations(Some([("gpu".to_string(), "yes".to_string())].into()));
    assert_eq!(
        manager.apply(&mut spec, true).unwrap(),
        ["binds.json", "gpu.json"]
    );
}

#[test]
fn precreate_is_not_injected() {
    let path = testdata("precreate.json");
    let parsed = parse_hook(&path, &fs::read(&path).unwrap()).unwrap();
    let manager = HookManager::from_hooks([
        ("precreate.json".to_owned(), parsed),
        (
            "only-precreate.json".to_owned(),
            hook("pc", &["precreate"], always()),
        ),
    ])
    .unwrap();
    let mut spec = Spec::default();
    assert_eq!(manager.apply(&mut spec, false).unwrap(), ["precreate.json"]);
    let hooks = spec_hooks(&spec);
    assert_eq!(tags(hooks.create_runtime()), ["precreate"]);
    let json = serde_json::to_value(hooks).unwrap();
    assert_eq!(json.as_object().unwrap().len(), 1, "{json}");
}

#[test]
fn matching_hook_without_stages_still_creates_hooks_object() {
    let manager = manager(vec![("empty.json", hook("e", &[], always()))]);
    let mut spec = Spec::default();
    assert!(manager.apply(&mut spec, false).unwrap().is_empty());
    assert_eq!(serde_json::to_string(spec_hooks(&spec)).unwrap(), "{}");
}

#[test]
fn extension_stages_are_returned_instead_of_injected() {
    let manager = manager(vec![
        (
            "a.json",
            hook("a", &["precreate", "prestart", "poststop"], always()),
        ),
        ("b.json", hook("b", &["poststop"], always())),
    ]);
    let mut spec = Spec::default();
    let applied = manager
        .apply_with_extension_stages(&mut spec, false, &["precreate", "poststop"])
        .unwrap();
    assert_eq!(applied.matched, ["a.json", "b.json"]);
    let stages: Vec<&String> = applied.extension_stages.keys().collect();
    assert_eq!(stages, ["poststop", "precreate"]);
    assert_eq!(
        tags(&Some(applied.extension_stages["poststop"].clone())),
        ["a", "b"]
    );
    let hooks = spec_hooks(&spec);
    assert_eq!(hooks.poststop(), &None);
    #[allow(deprecated)]
    let prestart = hooks.prestart();
    assert_eq!(tags(prestart), ["a"]);
}

#[test]
fn empty_args_with_commands_is_an_error_naming_the_hook() {
    let when = When {
        commands: vec!["sh".into()],
        ..When::default()
    };
    let manager = manager(vec![("cmd.json", hook("c", &["prestart"], when))]);
    let mut spec = Spec::default();
    spec.process_mut().as_mut().unwrap().set_args(Some(vec![]));
    let err = manager.apply(&mut spec, false).unwrap_err();
    assert!(matches!(&err, SpecError::Hook { path, .. } if path == Path::new("cmd.json")));
    assert!(
        err.to_string()
            .contains("process.args must have at least one entry")
    );
}

#[test]
fn from_hooks_validates() {
    let bad_stage = hook("x", &["sometime"], always());
    let err = HookManager::from_hooks([("x.json".to_owned(), bad_stage)]).unwrap_err();
    assert!(
        matches!(err, SpecError::Hook { reason, .. } if reason == r#"unknown stage "sometime""#)
    );
    let bad_regex = hook(
        "x",
        &["prestart"],
        When {
            commands: vec!["(".into()],
            ..When::default()
        },
    );
    assert!(HookManager::from_hooks([("x.json".to_owned(), bad_regex)]).is_err());
    // The program is not looked up.
    let mut elsewhere = hook("x", &["prestart"], always());
    elsewhere.hook.set_path(PathBuf::from("/nonexistent/hook"));
    assert!(HookManager::from_hooks([("x.json".to_owned(), elsewhere)]).is_ok());
}

#[test]
fn loaded_legacy_hook_matches_any_condition() {
    let dir = tempfile::tempdir().unwrap();
    let legacy = r#"{"hook": "/bin/sh", "stage": ["prestart"], "cmd": ["^/sbin/init$"],
                     "hasbindmounts": true}"#;
    fs::write(dir.path().join("legacy.json"), legacy).unwrap();
    let manager = HookManager::load(&[dir.path().to_path_buf()], true).unwrap();
    let mut spec = Spec::default();
    assert_eq!(manager.apply(&mut spec, true).unwrap(), ["legacy.json"]);
    let mut spec = Spec::default();
    assert!(manager.apply(&mut spec, false).unwrap().is_empty());
}
