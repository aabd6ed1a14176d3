//! `--format` as Podman takes it: `json`, a Go template (`{{.ID}} {{.Names}}`), or `table`
//! followed by a template (a header row, then aligned columns).
//!
//! Templates are evaluated by the `gtmpl` crate (a Go `text/template` implementation), with
//! the functions Podman adds: `json`, `join`, `upper`, `lower`, `title`, `truncate`. podctl
//! parses no template syntax itself beyond finding the actions that print, so that they print
//! lists and maps as Go does (`format_print.rs`).

use crate::format_print::{PRINT, go_text, print, printing_actions};
use gtmpl::{Context, FuncError, Template, Value};
use std::collections::HashMap;

/// One output row's data, as JSON (what `{{json .}}` prints).
pub type Row = serde_json::Value;

/// Renders `rows` with `format`: `json` as an indented array, else each row through the
/// template (with `table`, a header row first, and the columns aligned).
pub fn render(format: &str, rows: &[Row]) -> Result<String, String> {
    render_with_headers(format, rows, &[])
}

/// Like [`render`], with a table's column titles taken from `headers` (field name, title)
/// where they name the field.
pub fn render_with_headers(
    format: &str,
    rows: &[Row],
    headers: &[(&str, &str)],
) -> Result<String, String> {
    if format == "json" {
        return serde_json::to_string_pretty(rows).map_err(|e| e.to_string());
    }
    // As c/common's report.NormalizeFormat: in a table, every space separates columns.
    let (table, body) = match format.strip_prefix("table ") {
        Some(rest) => (true, unescape(rest).replace(' ', "\t")),
        None => (false, unescape(format)),
    };
    let mut lines = Vec::new();
    if table {
        lines.push(header(&body, headers));
    }
    let mut template = Template::default();
    template.add_funcs(&[
        ("json", json as gtmpl::Func),
        ("join", join as gtmpl::Func),
        ("upper", upper as gtmpl::Func),
        ("lower", lower as gtmpl::Func),
        ("title", title as gtmpl::Func),
        ("truncate", truncate as gtmpl::Func),
        ("index", index as gtmpl::Func),
        (PRINT, print as gtmpl::Func),
    ]);
    template
        .parse(printing_actions(&body))
        .map_err(|e| format!("template: {e}"))?;
    for row in rows {
        let text = template
            .render(&Context::from(to_value(row)))
            .map_err(render_error)?;
        lines.push(text);
    }
    if table {
        lines = align(&lines);
    }
    let mut out = lines.join("\n");
    if !out.is_empty() {
        out.push('\n');
    }
    Ok(out)
}

/// A failed render in Podman's words where gtmpl's would dump the whole row: a missing
/// field is named, as Go's "can't evaluate field NAME".
fn render_error(err: gtmpl::error::ExecError) -> String {
    match err {
        gtmpl::error::ExecError::NoFiledFor(field, _) => {
            format!("template: can't evaluate field {field}")
        }
        other => format!("template: {other}"),
    }
}

/// The header row of a template that is no table, as the few verbs that print one above any
/// template print it (Podman 4.3's `pod stats`): the titles as the template places them.
pub fn header_row(format: &str, headers: &[(&str, &str)]) -> String {
    header(&unescape(format), headers)
}

/// A table's rows without its header (`--noheading`).
pub fn strip_header(table: &str) -> String {
    table
        .split_once('\n')
        .map(|(_, rest)| rest.to_string())
        .unwrap_or_default()
}

/// `\t` and `\n` written literally on a command line mean a tab and a newline, as in Podman.
fn unescape(text: &str) -> String {
    text.replace("\\t", "\t").replace("\\n", "\n")
}

/// A table's header: each `{{.Field}}` becomes its title in `headers`, else its upper-cased
/// name (`.ID` keeps Podman's column titles for the common ones).
fn header(body: &str, headers: &[(&str, &str)]) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find("}}") else {
            break;
        };
        let action = rest[start + 2..start + end].trim();
        let field = action
            .split_whitespace()
            .find_map(|w| w.strip_prefix('.'))
            .unwrap_or(action);
        let titled = headers.iter().find(|(name, _)| *name == field);
        out.push_str(&match field {
            _ if titled.is_some() => titled
                .map(|(_, title)| title.to_string())
                .unwrap_or_default(),
            "ID" | "Id" => "ID".to_string(),
            "CreatedHuman" | "CreatedAt" => "CREATED".to_string(),
            other => other.replace('.', " ").to_uppercase(),
        });
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    out
}

/// `text`'s tab-separated columns aligned as Podman's tabwriter aligns them.
pub fn tabulate(text: &str) -> String {
    let lines: Vec<String> = text.lines().map(String::from).collect();
    let mut out = align(&lines).join("\n");
    out.push('\n');
    out
}

