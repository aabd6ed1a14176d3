use super::*;
use std::path::PathBuf;

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/hooks/testdata")
        .join(name)
}

fn parse_file(name: &str) -> Result<Hook> {
    let path = testdata(name);
    parse_hook(&path, &std::fs::read(&path).unwrap())
}

fn parse_str(json: &str) -> Result<Hook> {
    parse_hook(Path::new("inline.json"), json.as_bytes())
}

/// The reason of a `SpecError::Hook`, checking that it names `file`.
fn hook_reason(err: SpecError, file: &str) -> String {
    match err {
        SpecError::Hook { path, reason } => {
            assert!(path.ends_with(file), "{path:?} does not name {file}");
            reason
        }
        other => panic!("expected a hook error, got {other:?}"),
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn current_schema_reads_every_property() {
    let hook = parse_file("v1-full.json").unwrap();
    assert_eq!(hook.hook.path(), Path::new("/bin/sh"));
    assert_eq!(
        hook.hook.args().as_deref(),
        Some(&strings(&["sh", "-c", "exit 0"])[..])
    );
    assert_eq!(
        hook.hook.env().as_deref(),
        Some(&strings(&["HOOK_DEBUG=1"])[..])
    );
    assert_eq!(hook.hook.timeout(), Some(10));
    assert_eq!(hook.when.always, Some(true));
    assert_eq!(
        hook.when.annotations,
        BTreeMap::from([(
            r"^com\.example\.department$".into(),
            ".*fluid-dynamics$".into()
        )])
    );
    assert_eq!(hook.when.commands, strings(&[".*/init$", ".*/systemd$"]));
    assert_eq!(hook.when.has_bind_mounts, Some(true));
    assert!(!hook.when.any_of);
    assert_eq!(hook.stages, strings(&["prestart", "poststop"]));
}

#[test]
fn keys_are_case_insensitive_and_the_last_spelling_wins() {
    let hook = parse_file("v1-capitalized.json").unwrap();
    assert_eq!(hook.hook.path(), Path::new("/bin/sh"));
    assert_eq!(hook.when.has_bind_mounts, Some(true));
    assert_eq!(hook.stages, ["createRuntime"]);
}

#[test]
fn repeated_objects_merge_and_null_keeps_scalars() {
    let hook = parse_str(
        r#"{"version": "1.0.0", "version": null,
            "hook": {"path": "/nonexistent", "args": ["a"]}, "hook": {"path": "/bin/sh"},
            "when": {"annotations": {"a": "1"}}, "when": {"annotations": {"b": "2"}},
            "stages": ["poststart"]}"#,
    )
    .unwrap();
    assert_eq!(hook.hook.path(), Path::new("/bin/sh"));
    assert_eq!(hook.hook.args().as_deref(), Some(&strings(&["a"])[..]));
    assert_eq!(hook.when.annotations.len(), 2);
}

#[test]
fn unknown_properties_are_ignored() {
    let hook = parse_str(
        r#"{"version": "1.0.0", "hook": {"path": "/bin/sh", "extra": 1},
            "when": {"always": true, "or": true}, "stages": [], "comment": "x"}"#,
    )
    .unwrap();
    assert!(!hook.when.any_of);
}

