//! Azure Container Instances YAML and ARM templates load into the shared
//! model: container groups with their containers, environment, resources,
//! security context and volumes, at exact places.
#![allow(clippy::unwrap_used)] // tests may unwrap

use palisade_load::{load_str, Limits, Loaded};
use palisade_model::{ContainerKind, Resource};

fn fixture(name: &str) -> Loaded {
    let path = format!("{}/tests/fixtures/aci/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    load_str(name, &text, &Limits::default())
}

fn groups(loaded: &Loaded) -> Vec<&Resource> {
    loaded
        .resources
        .iter()
        .filter(|r| r.kind == "ContainerGroup")
        .collect()
}

#[test]
fn aci_yaml_group_is_modelled() {
    let l = fixture("web-public.yaml");
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert_eq!(l.stats.objects, 1);
    assert_eq!(l.stats.non_kubernetes, 0);
    let g = &l.resources[0];
    assert_eq!(g.kind, "ContainerGroup");
    assert_eq!(
        g.api_version,
        "Microsoft.ContainerInstance/containerGroups@2021-10-01"
    );
    assert_eq!(g.name(), "shop-web");
    let pod = g.pod.as_ref().unwrap();
    assert_eq!(pod.spec_path, "properties");
    assert!(!pod.spec.is_windows());
    let names: Vec<(&str, ContainerKind)> = pod
        .spec
        .containers
        .iter()
        .map(|c| (c.name.value.as_str(), c.kind))
        .collect();
    assert_eq!(
        names,
        vec![
            ("migrate", ContainerKind::Init),
            ("web", ContainerKind::Regular),
            ("fluent-bit", ContainerKind::Regular)
        ]
    );
    let migrate = &pod.spec.containers[0];
    assert_eq!(migrate.command.len(), 2);
    assert_eq!(migrate.env[0].value.as_ref().unwrap().span.line(), 18);
    // secureValue is never a literal value.
    assert!(migrate.env[1].value_from && migrate.env[1].value.is_none());

    let web = &pod.spec.containers[1];
    assert_eq!(
        web.image.as_ref().unwrap().value,
        "shopacr.azurecr.io/shop-web:2.3.1"
    );
    assert_eq!(web.ports[0].container_port.as_ref().unwrap().value, 443);
    let res = web.resources.as_ref().unwrap();
    assert_eq!(res.request("cpu").unwrap().value, "1");
    assert_eq!(res.request("memory").unwrap().value, "1.5Gi");
    assert_eq!(res.limit("memory").unwrap().value, "2Gi");
    let cpu = res.limit("cpu").unwrap();
    assert_eq!((cpu.span.line(), cpu.span.column()), (36, 18));
    let sc = web.security_context.as_ref().unwrap();
    assert!(!sc.privileged.as_ref().unwrap().value);
    assert_eq!(sc.run_as_user.as_ref().unwrap().value, 1000);
    let caps = sc.capabilities.as_ref().unwrap();
    assert_eq!(caps.add[0].value, "NET_BIND_SERVICE");
    assert_eq!(caps.drop[0].value, "ALL");
    assert!(web.volume_mounts[0].read_only.as_ref().unwrap().value);

    let volumes: Vec<(&str, &str)> = pod
        .spec
        .volumes
        .iter()
        .map(|v| (v.name.value.as_str(), v.sources[0].value.as_str()))
        .collect();
    assert_eq!(
        volumes,
        vec![("content", "azureFile"), ("scratch", "emptyDir")]
    );
    // The raw group stays for the ACI rules.
    assert!(g.node.path(&["properties", "ipAddress", "type"]).is_some());
}

#[test]
fn arm_template_groups_are_found_and_resolved() {
    let l = fixture("template.json");
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert_eq!(l.stats.non_kubernetes, 0);
    let kinds: Vec<&str> = l.resources.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(
        kinds,
        vec!["ArmTemplate", "ContainerGroup", "ContainerGroup"]
    );
    assert_eq!(
        l.resources[0].api_version,
        "Microsoft.Resources/deploymentTemplate@2019-04-01"
    );
    let g = groups(&l);
    // Names resolved from variables, and through a nested deployment's parameters.
    assert_eq!(g[0].name(), "orders-api");
    assert_eq!(g[1].name(), "orders-worker");
    assert_eq!(
        g[1].api_version,
        "Microsoft.ContainerInstance/containerGroups@2021-10-01"
    );

    let api = &g[0].pod.as_ref().unwrap().spec.containers[0];
    // A parameter without a default stays symbolic, as written.
    assert_eq!(
        g[0].node
            .path(&["properties", "containers"])
            .unwrap()
            .as_seq()
            .unwrap()[0]
            .path(&["properties", "image"])
            .unwrap()
            .as_str(),
        Some("[format('ordersacr.azurecr.io/orders-api:{0}', parameters('imageTag'))]")
    );
    assert!(api.image.as_ref().unwrap().value.starts_with("[format("));
    // `//` inside a string is not a comment; the value resolves.
    let url = api.env[0].value.as_ref().unwrap();
    assert_eq!(url.value, "https://orders.example.com//not-a-comment");
    // Spans point at the usage site, at the original line and column.
    assert_eq!((url.span.line(), url.span.column()), (32, 50));
    // A secure parameter is a reference, never a literal.
    assert!(api.env[1].value_from && api.env[1].value.is_none());
    // listKeys() is not a literal either; the raw node keeps the call for the ACI rules.
    assert!(api.env[2].value_from && api.env[2].value.is_none());
    let raw = g[0]
        .node
        .path(&["properties", "containers"])
        .unwrap()
        .as_seq()
        .unwrap()[0]
        .path(&["properties", "environmentVariables"])
        .unwrap()
        .as_seq()
        .unwrap()[2]
        .get("value")
        .unwrap()
        .as_str()
        .unwrap()
        .to_string();
    assert!(raw.starts_with("[listKeys(resourceId("), "{raw}");
    // An int parameter's default becomes an integer quantity.
    let res = api.resources.as_ref().unwrap();
    assert_eq!(res.request("cpu").unwrap().value, "1");

    // A Key Vault reference passed to an inner-scope deployment stays symbolic.
    let worker = &g[1].pod.as_ref().unwrap().spec.containers[0];
    assert!(worker.env[0].value_from && worker.env[0].value.is_none());
}

fn load(name: &str, text: &str) -> Loaded {
    load_str(name, text, &Limits::default())
}

const GROUP: &str = r#"{"type": "Microsoft.ContainerInstance/containerGroups", "apiVersion": "2023-05-01", "name": "g",
  "properties": {"containers": [{"name": "c", "properties": {"image": "x:1"}}]}}"#;