/// Tab-separated columns as Podman's tabwriter sets them: each cell padded to its column's
/// widest plus two, and at least twelve characters.
fn align(lines: &[String]) -> Vec<String> {
    let rows: Vec<Vec<&str>> = lines.iter().map(|l| l.split('\t').collect()).collect();
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            let widest = rows
                .iter()
                // The text after a line's last tab is no cell: it is not aligned.
                .filter(|r| c + 1 < r.len())
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0);
            (widest + 2).max(12)
        })
        .collect();
    rows.iter()
        .map(|r| {
            let mut line = String::new();
            for (c, cell) in r.iter().enumerate() {
                if c + 1 < r.len() {
                    line.push_str(&format!("{cell:<width$}", width = widths[c]));
                } else {
                    line.push_str(cell);
                }
            }
            line
        })
        .collect()
}

/// JSON to the template engine's values.
pub fn to_value(json: &serde_json::Value) -> Value {
    match json {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Value::from(i),
            (_, Some(u), _) => Value::from(u),
            (_, _, Some(f)) => Value::from(f),
            _ => Value::Nil,
        },
        serde_json::Value::String(s) => Value::String(s.clone()),
        serde_json::Value::Array(items) => Value::Array(items.iter().map(to_value).collect()),
        serde_json::Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), to_value(v)))
                .collect::<HashMap<_, _>>(),
        ),
    }
}

/// The template engine's values back to JSON, for `{{json .}}`.
fn to_json(value: &Value) -> serde_json::Value {
    match value {
        Value::NoValue | Value::Nil | Value::Function(_) => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::Number(n) => n
            .as_i64()
            .map(serde_json::Value::from)
            .or_else(|| n.as_u64().map(serde_json::Value::from))
            .or_else(|| n.as_f64().map(serde_json::Value::from))
            .unwrap_or(serde_json::Value::Null),
        Value::Array(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
        Value::Object(map) | Value::Map(map) => {
            let sorted: std::collections::BTreeMap<_, _> =
                map.iter().map(|(k, v)| (k.clone(), to_json(v))).collect();
            serde_json::to_value(sorted).unwrap_or(serde_json::Value::Null)
        }
    }
}

fn exactly(name: &str, args: &[Value], n: usize) -> Result<(), FuncError> {
    if args.len() == n {
        Ok(())
    } else {
        Err(FuncError::ExactlyXArgs(name.into(), n))
    }
}

fn json(args: &[Value]) -> Result<Value, FuncError> {
    exactly("json", args, 1)?;
    Ok(Value::String(to_json(&args[0]).to_string()))
}

fn join(args: &[Value]) -> Result<Value, FuncError> {
    exactly("join", args, 2)?;
    let Value::Array(items) = &args[0] else {
        return Err(FuncError::UnableToConvertFromValue);
    };
    let parts: Vec<String> = items.iter().map(go_text).collect();
    Ok(Value::String(parts.join(&go_text(&args[1]))))
}

fn upper(args: &[Value]) -> Result<Value, FuncError> {
    exactly("upper", args, 1)?;
    Ok(Value::String(go_text(&args[0]).to_uppercase()))
}

fn lower(args: &[Value]) -> Result<Value, FuncError> {
    exactly("lower", args, 1)?;
    Ok(Value::String(go_text(&args[0]).to_lowercase()))
}

fn title(args: &[Value]) -> Result<Value, FuncError> {
    exactly("title", args, 1)?;
    let t = go_text(&args[0]);
    let mut chars = t.chars();
    Ok(Value::String(match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }))
}

fn truncate(args: &[Value]) -> Result<Value, FuncError> {
    exactly("truncate", args, 2)?;
    let Value::Number(n) = &args[1] else {
        return Err(FuncError::UnableToConvertFromValue);
    };
    let n = n
        .as_u64()
        .map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX));
    Ok(Value::String(go_text(&args[0]).chars().take(n).collect()))
}

/// Go's `index` on maps: a missing key gives the zero value (empty), not an error.
fn index(args: &[Value]) -> Result<Value, FuncError> {
    let Some((first, keys)) = args.split_first() else {
        return Err(FuncError::AtLeastXArgs("index".into(), 1));
    };
    let mut current = first.clone();
    for key in keys {
        current = match (&current, key) {
            (Value::Object(map) | Value::Map(map), key) => map
                .get(&go_text(key))
                .cloned()
                .unwrap_or(Value::String(String::new())),
            (Value::Array(items), Value::Number(n)) => n
                .as_u64()
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| items.get(i).cloned())
                .ok_or(FuncError::UnableToConvertFromValue)?,
            _ => return Err(FuncError::UnableToConvertFromValue),
        };
    }
    Ok(current)
}

#[cfg(test)]
#[path = "format_tests.rs"]
mod tests;
