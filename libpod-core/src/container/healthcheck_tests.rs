use super::*;
use crate::record::StartupHealthCheck;

fn entry(code: i32) -> HealthCheckLog {
    HealthCheckLog::new("s".into(), "e".into(), code, String::new())
}

#[test]
fn failures_make_unhealthy_at_the_retries_and_a_pass_heals() {
    let mut health = HealthCheckResults::starting();
    record(&mut health, entry(1), 2, false);
    assert_eq!(
        (health.status.as_str(), health.failing_streak),
        ("starting", 1)
    );
    record(&mut health, entry(1), 2, false);
    assert_eq!(
        (health.status.as_str(), health.failing_streak),
        ("unhealthy", 2)
    );
    record(&mut health, entry(0), 2, false);
    assert_eq!(
        (health.status.as_str(), health.failing_streak),
        ("healthy", 0)
    );
}

#[test]
fn failures_in_the_start_period_do_not_count() {
    let mut health = HealthCheckResults::starting();
    record(&mut health, entry(1), 1, true);
    assert_eq!(
        (health.status.as_str(), health.failing_streak),
        ("starting", 0)
    );
    assert_eq!(health.log.len(), 1);
}

#[test]
fn the_log_keeps_the_last_five() {
    let mut health = HealthCheckResults::starting();
    for code in 0..7 {
        record(&mut health, entry(code % 2), 3, false);
    }
    assert_eq!(health.log.len(), 5);
    let codes: Vec<i32> = health.log.iter().map(|e| e.exit_code).collect();
    assert_eq!(codes, [0, 1, 0, 1, 0]);
}

#[test]
fn the_start_period_runs_from_the_start() {
    let mut check = HealthCheck {
        start_period_seconds: 10,
        ..HealthCheck::default()
    };
    let started = "2026-01-01T00:00:00.000000000Z";
    assert!(in_start_period(
        &check,
        started,
        "2026-01-01T00:00:09.900000000Z"
    ));
    assert!(!in_start_period(
        &check,
        started,
        "2026-01-01T00:00:10.100000000Z"
    ));
    check.start_period_seconds = 0;
    assert!(!in_start_period(&check, started, started));
}

#[test]
fn the_startup_check_passes_after_its_successes_and_restarts_after_its_retries() {
    let check = HealthCheck {
        retries: 2,
        ..HealthCheck::default()
    };
    let mut startup = StartupHealthCheck::new(check);
    startup.successes = 2;
    let mut file = HealthFile::default();
    assert!(!count_startup(&mut file, &startup, true));
    assert!(!file.startup_passed);
    assert!(!count_startup(&mut file, &startup, false));
    assert!(
        count_startup(&mut file, &startup, false),
        "second failure in a row"
    );
    assert!(!count_startup(&mut file, &startup, true));
    assert!(!count_startup(&mut file, &startup, true));
    assert!(file.startup_passed);
}

#[test]
fn output_is_cut_at_500_bytes_on_a_character() {
    let mut buffer = SharedBuffer::default();
    buffer.write_all("é".repeat(400).as_bytes()).unwrap();
    let text = buffer.text();
    assert!(text.len() <= HealthCheckResults::MAX_OUTPUT);
    assert_eq!(text.len(), 500);
    assert!(text.chars().all(|c| c == 'é'));
}
