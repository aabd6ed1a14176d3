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
fn the_name_table_agrees_with_the_host_libc() {
    // The aliases libc does not name, with the signal they stand for.
    let aliases = [("CLD", "CHLD"), ("IOT", "ABRT"), ("POLL", "IO")];
    assert_eq!(SIGNALS.len(), 34, "every signal name Podman knows on Linux");
    for (name, number) in SIGNALS {
        assert_eq!(
            parse_signal(&format!("SIG{name}")).unwrap(),
            number,
            "{name}"
        );
        let canonical = aliases
            .iter()
            .find(|(a, _)| *a == name)
            .map_or(name, |(_, c)| *c);
        // STKFLT exists on Linux but nix does not name it.
        if let Ok(signal) = format!("SIG{canonical}").parse::<nix::sys::signal::Signal>() {
            assert_eq!(signal as i32, number, "{name}");
        } else {
            assert_eq!((name, number), ("STKFLT", 16));
        }
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
