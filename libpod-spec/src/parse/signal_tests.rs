use super::{SIGNALS, parse_signal};
use crate::SpecError;

#[test]
fn names_with_and_without_sig_in_any_case() {
    for text in [
        "SIGTERM", "TERM", "term", "sigterm", "Sigterm", "-TERM", "-SIGTERM",
    ] {
        assert_eq!(parse_signal(text).unwrap(), 15, "{text}");
    }
    assert_eq!(parse_signal("SIGKILL").unwrap(), 9);
    assert_eq!(parse_signal("hup").unwrap(), 1);
}

#[test]
fn the_whole_name_table() {
    let expected = [
        ("ABRT", 6),
        ("ALRM", 14),
        ("BUS", 7),
        ("CHLD", 17),
        ("CLD", 17),
        ("CONT", 18),
        ("FPE", 8),
        ("HUP", 1),
        ("ILL", 4),
        ("INT", 2),
        ("IO", 29),
        ("IOT", 6),
        ("KILL", 9),
        ("PIPE", 13),
        ("POLL", 29),
        ("PROF", 27),
        ("PWR", 30),
        ("QUIT", 3),
        ("SEGV", 11),
        ("STKFLT", 16),
        ("STOP", 19),
        ("SYS", 31),
        ("TERM", 15),
        ("TRAP", 5),
        ("TSTP", 20),
        ("TTIN", 21),
        ("TTOU", 22),
        ("URG", 23),
        ("USR1", 10),
        ("USR2", 12),
        ("VTALRM", 26),
        ("WINCH", 28),
        ("XCPU", 24),
        ("XFSZ", 25),
    ];
    assert_eq!(SIGNALS, expected);
    for (name, number) in expected {
        assert_eq!(
            parse_signal(&format!("SIG{name}")).unwrap(),
            number,
            "{name}"
        );
    }
}

#[test]
fn real_time_names() {
    assert_eq!(parse_signal("RTMIN").unwrap(), 34);
    assert_eq!(parse_signal("SIGRTMIN+1").unwrap(), 35);
    assert_eq!(parse_signal("rtmin+15").unwrap(), 49);
    assert_eq!(parse_signal("RTMAX-14").unwrap(), 50);
    assert_eq!(parse_signal("sigrtmax-1").unwrap(), 63);
    assert_eq!(parse_signal("RTMAX").unwrap(), 64);
    for text in [
        "RTMIN+0", "RTMIN+16", "RTMIN+03", "RTMIN++3", "RTMAX-15", "RTMAX-0", "RTMAX+1",
    ] {
        assert!(parse_signal(text).is_err(), "{text}");
    }
}

#[test]
fn numbers() {
    assert_eq!(parse_signal("1").unwrap(), 1);
    assert_eq!(parse_signal("64").unwrap(), 64);
    assert_eq!(parse_signal("-9").unwrap(), 9);
    assert_eq!(parse_signal("+9").unwrap(), 9);
}

#[test]
fn out_of_range_numbers_are_refused() {
    for text in ["0", "-0", "65", "--9", "99999999999", "-65"] {
        let err = parse_signal(text).unwrap_err();
        assert!(
            matches!(
                err,
                SpecError::InvalidValue {
                    field: "stop-signal",
                    ..
                }
            ),
            "{text}"
        );
    }
    assert!(
        parse_signal("65")
            .unwrap_err()
            .to_string()
            .contains("1 through 64")
    );
    assert!(
        parse_signal("0")
            .unwrap_err()
            .to_string()
            .contains("invalid signal")
    );
}

#[test]
fn unknown_names_are_refused() {
    for text in [
        "",
        "SIGNOPE",
        "SIGUNUSED",
        "SIGSIGTERM",
        " 9",
        "9 ",
        "TERM ",
        "SIG",
        "-",
        "RT",
    ] {
        let err = parse_signal(text).unwrap_err();
        match err {
            SpecError::InvalidValue { value, .. } => assert_eq!(value, text),
            other => panic!("{other:?}"),
        }
    }
}
