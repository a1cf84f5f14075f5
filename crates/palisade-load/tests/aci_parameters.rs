//! ARM parameters files: a template read from a file is evaluated once per
//! parameters file beside it (`x.parameters.json`, `x.parameters.<env>.json`),
//! values override defaults, Key Vault references stay non-literal, and a
//! parameters file is modelled on its own as `ArmParameters`, with the types
//! its template declares when the template is beside it.
#![allow(clippy::unwrap_used)] // tests may unwrap

use std::path::{Path, PathBuf};

use palisade_load::{load_input, load_str, Input, Limits, Loaded, TEMPLATE_TYPES};
use palisade_model::{Node, Resource};

fn path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/aci-parameters")
        .join(name)
}

fn load(name: &str) -> Loaded {
    load_input(&Input::File(path(name)), &Limits::default())
}

fn groups(loaded: &Loaded) -> Vec<&Resource> {
    loaded
        .resources
        .iter()
        .filter(|r| r.kind == "ContainerGroup")
        .collect()
}

fn container(group: &Resource) -> &palisade_model::Container {
    &group.pod.as_ref().unwrap().spec.containers[0]
}

fn env<'r>(group: &'r Resource, name: &str) -> &'r palisade_model::EnvVar {
    container(group)
        .env
        .iter()
        .find(|e| e.name.value == name)
        .unwrap()
}

#[test]
fn template_is_evaluated_once_per_parameters_file() {
    let l = load("app.json");
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert_eq!(l.resources[0].kind, "ArmTemplate");
    let gs = groups(&l);
    // app.parameters.json and app.parameters.test.json give the same group:
    // it is loaded once; app.parameters.prod.json gives another.
    let names: Vec<&str> = gs.iter().map(|g| g.name()).collect();
    assert_eq!(names, vec!["shop-dev", "shop-prod"]);
    assert_eq!(l.stats.objects, 3);

    let dev = gs[0];
    let image = container(dev).image.as_ref().unwrap();
    assert_eq!(image.value, "shopacr.azurecr.io/api:1.4.2");
    // A value from the parameters file sits where the template uses it.
    assert_eq!(image.span.line(), 24);
    assert_eq!(env(dev, "LOG_LEVEL").value.as_ref().unwrap().value, "info");
    let cpu = container(dev).resources.as_ref().unwrap();
    assert_eq!(cpu.request("cpu").unwrap().value, "1");

    let prod = gs[1];
    assert_eq!(
        env(prod, "LOG_LEVEL").value.as_ref().unwrap().value,
        "warning"
    );
    // An object value replaces the object default; its parts are placed in
    // the template, not in the parameters file.
    let cpu = container(prod).resources.as_ref().unwrap();
    let cpu = cpu.request("cpu").unwrap();
    assert_eq!(cpu.value, "2");
    assert_eq!(cpu.span.line(), 30);
}

#[test]
fn key_vault_references_and_secure_values_are_never_literals() {
    let l = load("app.json");
    for g in groups(&l) {
        let db = env(g, "DB_PASSWORD");
        assert!(db.value.is_none() && db.value_from, "{db:?}");
        let raw = g
            .node
            .path(&["properties", "containers"])
            .and_then(Node::as_seq)
            .unwrap()[0]
            .path(&["properties", "environmentVariables"])
            .and_then(Node::as_seq)
            .unwrap()[1]
            .get("secureValue")
            .and_then(Node::as_str)
            .unwrap()
            .to_string();
        // Not even the literal of app.parameters.prod.json: the parameter is
        // a securestring, so its value is never resolved (PAL-ACI-013 reports
        // the literal in the parameters file).
        assert_eq!(raw, "[parameters('dbPassword')]");
    }
}

#[test]
fn without_a_path_no_parameters_file_is_read() {
    let text = std::fs::read_to_string(path("app.json")).unwrap();
    let l = load_str("app.json", &text, &Limits::default());
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    let gs = groups(&l);
    assert_eq!(gs.len(), 1);
    assert_eq!(gs[0].name(), "shop-dev");
    // imageTag has no default: the image stays symbolic.
    let image = &container(gs[0]).image.as_ref().unwrap().value;
    assert!(palisade_load::is_expression(image), "{image}");
}

#[test]
fn parameters_file_with_its_template_knows_the_types() {
    let l = load("app.parameters.prod.json");
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert_eq!(l.resources.len(), 1);
    assert_eq!(l.stats.objects, 1);
    assert_eq!(l.stats.non_kubernetes, 0);
    let p = &l.resources[0];
    assert_eq!(p.kind, "ArmParameters");
    assert_eq!(
        p.api_version,
        "Microsoft.Resources/deploymentParameters@2019-04-01"
    );
    let types = p.node.get(TEMPLATE_TYPES).and_then(Node::as_map).unwrap();
    let ty = |n: &str| {
        types
            .iter()
            .find(|e| e.key == n)
            .and_then(|e| e.value.as_str())
    };
    assert_eq!(ty("dbPassword"), Some("securestring"));
    assert_eq!(ty("settings"), Some("object"));
    // Placed at the parameter's name in the parameters file.
    let db = types.iter().find(|e| e.key == "dbPassword").unwrap();
    assert_eq!(db.value.span.line(), 10);
    // The values are as written.
    assert_eq!(
        p.node
            .path(&["parameters", "dbPassword", "value"])
            .and_then(Node::as_str),
        Some("Pr0d-Db-S3cret-9f8e7d")
    );
}

