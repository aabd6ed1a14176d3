//! Values printed the way Go's templates print them (`fmt`'s `%v`): a list as `[a b]`, a map
//! as `map[k:v]` with its keys sorted. gtmpl prints lists and maps in its own debug form
//! (`[String("a")]`), so every action that prints gets one more pipeline stage, `| __print`,
//! which turns its value into Go's text. Actions that print nothing (`if`, `range`, `end`,
//! declarations, comments...) are left as they are.

use gtmpl::{FuncError, Value};

/// The name of the printing stage's function.
pub const PRINT: &str = "__print";

/// The printing stage: its one argument as Go's `%v` prints it.
pub fn print(args: &[Value]) -> Result<Value, FuncError> {
    match args {
        [value] => Ok(Value::String(go_text(value))),
        _ => Err(FuncError::ExactlyXArgs(PRINT.into(), 1)),
    }
}

/// `value` as Go's `%v` prints it: lists and maps as Go does; the rest as gtmpl does.
pub fn go_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(go_text).collect();
            format!("[{}]", items.join(" "))
        }
        Value::Object(map) | Value::Map(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let entries: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{k}:{}", go_text(v)))
                .collect();
            format!("map[{}]", entries.join(" "))
        }
        // Go prints a nil pointer or interface so (a nil slice or map would be `[]`,
        // `map[]`: JSON's null does not say which).
        Value::Nil => "<nil>".to_string(),
        other => other.to_string(),
    }
}

/// `body` with `| __print` at the end of every action that prints.
pub fn printing_actions(body: &str) -> String {
    let mut out = String::with_capacity(body.len() + 16);
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let inner_start = start + 2;
        let Some(len) = action_len(&rest[inner_start..]) else {
            // Unterminated: the parser reports it.
            out.push_str(&rest[start..]);
            return out;
        };
        let inner = &rest[inner_start..inner_start + len];
        out.push_str("{{");
        out.push_str(&with_print_stage(inner));
        out.push_str("}}");
        rest = &rest[inner_start + len + 2..];
    }
    out.push_str(rest);
    out
}

/// The length of an action's text up to its closing `}}`, skipping quoted strings and a
/// comment (`/* ... */`, which may hold quotes and `}}`).
fn action_len(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let body = match text.strip_prefix('-') {
        Some(after) if after.starts_with(char::is_whitespace) => after.trim_start(),
        _ => text,
    };
    if let Some(comment) = body.strip_prefix("/*") {
        let comment_start = text.len() - comment.len();
        let end = comment_start + comment.find("*/")? + 2;
        return text[end..].find("}}").map(|close| end + close);
    }
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            quote @ (b'"' | b'\'') => {
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'`' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'`' {
                    i += 1;
                }
            }
            b'}' if bytes.get(i + 1) == Some(&b'}') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// An action's text with the printing stage added when it prints; its trim markers (`{{- `,
/// ` -}}`) kept outside.
fn with_print_stage(inner: &str) -> String {
    let (lead, body) = match inner.strip_prefix('-') {
        Some(after) if after.starts_with(char::is_whitespace) => ("-", after),
        _ => ("", inner),
    };
    let (body, trail) = match body.strip_suffix('-') {
        Some(before) if before.ends_with(char::is_whitespace) => (before, " -"),
        _ => (body, ""),
    };
    if !prints(body.trim()) {
        return inner.to_string();
    }
    format!("{lead}{} | {PRINT}{trail}", body.trim_end())
}

/// Whether an action prints its pipeline's value: not a control word, a comment or a
/// variable's declaration or assignment.
fn prints(action: &str) -> bool {
    const CONTROL: [&str; 10] = [
        "if", "else", "end", "range", "with", "define", "template", "block", "break", "continue",
    ];
    if action.is_empty() || action.starts_with("/*") {
        return false;
    }
    let word: String = action
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if CONTROL.contains(&word.as_str()) {
        return false;
    }
    !is_declaration(action)
}

/// `$x := ...`, `$x = ...` or `$i, $x := ...`.
fn is_declaration(action: &str) -> bool {
    let mut rest = action;
    loop {
        let Some(after) = rest.strip_prefix('$') else {
            return false;
        };
        let name_len = after
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        rest = after[name_len..].trim_start();
        match rest.strip_prefix(',') {
            Some(next) => rest = next.trim_start(),
            None => break,
        }
    }
    rest.starts_with(":=") || (rest.starts_with('=') && !rest.starts_with("=="))
}

#[cfg(test)]
#[path = "format_print_tests.rs"]
mod tests;
