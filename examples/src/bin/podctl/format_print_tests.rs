use super::*;
use crate::format::render;
use serde_json::json;

fn row() -> serde_json::Value {
    json!({"Cmd": ["sh", "-c", "exit 3"], "Labels": {"b": "2", "a": "1"},
           "Nested": {"k": ["x", "y"]}, "Empty": [], "Name": "web", "On": true, "N": 3})
}

#[test]
fn lists_and_maps_print_as_go_prints_them() {
    let out = render(
        "{{.Cmd}} {{.Labels}} {{.Nested}} {{.Empty}} {{.Name}} {{.On}} {{.N}}",
        &[row()],
    )
    .unwrap();
    assert_eq!(
        out,
        "[sh -c exit 3] map[a:1 b:2] map[k:[x y]] [] web true 3\n"
    );
}

#[test]
fn actions_that_print_nothing_keep_their_meaning() {
    let out = render(
        "{{range .Cmd}}<{{.}}>{{end}} {{if .On}}yes{{else}}no{{end}} \
         {{with .Labels}}{{.a}}{{end}} {{$c := .Cmd}}{{index $c 0}} {{/* note */}}{{len .Cmd}}",
        &[row()],
    )
    .unwrap();
    assert_eq!(out, "<sh><-c><exit 3> yes 1 sh 3\n");
}

#[test]
fn functions_and_trim_markers_still_work() {
    let out = render(
        "{{- join .Cmd \",\" -}} | {{json .Cmd}} | {{upper .Name}} | {{.Cmd | json}}",
        &[row()],
    )
    .unwrap();
    assert_eq!(
        out,
        "sh,-c,exit 3| [\"sh\",\"-c\",\"exit 3\"] | WEB | [\"sh\",\"-c\",\"exit 3\"]\n"
    );
}

#[test]
fn the_printing_stage_goes_on_printing_actions_only() {
    assert_eq!(printing_actions("{{.A}}"), "{{.A | __print}}");
    assert_eq!(printing_actions("{{- .A -}}"), "{{- .A | __print -}}");
    assert_eq!(printing_actions("{{if .A}}x{{end}}"), "{{if .A}}x{{end}}");
    assert_eq!(printing_actions("{{$x := .A}}"), "{{$x := .A}}");
    assert_eq!(printing_actions("{{$i, $v := .A}}"), "{{$i, $v := .A}}");
    assert_eq!(printing_actions("{{$x}}"), "{{$x | __print}}");
    assert_eq!(printing_actions("{{/* c */}}"), "{{/* c */}}");
    // A string holding the closing delimiter does not end the action.
    assert_eq!(
        printing_actions("{{printf \"%s}}\" .A}} b"),
        "{{printf \"%s}}\" .A | __print}} b"
    );
    assert_eq!(printing_actions("{{.A"), "{{.A");
    // Comments may hold quotes and the closing delimiter.
    assert_eq!(
        printing_actions("{{/* don't */}}{{.L}}"),
        "{{/* don't */}}{{.L | __print}}"
    );
    assert_eq!(
        printing_actions("{{- /* a }} b */ -}}{{.L}}"),
        "{{- /* a }} b */ -}}{{.L | __print}}"
    );
    assert_eq!(
        printing_actions("{{`}}` | printf \"%s\"}}"),
        "{{`}}` | printf \"%s\" | __print}}"
    );
    assert_eq!(
        printing_actions("{{if .A}}a{{- else if .B -}}b{{end}}"),
        "{{if .A}}a{{- else if .B -}}b{{end}}"
    );
    assert_eq!(
        printing_actions("{{template \"x\" .}}"),
        "{{template \"x\" .}}"
    );
    assert_eq!(
        printing_actions("{{block \"x\" .}}{{end}}"),
        "{{block \"x\" .}}{{end}}"
    );
}

#[test]
fn a_null_prints_as_go_prints_a_nil_pointer() {
    let out = render("{{.Gone}}", &[json!({"Gone": null})]).unwrap();
    assert_eq!(out, "<nil>\n");
}

#[test]
fn join_prints_lists_inside_lists_as_go_does() {
    let out = render("{{join .L \" \"}}", &[json!({"L": [["a", "b"], "c"]})]).unwrap();
    assert_eq!(out, "[a b] c\n");
}
