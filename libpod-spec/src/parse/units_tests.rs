use super::parse_size;
use crate::SpecError;

#[test]
fn plain_numbers_are_bytes() {
    assert_eq!(parse_size("memory", "0").unwrap(), 0);
    assert_eq!(parse_size("memory", "1024").unwrap(), 1024);
}

#[test]
fn units_are_binary_multiples_in_any_case() {
    assert_eq!(parse_size("memory", "1k").unwrap(), 1 << 10);
    assert_eq!(parse_size("memory", "1K").unwrap(), 1 << 10);
    assert_eq!(parse_size("memory", "64m").unwrap(), 64 << 20);
    assert_eq!(parse_size("memory", "2g").unwrap(), 2 << 30);
    assert_eq!(parse_size("memory", "3t").unwrap(), 3 << 40);
    assert_eq!(parse_size("memory", "1P").unwrap(), 1 << 50);
}

#[test]
fn b_and_ib_suffixes_are_optional() {
    for text in ["64mb", "64MB", "64MiB", "64mib", "64 m", "64 MiB"] {
        assert_eq!(parse_size("memory", text).unwrap(), 64 << 20, "{text}");
    }
    // Like go-units, a lone `b`, `i` or `ib` is bytes.
    assert_eq!(parse_size("memory", "10b").unwrap(), 10);
    assert_eq!(parse_size("memory", "10ib").unwrap(), 10);
    assert_eq!(parse_size("memory", "10i").unwrap(), 10);
    // The optional space may also end the string, as in go-units.
    assert_eq!(parse_size("memory", "10 ").unwrap(), 10);
}

#[test]
fn fractions_are_multiplied_then_truncated() {
    assert_eq!(parse_size("shm-size", "1.5k").unwrap(), 1536);
    assert_eq!(parse_size("shm-size", "0.5m").unwrap(), 512 * 1024);
    assert_eq!(parse_size("shm-size", "1.0001k").unwrap(), 1024);
    assert_eq!(parse_size("shm-size", "2.9").unwrap(), 2);
}

#[test]
fn malformed_sizes_are_refused() {
    for text in [
        "", "-1m", "-1", "m", "1.", ".5", "1.2.3", "1 2", "1  m", "1mm", "1kbb", "1x", " 1", "1e3",
        "+1", "0x10", "١٢",
    ] {
        let err = parse_size("memory", text).unwrap_err();
        match err {
            SpecError::InvalidValue { field, value, .. } => {
                assert_eq!(field, "memory");
                assert_eq!(value, text);
            }
            other => panic!("unexpected error {other:?}"),
        }
    }
}

#[test]
fn overflow_is_refused() {
    assert!(parse_size("memory", "8192p").is_err());
    assert!(parse_size("memory", "9223372036854775808").is_err());
    assert!(parse_size("memory", &"9".repeat(400)).is_err());
    assert_eq!(parse_size("memory", "8191p").unwrap(), 8191 << 50);
}

#[test]
fn error_names_the_field() {
    let err = parse_size("shm-size", "lots").unwrap_err();
    assert!(matches!(
        err,
        SpecError::InvalidValue {
            field: "shm-size",
            ..
        }
    ));
    assert!(err.to_string().contains("lots"));
}
