use super::*;
use std::process::Command;

#[test]
fn a_running_child_is_opened_signalled_and_waited_for() {
    let mut child = Command::new("sleep").arg("30").spawn().unwrap();
    let pid = i32::try_from(child.id()).unwrap();
    let recorded = ProcessRef::of_pid(pid).unwrap().unwrap();
    let handle = recorded.open().unwrap().expect("running");
    assert!(!handle.wait(Some(Duration::from_millis(20))).unwrap());
    handle.signal(nix::libc::SIGKILL).unwrap();
    child.wait().unwrap();
    assert!(handle.wait(Some(Duration::from_secs(5))).unwrap());
    assert!(!recorded.alive().unwrap(), "reaped: gone");
}

#[test]
fn another_start_time_is_another_process() {
    let mut child = Command::new("sleep").arg("30").spawn().unwrap();
    let pid = i32::try_from(child.id()).unwrap();
    let Identity::StartTime(ticks) = ProcessRef::of_pid(pid).unwrap().unwrap().identity else {
        panic!("start time");
    };
    let stale = ProcessRef {
        pid,
        identity: Identity::StartTime(ticks + 1),
    };
    assert!(
        stale.open().unwrap().is_none(),
        "a reused PID is not signalled"
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn an_argument_identifies_a_process_by_its_command_line() {
    let mut child = Command::new("sleep").arg("31").spawn().unwrap();
    let pid = i32::try_from(child.id()).unwrap();
    // Under load the child's new command line may show a moment after spawn returns.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !ProcessRef::with_argument(pid, "31").alive().unwrap() {
        assert!(
            std::time::Instant::now() < deadline,
            "found by its argument"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(!ProcessRef::with_argument(pid, "3").alive().unwrap());
    child.kill().unwrap();
    child.wait().unwrap();
}
