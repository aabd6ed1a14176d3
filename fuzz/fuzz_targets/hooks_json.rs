//! Hook files are read from directories an administrator fills, possibly with files of
//! unknown origin: parsing one, then applying it, must never panic whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use libpod_spec::hooks::{HookManager, parse_hook};
use oci_spec::runtime::Spec;
use std::path::Path;

/// Small specs that reach every branch of the matching: annotations to match, an ordinary
/// command, an empty `process.args` (an error for hooks with commands) and no process.
fn specs() -> Vec<Spec> {
    let mut annotated = Spec::default();
    annotated.set_annotations(Some(
        [
            ("com.example.gpu".to_owned(), "yes".to_owned()),
            (String::new(), String::new()),
        ]
        .into(),
    ));
    if let Some(process) = annotated.process_mut() {
        process.set_args(Some(vec!["/sbin/init".to_owned(), "--debug".to_owned()]));
    }
    let mut empty_args = Spec::default();
    if let Some(process) = empty_args.process_mut() {
        process.set_args(Some(Vec::new()));
    }
    let mut no_process = Spec::default();
    no_process.set_process(None);
    no_process.set_annotations(None);
    vec![annotated, empty_args, no_process]
}

fuzz_target!(|data: &[u8]| {
    let Ok(hook) = parse_hook(Path::new("fuzz.json"), data) else {
        return;
    };
    // A hook that parsed is valid, so the manager must accept it.
    let manager = HookManager::from_hooks([("fuzz.json".to_owned(), hook)])
        .expect("a parsed hook is accepted by the manager");
    for mut spec in specs() {
        for has_bind_mounts in [false, true] {
            let _ = manager.apply(&mut spec.clone(), has_bind_mounts);
            let _ = manager.apply_with_extension_stages(
                &mut spec,
                has_bind_mounts,
                &["precreate", "poststop"],
            );
        }
    }
});