#[test]
fn parameters_file_alone_is_modelled_without_types() {
    let l = load("alone.parameters.json");
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert_eq!(l.stats.non_kubernetes, 0);
    assert_eq!(l.resources.len(), 1);
    let p = &l.resources[0];
    assert_eq!(p.kind, "ArmParameters");
    assert!(p.node.get(TEMPLATE_TYPES).is_none());

    // Read from standard input (or by name only) it is the same model.
    let text = std::fs::read_to_string(path("app.parameters.prod.json")).unwrap();
    let l = load_str("-", &text, &Limits::default());
    assert_eq!(l.resources[0].kind, "ArmParameters");
    assert!(l.resources[0].node.get(TEMPLATE_TYPES).is_none());
}

#[test]
fn a_file_cannot_claim_template_types_itself() {
    let text = r#"{
      "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
      "$templateTypes": {"pw": "string"},
      "parameters": {"pw": {"value": "x"}}
    }"#;
    let l = load_str("p.parameters.json", text, &Limits::default());
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert!(l.resources[0].node.get(TEMPLATE_TYPES).is_none());
}

#[test]
fn broken_parameters_file_is_an_error_naming_it_not_the_template() {
    let l = load("broken.json");
    assert_eq!(l.errors.len(), 1, "{:?}", l.errors);
    let e = &l.errors[0];
    assert!(e.file.ends_with("broken.parameters.json"), "{e}");
    assert!(e.span.is_some(), "{e}");
    // The template still loads, with its defaults.
    let gs = groups(&l);
    assert_eq!(gs.len(), 1);
    assert_eq!(container(gs[0]).image.as_ref().unwrap().value, "app:latest");

    // Scanned itself, the parameters file reports the same error.
    let own = load("broken.parameters.json");
    assert_eq!(own.errors, l.errors);
    assert!(own.resources.is_empty());
}

#[test]
fn wrongly_shaped_parameter_is_an_error_in_the_parameters_file() {
    let l = load("shape.json");
    assert_eq!(l.errors.len(), 1, "{:?}", l.errors);
    let e = &l.errors[0];
    assert!(e.file.ends_with("shape.parameters.json"), "{e}");
    assert!(e.message.contains("`imageTag`"), "{e}");
    assert_eq!(e.span.unwrap().line(), 4);
    let own = load("shape.parameters.json");
    assert_eq!(own.errors, l.errors);
}

#[test]
fn pairing_by_name() {
    let dir = std::env::temp_dir().join(format!("palisade-params-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let template = r#"{
      "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "parameters": {"tag": {"type": "string", "defaultValue": "default"}},
      "resources": [{
        "type": "Microsoft.ContainerInstance/containerGroups", "apiVersion": "2023-05-01",
        "name": "[concat('g-', parameters('tag'))]",
        "properties": {"containers": [{"name": "c", "properties": {"image": "x"}}]}
      }]
    }"#;
    let params = |tag: &str| {
        format!(
            r#"{{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
                "parameters": {{"tag": {{"value": "{tag}"}}}}}}"#
        )
    };
    for (name, text) in [
        ("azuredeploy.json", template.to_string()),
        ("azuredeploy.parameters.json", params("base")),
        ("azuredeploy.parameters.b.json", params("b")),
        ("azuredeploy.parameters.a.json", params("a")),
        ("azuredeployx.parameters.json", params("other-template")),
        ("azuredeploy.parametersx.json", params("not-a-pair")),
        ("template.json", template.to_string()),
        ("parameters.json", params("portal")),
    ] {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let names = |file: &str| -> Vec<String> {
        let l = load_input(&Input::File(dir.join(file)), &Limits::default());
        assert!(l.errors.is_empty(), "{:?}", l.errors);
        groups(&l).iter().map(|g| g.name().to_string()).collect()
    };
    // The plain parameters file first, then the variants by name.
    assert_eq!(names("azuredeploy.json"), vec!["g-base", "g-a", "g-b"]);
    // As the portal exports them.
    assert_eq!(names("template.json"), vec!["g-portal"]);
    // A parameters file finds its template, variants too.
    for (params, template) in [
        ("azuredeploy.parameters.a.json", true),
        ("parameters.json", true),
        ("azuredeployx.parameters.json", false),
    ] {
        let l = load_input(&Input::File(dir.join(params)), &Limits::default());
        assert_eq!(
            l.resources[0].node.get(TEMPLATE_TYPES).is_some(),
            template,
            "{params}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
