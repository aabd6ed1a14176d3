//! One CSV record, read as Go's `encoding/csv` reads `--mount` strings.

/// Splits `input` into the fields of its single record.
///
/// As Go's reader with default settings: fields are separated by `,`; a field starting with
/// `"` is quoted, `""` inside it is a quote and it may span lines; a quote elsewhere in an
/// unquoted field is an error, as is text after a closing quote; `\r\n` counts as `\n`; empty
/// lines are skipped. Anything but exactly one record is an error.
pub(super) fn single_record(input: &str) -> Result<Vec<String>, &'static str> {
    let text = input.replace("\r\n", "\n");
    let mut records: Vec<Vec<String>> = Vec::new();
    let mut chars = text.chars().peekable();
    while chars.peek().is_some() {
        if chars.peek() == Some(&'\n') {
            chars.next();
            continue;
        }
        let mut record = Vec::new();
        loop {
            let mut field = String::new();
            let mut line_ended = true;
            if chars.peek() == Some(&'"') {
                chars.next();
                loop {
                    match chars.next() {
                        None => return Err("extraneous or missing \" in quoted-field"),
                        Some('"') => match chars.peek() {
                            Some('"') => {
                                field.push('"');
                                chars.next();
                            }
                            Some(',') => {
                                chars.next();
                                line_ended = false;
                                break;
                            }
                            Some('\n') => {
                                chars.next();
                                break;
                            }
                            None => break,
                            Some(_) => return Err("extraneous or missing \" in quoted-field"),
                        },
                        Some(c) => field.push(c),
                    }
                }
            } else {
                loop {
                    match chars.next() {
                        None | Some('\n') => break,
                        Some(',') => {
                            line_ended = false;
                            break;
                        }
                        Some('"') => return Err("bare \" in non-quoted-field"),
                        Some(c) => field.push(c),
                    }
                }
            }
            record.push(field);
            if line_ended {
                break;
            }
        }
        records.push(record);
    }
    match records.len() {
        1 => Ok(records.pop().unwrap_or_default()),
        _ => Err("expected exactly one line"),
    }
}

#[cfg(test)]
mod tests {
    use super::single_record;

    #[test]
    fn plain_fields() {
        assert_eq!(single_record("a,b=c,d").unwrap(), ["a", "b=c", "d"]);
        assert_eq!(single_record("a,,b,").unwrap(), ["a", "", "b", ""]);
        assert_eq!(single_record(" a , b").unwrap(), [" a ", " b"]);
        assert_eq!(single_record("a,b\n").unwrap(), ["a", "b"]);
        assert_eq!(single_record("\n\na\r\n").unwrap(), ["a"]);
    }

    #[test]
    fn quoted_fields() {
        assert_eq!(single_record("\"ro\",x").unwrap(), ["ro", "x"]);
        assert_eq!(single_record("\"a,b\",c").unwrap(), ["a,b", "c"]);
        assert_eq!(single_record("\"say \"\"hi\"\"\"").unwrap(), ["say \"hi\""]);
        assert_eq!(single_record("\"two\nlines\"").unwrap(), ["two\nlines"]);
        assert_eq!(single_record("\"\"").unwrap(), [""]);
    }

    #[test]
    fn bad_quotes_are_refused() {
        for input in ["a\"b", "\"a\"b", "\"open", "a,\"b", "\"a\"\"", "a,b\"\"c"] {
            assert!(single_record(input).is_err(), "{input:?}");
        }
    }

    #[test]
    fn exactly_one_record() {
        for input in ["", "\n", "\r\n\n", "a\nb", "a,b\nc"] {
            assert!(single_record(input).is_err(), "{input:?}");
        }
    }
}
