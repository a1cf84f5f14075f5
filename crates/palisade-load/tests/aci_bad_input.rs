//! Bad ACI YAML and ARM templates become errors with places, never panics.
#![allow(clippy::unwrap_used)] // tests may unwrap

use palisade_load::{load_str, Limits, Loaded};

fn load(text: &str) -> Loaded {
    load_str("t.json", text, &Limits::default())
}

const SCHEMA: &str =
    "\"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\"";

#[test]
fn truncated_template_is_one_error() {
    let l = load(&format!(
        "{{ {SCHEMA}, // comment\n \"resources\": [ {{ \"type\": "
    ));
    assert_eq!(l.errors.len(), 1, "{:?}", l.errors);
    assert!(l.errors[0].message.contains("invalid YAML"));
    assert!(l.resources.is_empty());
}

#[test]
fn unterminated_block_comment_names_its_start() {
    let l = load(&format!(
        "{{ {SCHEMA},\n  \"resources\": [] /* never closed\n}}"
    ));
    assert_eq!(l.errors.len(), 1);
    assert_eq!(l.errors[0].message, "unterminated `/*` comment");
    let span = l.errors[0].span.unwrap();
    assert_eq!((span.line(), span.column()), (2, 19));
}

#[test]
fn comment_markers_inside_strings_are_text() {
    let l = load(&format!(
        "{{ {SCHEMA}, \"contentVersion\": \"1.0.0.0\",\n  /* a */ \"variables\": {{\"v\": \"a /* b // c\"}}, // x\n  \"resources\": []\n}}"
    ));
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    let v = l.resources[0].node.path(&["variables", "v"]).unwrap();
    assert_eq!(v.as_str(), Some("a /* b // c"));
    assert_eq!((v.span.line(), v.span.column()), (2, 30));
}

#[test]
fn multi_line_strings_are_accepted() {
    let l = load(&format!(
        "{{ {SCHEMA}, \"resources\": [{{\"type\": \"Microsoft.ContainerInstance/containerGroups\",\n \"name\": \"[concat('a',\n   'b')]\", \"properties\": {{\"containers\": []}}}}]}}"
    ));
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert_eq!(l.resources[1].name(), "ab");
}

#[test]
fn wrong_types_are_errors_at_the_field() {
    let l = load_str(
        "g.yaml",
        "type: Microsoft.ContainerInstance/containerGroups\nname: g\nproperties:\n  containers:\n    - name: c\n      properties:\n        image: x\n        securityContext:\n          privileged: \"yes\"\n        environmentVariables: {a: b}\n",
        &Limits::default(),
    );
    assert!(l.resources.is_empty());
    let msgs: Vec<&str> = l.errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        msgs,
        vec![
            "`properties.containers[0].properties.securityContext.privileged` must be a boolean, found string \"yes\"",
            "`properties.containers[0].properties.environmentVariables` must be a sequence, found mapping",
        ]
    );
    assert_eq!(l.errors[0].span.unwrap().line(), 9);
    let l = load_str(
        "g.yaml",
        "type: Microsoft.ContainerInstance/containerGroups\nname: g\nproperties: [1]\n",
        &Limits::default(),
    );
    assert_eq!(l.errors.len(), 1);
    let l = load_str(
        "g.yaml",
        "type: Microsoft.ContainerInstance/containerGroups\nname: g\n",
        &Limits::default(),
    );
    assert_eq!(
        l.errors[0].message,
        "container group `g` has no `properties`"
    );
    let l = load_str(
        "g.yaml",
        "type: Microsoft.ContainerInstance/containerGroups\nproperties:\n  containers: [3, null]\n  volumes: [x]\n",
        &Limits::default(),
    );
    assert_eq!(l.errors.len(), 2, "{:?}", l.errors);
    assert!(l.errors[0]
        .message
        .starts_with("`properties.containers[0]` must be a mapping"));
}