fn template(resources: &str) -> String {
    format!(
        "{{\"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",\n\"contentVersion\": \"1.0.0.0\", \"resources\": {resources}}}"
    )
}

#[test]
fn languageversion_2_symbolic_resources_and_child_resources() {
    let l = load("t.json", &template(&format!("{{\"cg\": {GROUP}}}")));
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert_eq!(groups(&l).len(), 1);
    // Outer-scope nested deployments use the parent's parameters.
    let nested = format!(
        r#"[{{"type": "Microsoft.Resources/deployments", "name": "n", "properties": {{"template": {{"resources": [{GROUP}]}}}},
           "resources": []}}]"#
    );
    let l = load("t.json", &template(&nested));
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert_eq!(groups(&l).len(), 1);
}

#[test]
fn an_arm_template_without_groups_is_modelled_not_skipped() {
    let l = load("t.json", &template("[]"));
    assert!(l.errors.is_empty());
    assert_eq!(l.stats.non_kubernetes, 0);
    assert_eq!(l.resources.len(), 1);
    assert_eq!(l.resources[0].kind, "ArmTemplate");
    // Detected by resources + contentVersion without a $schema too.
    let l = load(
        "t.json",
        r#"{"contentVersion": "1.0.0.0", "resources": []}"#,
    );
    assert_eq!(l.resources[0].kind, "ArmTemplate");
}

#[test]
fn kubernetes_loading_is_unchanged() {
    let l = load(
        "k.json",
        r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "x"}]}}"#,
    );
    assert!(l.errors.is_empty());
    assert_eq!(l.resources[0].kind, "Pod");
    let l = load("values.yaml", "type: something\nproperties: {a: 1}\n");
    assert_eq!(l.stats.non_kubernetes, 1);
}
