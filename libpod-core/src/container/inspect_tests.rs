//! Every field `inspect` reports, from a container created with each of them set through a
//! `CreateConfig` (podctl's way), on the fake OCI runtime.

use crate::container::tests::fixture;
use crate::container::*;
use libpod_spec::{CreateConfig, NamespaceMode, NetworkMode};
use serde_json::json;
use std::collections::BTreeMap;

fn create_config() -> CreateConfig {
    let mut c = CreateConfig::default();
    c.name = Some("inspected".into());
    c.image = Some("localhost/tiny".into());
    c.labels = BTreeMap::from([("tier".into(), "web".into()), ("owner".into(), "".into())]);
    c.command = Some(vec!["-c".into(), "exit 3".into()]);
    c.entrypoint = Some(vec!["/bin/sh".into()]);
    c.env = BTreeMap::from([("GREETING".into(), "hi".into())]);
    c.workdir = Some("/srv".into());
    c.user.user = Some("0:0".into());
    c.uts.hostname = Some("box".into());
    c.stop_signal = Some("SIGINT".into());
    c.stop_timeout = Some(7);
    c.restart_policy = Some("on-failure:2".into());
    c.log_driver = Some("journald".into());
    c.tty = true;
    c.interactive = true;
    c.network.mode = NetworkMode::None;
    c.ipc = NamespaceMode::Host;
    c
}

#[test]
fn inspect_reports_what_the_create_config_set() {
    let f = fixture();
    f.import_tiny_image();
    let c =
        f.rt.new_container(options_from_create_config(&create_config()).unwrap())
            .unwrap();
    let image_id = f.rt.storage().image("localhost/tiny").unwrap().id.hex();
    let i = c.inspect().unwrap();
    assert_eq!(i["Id"], c.id());
    assert_eq!(i["Name"], "inspected");
    assert_eq!(i["Created"], c.config().created);
    assert_eq!(i["Image"], image_id);
    assert_eq!(i["ImageName"], "localhost/tiny");
    assert_eq!(i["Rootfs"], "");
    assert_eq!(i["Driver"], "vfs");
    assert_eq!(i["OCIRuntime"], "fake");
    assert_eq!(i["RestartCount"], 0);
    assert_eq!(i["Dependencies"], json!([]));
    assert_eq!(i["ExecIDs"], json!([]));
    assert_eq!(i["Mounts"], json!([]));
    // Podman's name for a configured container.
    assert_eq!(i["State"]["Status"], "created");
    assert_eq!(i["OCIConfigPath"], "");
    let config = &i["Config"];
    assert_eq!(config["Labels"], json!({"tier": "web", "owner": ""}));
    assert_eq!(config["Hostname"], "box");
    assert_eq!(config["User"], "0:0");
    assert_eq!(config["Cmd"], json!(["-c", "exit 3"]));
    assert_eq!(config["Entrypoint"], json!(["/bin/sh"]));
    assert_eq!(config["Image"], "localhost/tiny");
    assert_eq!(config["StopSignal"], 2);
    assert_eq!(config["StopTimeout"], 7);
    assert_eq!(config["Tty"], true);
    assert_eq!(config["OpenStdin"], true);
    let host = &i["HostConfig"];
    assert_eq!(
        host["RestartPolicy"],
        json!({"Name": "on-failure", "MaximumRetryCount": 2})
    );
    assert_eq!(host["AutoRemove"], false);
    assert_eq!(host["NetworkMode"], "none");
    assert_eq!(host["LogConfig"]["Type"], "journald");
    assert_eq!(host["LogConfig"]["Path"], i["LogPath"]);
    assert!(i["LogPath"].as_str().unwrap().ends_with("/ctr.log"));

    // What the generated spec says, once there is one: the process and its state.
    c.start().unwrap();
    let i = c.inspect().unwrap();
    let state = c.state().unwrap();
    assert_eq!(i["Path"], "/bin/sh");
    assert_eq!(i["Args"], json!(["-c", "exit 3"]));
    assert_eq!(i["Config"]["WorkingDir"], "/srv");
    let env = i["Config"]["Env"].as_array().unwrap();
    assert!(env.contains(&json!("GREETING=hi")), "{env:?}");
    assert!(env.contains(&json!("HOSTNAME=box")), "{env:?}");
    assert_eq!(
        i["OCIConfigPath"],
        state.config_path.unwrap().display().to_string()
    );
    let s = &i["State"];
    assert_eq!(s["Status"], "running");
    assert_eq!(
        (s["Running"].clone(), s["Paused"].clone()),
        (json!(true), json!(false))
    );
    assert_eq!(s["Pid"], state.pid.unwrap());
    assert_eq!(s["ConmonPid"], state.conmon_pid.unwrap());
    assert_eq!(s["StartedAt"], state.started_at.unwrap());
    f.fake.oom_kill(c.id());
    c.stop(Some(1)).unwrap();
    let s = c.inspect().unwrap()["State"].clone();
    assert_eq!(s["Status"], "exited");
    assert_eq!(s["ExitCode"], 137);
    assert_eq!(s["OOMKilled"], true);
    assert_ne!(s["FinishedAt"], "");
}

#[test]
fn labels_have_one_home_whichever_way_they_are_given() {
    let f = fixture();
    let mut config = CreateConfig::default();
    config.labels = BTreeMap::from([("from".into(), "config".into())]);
    config.command = Some(vec!["/bin/true".into()]);
    let mut options = options_from_create_config(&config).unwrap();
    options.push(with_rootfs_path(f.rootfs.clone()));
    options.push(with_labels([("from2", "option")]));
    let c = f.rt.new_container(options).unwrap();
    assert_eq!(
        c.config().labels,
        BTreeMap::from([
            ("from".to_string(), "config".to_string()),
            ("from2".to_string(), "option".to_string())
        ])
    );
    assert!(
        c.config().spec.labels.is_empty(),
        "a copy in the spec input"
    );
    assert_eq!(
        c.inspect().unwrap()["Config"]["Labels"],
        json!({"from": "config", "from2": "option"})
    );
    // Read back from the database, as another process sees it.
    let loaded = f.rt.container(c.id()).unwrap();
    assert_eq!(loaded.config(), c.config());
}

#[test]
fn an_engine_fact_set_in_the_spec_input_is_refused() {
    let f = fixture();
    let c = f.rt.new_container([
        with_rootfs_path(f.rootfs.clone()),
        CtrCreateOption::new(|d| {
            d.config.spec.labels.insert("k".into(), "v".into());
            Ok(())
        }),
    ]);
    assert!(
        matches!(&c, Err(crate::CoreError::InvalidOption { reason, .. }) if reason.contains("spec.labels")),
        "{c:?}"
    );
}
