//! runc_run keeps runc's state private and cleans it up.

use libpod_testutil::{TempRoot, require_root, runc_run, serial};

#[test]
fn failed_run_reports_runc_error_and_leaves_no_state() {
    require_root();
    let _guard = serial();
    let tmp = TempRoot::new().unwrap();
    let bundle = tmp.path().join("bundle");
    std::fs::create_dir(&bundle).unwrap();

    let out = runc_run(&bundle, "testutil-no-config");
    assert!(!out.status.success());
    assert_ne!(out.code(), 0);
    assert!(out.stderr.contains("config.json"), "stderr: {}", out.stderr);
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec!["bundle"], "runc state directory left behind");
}
