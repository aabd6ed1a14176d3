use super::*;

#[test]
fn stat_fields_are_read_past_a_command_name_with_spaces_and_parens() {
    let mut p = Process::default();
    p.parse_stat(
        "4242 (my (odd) cmd) S 4200 4242 4242 34817 4242 4194560 100 0 0 0 \
         7 3 0 0 20 5 1 0 123456 4550656 200 18446744073709551615",
    );
    assert_eq!(p.comm, "my (odd) cmd");
    assert_eq!(p.state, "S");
    assert_eq!((p.ppid, p.pgrp), (4200, 4242));
    assert_eq!(p.tty_nr, 34817);
    assert_eq!(p.cpu_ticks, 10);
    assert_eq!(p.nice, 5);
    assert_eq!(p.start_ticks, 123_456);
}

#[test]
fn status_gives_ids_namespace_pid_and_sizes() {
    let mut p = Process::default();
    p.parse_status(
        "Name:\tsleep\nUid:\t1000\t1001\t1002\t1003\nGid:\t10\t11\t12\t13\nGroups:\t4 27 \n\
         NSpid:\t31337\t1\nVmSize:\t    4444 kB\nVmRSS:\t     888 kB\n",
    );
    assert_eq!(p.uids, [1000, 1001, 1002, 1003]);
    assert_eq!(p.gids, [10, 11, 12, 13]);
    assert_eq!(p.groups, [4, 27]);
    assert_eq!(p.ns_pid, 1);
    assert_eq!((p.vsz_kib, p.rss_kib), (4444, 888));
}

#[test]
fn this_process_reads() {
    let me = Process::read(i32::try_from(std::process::id()).unwrap())
        .unwrap()
        .unwrap();
    assert!(!me.args.is_empty());
    assert!(me.start_ticks > 0);
    assert!(boot_time().unwrap() > 1_000_000_000);
    assert!(host_memory().unwrap() > 1 << 20);
}
