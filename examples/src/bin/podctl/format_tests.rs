use super::render;
use serde_json::json;

fn row() -> serde_json::Value {
    json!({"ID": "abc", "Names": ["web", "alias"], "State": {"Status": "running"},
           "Labels": {"app": "web"}, "Size": 10})
}

#[test]
fn fields_nested_fields_and_index() {
    let out = render(
        "{{.ID}} {{.State.Status}} {{index .Labels \"app\"}}",
        &[row()],
    )
    .unwrap();
    assert_eq!(out, "abc running web\n");
}

#[test]
fn range_join_upper_lower() {
    let out = render(
        "{{range .Names}}<{{.}}>{{end}} {{join .Names \",\"}} {{upper .ID}} {{lower \"X\"}}",
        &[row()],
    )
    .unwrap();
    assert_eq!(out, "<web><alias> web,alias ABC x\n");
}

#[test]
fn json_of_a_field_and_of_the_row() {
    let out = render("{{json .Labels}}", &[row()]).unwrap();
    assert_eq!(out, "{\"app\":\"web\"}\n");
    let whole: serde_json::Value =
        serde_json::from_str(render("{{json .}}", &[row()]).unwrap().trim()).unwrap();
    assert_eq!(whole, row());
}

#[test]
fn table_has_a_header_and_aligned_columns() {
    let rows = [row(), json!({"ID": "abcdef", "Size": 7})];
    let out = render("table {{.ID}}\\t{{.Size}}", &rows).unwrap();
    // Podman's tabwriter: the widest cell plus two, at least twelve.
    assert_eq!(out, "ID          SIZE\nabc         10\nabcdef      7\n");
    // In a table, a space separates columns as a tab does.
    assert_eq!(render("table {{.ID}} {{.Size}}", &rows).unwrap(), out);
    let wide = [json!({"ID": "abcdefghijklmn", "Size": 1})];
    assert_eq!(
        render("table {{.ID}} {{.Size}}", &wide).unwrap(),
        "ID              SIZE\nabcdefghijklmn  1\n"
    );
}

#[test]
fn json_format_is_an_array() {
    let out = render("json", &[row()]).unwrap();
    let parsed: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(parsed[0]["ID"], "abc");
}

#[test]
fn a_malformed_template_is_an_error() {
    assert!(
        render("{{.ID", &[row()])
            .unwrap_err()
            .starts_with("template:")
    );
}

#[test]
fn index_of_a_missing_key_is_empty_as_in_go() {
    assert_eq!(
        render("[{{index .Labels \"nope\"}}]", &[row()]).unwrap(),
        "[]\n"
    );
}

#[test]
fn a_missing_field_is_named_without_the_row() {
    let err = render("{{.Nope}}", &[row()]).unwrap_err();
    assert_eq!(err, "template: can't evaluate field Nope");
    let err = render("{{.State.Nope}}", &[row()]).unwrap_err();
    assert_eq!(err, "template: can't evaluate field Nope");
}
