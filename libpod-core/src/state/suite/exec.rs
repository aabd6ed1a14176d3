//! The exec sessions' cases.

use super::containers::add;
use super::{Subject, config, id};
use crate::error::CoreError;
use crate::record::{ExecConfig, ExecSession, ExecStatus};

/// A session with every field set.
fn full_session(id: &str, container: &str) -> ExecSession {
    let mut config = ExecConfig::new(vec!["sh".into(), "-c".into(), "echo hé".into()]);
    config.env.insert("A".into(), "1".into());
    config.terminal = true;
    config.attach_stdin = true;
    config.attach_stdout = true;
    config.attach_stderr = true;
    config.detach_keys = Some("ctrl-p,ctrl-q".into());
    config.privileged = true;
    config.user = Some("1000:1000".into());
    config.workdir = Some("/srv".into());
    config.preserve_fds = 2;
    config.exit_command = vec!["/usr/bin/podctl".into(), "exec-cleanup".into()];
    ExecSession::new(id, container, config)
}

/// A session's record round-trips and where it stands changes; its config does not.
pub fn exec_sessions_add_get_save_remove(subject: &dyn Subject) {
    let store = subject.store();
    let ctr = config(&id("c", '0'), "c");
    add(store, &ctr);
    let session = full_session(&id("e1", '0'), &ctr.id);
    store.add_exec_session(&session).unwrap();
    assert_eq!(store.exec_session(&session.id).unwrap(), session);
    let mut ran = session.clone();
    ran.status = ExecStatus::Stopped;
    ran.pid = Some(77);
    ran.exit_code = Some(3);
    ran.config.command = vec!["ignored".into()];
    store.save_exec_session(&ran).unwrap();
    let stored = store.exec_session(&session.id).unwrap();
    assert_eq!(
        (stored.status, stored.pid, stored.exit_code),
        (ExecStatus::Stopped, Some(77), Some(3))
    );
    assert_eq!(stored.config, session.config, "the config never changes");

    let other = ExecSession::new(
        id("e0", '0'),
        ctr.id.clone(),
        ExecConfig::new(vec!["true".into()]),
    );
    store.add_exec_session(&other).unwrap();
    assert_eq!(
        store.exec_sessions(&ctr.id).unwrap(),
        [other.id.clone(), session.id.clone()]
    );
    let err = store.add_exec_session(&other).unwrap_err();
    assert!(
        matches!(err, CoreError::InvalidOption { option: "id", .. }),
        "{err}"
    );
    store.remove_exec_session(&session.id).unwrap();
    assert!(matches!(
        store.exec_session(&session.id),
        Err(CoreError::ExecSessionNotFound(x)) if x == session.id
    ));
    assert!(matches!(
        store.remove_exec_session(&session.id),
        Err(CoreError::ExecSessionNotFound(_))
    ));
    assert!(matches!(
        store.save_exec_session(&ran),
        Err(CoreError::ExecSessionNotFound(_))
    ));
    assert_eq!(store.exec_sessions(&ctr.id).unwrap(), [other.id.as_str()]);
}

/// Removing a container removes its sessions, and only its.
pub fn exec_sessions_go_with_their_container(subject: &dyn Subject) {
    let store = subject.store();
    let a = config(&id("a", '0'), "a");
    let b = config(&id("b", '0'), "b");
    add(store, &a);
    add(store, &b);
    let cmd = || ExecConfig::new(vec!["true".into()]);
    for (session, ctr) in [("e1", &a), ("e2", &a), ("e3", &b)] {
        store
            .add_exec_session(&ExecSession::new(id(session, '0'), ctr.id.clone(), cmd()))
            .unwrap();
    }
    store.remove_container(&a.id).unwrap();
    assert!(store.exec_sessions(&a.id).unwrap().is_empty());
    assert!(matches!(
        store.exec_session(&id("e1", '0')),
        Err(CoreError::ExecSessionNotFound(_))
    ));
    assert_eq!(store.exec_sessions(&b.id).unwrap(), [id("e3", '0')]);
    // The ID is free again.
    store
        .add_exec_session(&ExecSession::new(id("e1", '0'), b.id.clone(), cmd()))
        .unwrap();
}

/// A session needs an existing container and an ID.
pub fn exec_sessions_need_their_container(subject: &dyn Subject) {
    let store = subject.store();
    let ghost = id("c", 'c');
    let session = ExecSession::new(
        id("e", '0'),
        ghost.clone(),
        ExecConfig::new(vec!["true".into()]),
    );
    assert!(matches!(
        store.add_exec_session(&session),
        Err(CoreError::ContainerNotFound(x)) if x == ghost
    ));
    let ctr = config(&id("c", '1'), "c");
    add(store, &ctr);
    let no_id = ExecSession::new("", ctr.id.clone(), ExecConfig::default());
    assert!(matches!(
        store.add_exec_session(&no_id),
        Err(CoreError::InvalidOption { option: "id", .. })
    ));
    assert!(store.exec_sessions(&ctr.id).unwrap().is_empty());
    assert!(store.exec_sessions(&ghost).unwrap().is_empty());
}