#[test]
fn empty_stages_and_conditionless_when_are_accepted_as_in_podman() {
    let hook =
        parse_str(r#"{"version": "1.0.0", "hook": {"path": "/bin/sh"}, "when": {}, "stages": []}"#)
            .unwrap();
    assert!(hook.stages.is_empty());
    assert_eq!(hook.when, When::default());
}

#[test]
fn precreate_is_a_known_stage() {
    let hook = parse_file("precreate.json").unwrap();
    assert_eq!(hook.stages, ["precreate", "createRuntime"]);
}

#[test]
fn legacy_plural_properties_are_converted() {
    let hook = parse_file("v010-plural.json").unwrap();
    assert_eq!(hook.hook.path(), Path::new("/bin/sh"));
    assert_eq!(
        hook.hook.args().as_deref(),
        Some(&strings(&["/bin/sh", "-c", "exit 0"])[..])
    );
    assert_eq!(hook.stages, strings(&["prestart", "poststop"]));
    assert_eq!(hook.when.commands, strings(&[".*/init$"]));
    assert_eq!(
        hook.when.annotations,
        BTreeMap::from([(".*".into(), "fluid|^gpu-[0-9]+$".into())])
    );
    assert_eq!(hook.when.has_bind_mounts, Some(true));
    assert_eq!(hook.when.always, None);
    assert!(hook.when.any_of);
}

#[test]
fn legacy_singular_properties_are_synonyms() {
    let hook = parse_file("v010-singular.json").unwrap();
    assert_eq!(hook.hook.args(), &None);
    assert_eq!(hook.stages, ["poststart"]);
    assert_eq!(hook.when.commands, ["^/usr/sbin/init$"]);
    assert_eq!(
        hook.when.annotations,
        BTreeMap::from([(".*".into(), "^enabled$".into())])
    );
    assert_eq!(hook.when.has_bind_mounts, None);
    assert!(hook.when.any_of);
}

#[test]
fn legacy_refuses_both_spellings() {
    for (file, reason) in [
        (
            "v010-both-stages.json",
            "cannot set both 'stage' and 'stages'",
        ),
        ("v010-both-cmds.json", "cannot set both 'cmd' and 'cmds'"),
        (
            "v010-both-annotations.json",
            "cannot set both 'annotation' and 'annotations'",
        ),
    ] {
        assert_eq!(hook_reason(parse_file(file).unwrap_err(), file), reason);
    }
}

#[test]
fn legacy_has_no_commands_property() {
    let hook = parse_file("v010-commands-ignored.json").unwrap();
    assert!(hook.when.commands.is_empty());
}

#[test]
fn legacy_requires_hook_and_stages() {
    let err = parse_str(r#"{"stages": ["prestart"]}"#).unwrap_err();
    assert_eq!(
        hook_reason(err, "inline.json"),
        "missing required property: hook"
    );
    let err = parse_str(r#"{"hook": "/bin/sh"}"#).unwrap_err();
    assert_eq!(
        hook_reason(err, "inline.json"),
        "missing required property: stages"
    );
    let err = parse_str(r#"{"hook": "", "stage": ["prestart"]}"#).unwrap_err();
    assert_eq!(
        hook_reason(err, "inline.json"),
        "missing required property: hook.path"
    );
    // A top-level null is a file without properties, as for Go.
    let err = parse_str("null").unwrap_err();
    assert_eq!(
        hook_reason(err, "inline.json"),
        "missing required property: hook"
    );
}

#[test]
fn legacy_empty_annotation_list_still_makes_a_condition() {
    let hook =
        parse_str(r#"{"hook": "/bin/sh", "stages": ["prestart"], "annotations": []}"#).unwrap();
    assert_eq!(
        hook.when.annotations,
        BTreeMap::from([(".*".into(), String::new())])
    );
    let hook =
        parse_str(r#"{"hook": "/bin/sh", "stages": ["prestart"], "annotations": null}"#).unwrap();
    assert!(hook.when.annotations.is_empty());
}

#[test]
fn unknown_version_is_refused() {
    let err = parse_file("bad-version.json").unwrap_err();
    assert_eq!(
        hook_reason(err, "bad-version.json"),
        r#"unrecognized hook version: "2.0.0""#
    );
    let err = parse_str(r#"{"version": 1}"#).unwrap_err();
    assert_eq!(
        hook_reason(err, "inline.json"),
        "version: expected a string, found a number"
    );
}

#[test]
fn unknown_stage_is_refused() {
    let err = parse_file("unknown-stage.json").unwrap_err();
    assert_eq!(
        hook_reason(err, "unknown-stage.json"),
        r#"unknown stage "bogus""#
    );
}

#[test]
fn every_oci_stage_is_known() {
    let stages = serde_json::to_string(super::OCI_STAGES).unwrap();
    let json = format!(
        r#"{{"version": "1.0.0", "hook": {{"path": "/bin/sh"}}, "when": {{"always": true}},
            "stages": {stages}}}"#
    );
    assert_eq!(parse_str(&json).unwrap().stages.len(), 6);
}

#[test]
fn invalid_regexes_are_refused_naming_the_pattern() {
    let reason = hook_reason(
        parse_file("bad-command-regex.json").unwrap_err(),
        "bad-command-regex.json",
    );
    assert!(reason.starts_with(r#"invalid command "(""#), "{reason}");
    let reason = hook_reason(
        parse_file("bad-annotation-regex.json").unwrap_err(),
        "bad-annotation-regex.json",
    );
    assert!(
        reason.starts_with(r#"invalid annotation value "[unclosed""#),
        "{reason}"
    );
}

#[test]
fn hostile_regexes_are_bounded() {
    // Each pattern is small, but together they would compile to far more than the limit.
    let patterns = vec![r#""\\w{40}""#; 200].join(",");
    let json = format!(
        r#"{{"version": "1.0.0", "hook": {{"path": "/bin/sh"}},
            "when": {{"commands": [{patterns}]}}, "stages": ["prestart"]}}"#
    );
    let reason = hook_reason(parse_str(&json).unwrap_err(), "inline.json");
    assert!(reason.contains("too large"), "{reason}");
    let err = parse_str(
        r#"{"version": "1.0.0", "hook": {"path": "/bin/sh"},
            "when": {"annotations": {"\\pL{1000}": ""}}, "stages": ["prestart"]}"#,
    )
    .unwrap_err();
    assert!(hook_reason(err, "inline.json").contains("annotation key"));
}

#[test]
fn hook_path_is_required_absolute_and_existing() {
    let reason = hook_reason(
        parse_file("missing-path.json").unwrap_err(),
        "missing-path.json",
    );
    assert_eq!(reason, "missing required property: hook.path");
    let reason = hook_reason(
        parse_file("relative-path.json").unwrap_err(),
        "relative-path.json",
    );
    assert_eq!(reason, "hook.path bin/sh is not absolute");
    let reason = hook_reason(
        parse_file("missing-binary.json").unwrap_err(),
        "missing-binary.json",
    );
    assert!(
        reason.starts_with("hook.path /nonexistent/libpod-spec/hook: "),
        "{reason}"
    );
}

#[test]
fn missing_binary_is_told_apart_for_the_manager() {
    let path = testdata("missing-binary.json");
    let result = read_hook(&path, &std::fs::read(&path).unwrap());
    assert!(matches!(result, Err(Invalid::MissingBinary(_))));
}

#[test]
fn stages_are_required() {
    let reason = hook_reason(
        parse_file("missing-stages.json").unwrap_err(),
        "missing-stages.json",
    );
    assert_eq!(reason, "missing required property: stages");
    let err = parse_str(
        r#"{"version": "1.0.0", "hook": {"path": "/bin/sh"}, "when": {}, "stages": null}"#,
    )
    .unwrap_err();
    assert_eq!(
        hook_reason(err, "inline.json"),
        "missing required property: stages"
    );
}

#[test]
fn malformed_json_is_a_json_error() {
    let path = testdata("syntax-error.json");
    let err = parse_file("syntax-error.json").unwrap_err();
    assert!(matches!(err, SpecError::Json { path: p, .. } if p == path));
    assert!(matches!(
        parse_str("{} trailing").unwrap_err(),
        SpecError::Json { .. }
    ));
    assert!(matches!(parse_str("").unwrap_err(), SpecError::Json { .. }));
}

#[test]
fn wrong_types_are_hook_errors() {
    let reason = hook_reason(
        parse_file("wrong-type.json").unwrap_err(),
        "wrong-type.json",
    );
    assert_eq!(reason, "when.always: expected a boolean, found a string");
    for json in [
        "[]",
        r#"{"version": "1.0.0", "hook": "/bin/sh"}"#,
        r#"{"version": "1.0.0", "hook": {"path": "/bin/sh", "timeout": 1.5}}"#,
        r#"{"version": "1.0.0", "hook": {"path": "/bin/sh"}, "stages": "prestart"}"#,
        r#"{"hook": ["/bin/sh"]}"#,
    ] {
        assert!(
            matches!(parse_str(json).unwrap_err(), SpecError::Hook { .. }),
            "{json}"
        );
    }
}

#[test]
fn json_errors_display_the_file() {
    let err = parse_file("bad-version.json").unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("invalid hook "), "{text}");
    assert!(text.contains("bad-version.json"), "{text}");
}