#[test]
fn symbolic_values_in_typed_fields_read_as_absent() {
    let l = load(&format!(
        "{{ {SCHEMA}, \"parameters\": {{\"priv\": {{\"type\": \"bool\"}}}}, \"resources\": [{{\"type\": \"Microsoft.ContainerInstance/containerGroups\", \"name\": \"g\",
          \"properties\": {{\"containers\": [{{\"name\": \"c\", \"properties\": {{\"securityContext\": {{\"privileged\": \"[parameters('priv')]\"}},
          \"environmentVariables\": \"[parameters('env')]\", \"resources\": {{\"requests\": {{\"cpu\": \"[parameters('cpu')]\"}}}}}}}}]}}}}]}}"
    ));
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    let c = &l.resources[1].pod.as_ref().unwrap().spec.containers[0];
    assert!(c.security_context.as_ref().unwrap().privileged.is_none());
    assert!(c.env.is_empty());
    assert!(c.resources.as_ref().unwrap().requests.is_empty());
}

#[test]
fn deep_nesting_and_huge_inputs_are_bounded() {
    let deep = format!(
        "{{ {SCHEMA}, \"resources\": {}{}}}",
        "[".repeat(500),
        "]".repeat(500)
    );
    let l = load(&deep);
    assert_eq!(l.errors.len(), 1);
    // Deeply nested inline deployments stop with an error, not a stack overflow.
    let mut t = String::from("{\"resources\": []}");
    for _ in 0..40 {
        t = format!(
            "{{\"resources\": [{{\"type\": \"Microsoft.Resources/deployments\", \"properties\": {{\"template\": {t}}}}}]}}"
        );
    }
    let l = load(&format!("{{ {SCHEMA}, {}", &t[1..]));
    assert!(!l.errors.is_empty());
    // A self-referencing variable is an error; the group still loads.
    let l = load(&format!(
        "{{ {SCHEMA}, \"variables\": {{\"a\": \"[variables('A')]\"}}, \"resources\": [{{\"type\": \"Microsoft.ContainerInstance/containerGroups\", \"name\": \"[variables('a')]\", \"properties\": {{\"containers\": []}}}}]}}"
    ));
    assert_eq!(l.errors.len(), 1);
    assert!(l.errors[0].message.contains("refers to itself"));
    assert_eq!(l.resources.len(), 2);
    // Node limits apply to ARM templates like any file.
    let limits = Limits {
        max_nodes: 50,
        ..Limits::default()
    };
    let big = format!(
        "{{ {SCHEMA}, \"resources\": [{}]}}",
        vec!["1"; 100].join(",")
    );
    assert_eq!(load_str("t.json", &big, &limits).errors.len(), 1);
}

#[test]
fn odd_shapes_do_not_panic() {
    for text in [
        "{\"$schema\": 3, \"resources\": {}, \"contentVersion\": 1}",
        "{\"$schema\": \"deploymentTemplate.json\", \"resources\": [null, 1, \"x\", {\"type\": null}, {\"type\": \"Microsoft.Resources/deployments\"}, {\"type\": \"Microsoft.Resources/deployments\", \"properties\": {\"template\": 5}}]}",
        "{\"$schema\": \"deploymentTemplate.json\", \"variables\": {\"v\": \"[concat(\"}, \"resources\": [{\"type\": \"Microsoft.ContainerInstance/containerGroups\", \"name\": \"[variables('v')]\", \"properties\": {\"containers\": [{\"name\": \"[format('{9}', 1)]\"}]}}]}",
        "{\"$schema\": \"deploymentTemplate.json\", \"resources\": [{\"type\": \"Microsoft.ContainerInstance/containerGroups\", \"name\": \"[[x]\", \"properties\": {\"containers\": [{\"name\": \"[parameters(1)[0].a.b['c']]\"}]}}]}",
        "// only a comment\n{}",
        "/**/",
        "type: microsoft.containerinstance/containergroups\nproperties: {containers: ~, volumes: ~, initContainers: [{}]}\n",
        "apiVersion: 2021-10-01\nproperties:\n  containers: []\n",
    ] {
        let _ = load(text);
    }
    let l = load("apiVersion: 2021-10-01\nproperties:\n  containers: []\n");
    assert_eq!(l.resources[0].kind, "ContainerGroup");
}
