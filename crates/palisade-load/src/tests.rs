//! Loader tests: every input shape, every class of bad input.

use super::*;
use palisade_model::ContainerKind;

fn load(text: &str) -> Loaded {
    load_str("test.yaml", text, &Limits::default())
}

const DEPLOYMENT: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    metadata:
      annotations:
        container.apparmor.security.beta.kubernetes.io/app: runtime/default
    spec:
      hostNetwork: on
      securityContext:
        runAsUser: 1000
        seccompProfile: {type: RuntimeDefault}
      initContainers:
        - name: init
          image: busybox
      containers:
        - name: app
          image: nginx:1.27
          securityContext:
            privileged: true
            capabilities:
              add: [NET_ADMIN]
              drop: [ALL]
          env:
            - name: A
              value: "x"
            - name: B
              valueFrom: {secretKeyRef: {name: s, key: k}}
          ports:
            - containerPort: 80
      volumes:
        - name: data
          hostPath: {path: /var/run/docker.sock}
"#;

#[test]
fn deployment_is_modelled_with_spans() {
    let l = load(DEPLOYMENT);
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert_eq!(l.resources.len(), 1);
    let r = &l.resources[0];
    assert_eq!(
        (r.kind.as_str(), r.name(), r.namespace()),
        ("Deployment", "web", Some("shop"))
    );
    let pod = r.pod.as_ref().unwrap();
    assert_eq!(pod.spec_path, "spec.template.spec");
    assert!(pod
        .meta
        .annotation("container.apparmor.security.beta.kubernetes.io/app")
        .is_some());
    assert_eq!(pod.spec.host_network.as_ref().map(|h| h.value), Some(true));
    let names: Vec<_> = pod
        .spec
        .containers
        .iter()
        .map(|c| (c.kind, c.name.value.as_str()))
        .collect();
    assert_eq!(
        names,
        vec![
            (ContainerKind::Init, "init"),
            (ContainerKind::Regular, "app")
        ]
    );
    let app = &pod.spec.containers[1];
    let privileged = app
        .security_context
        .as_ref()
        .unwrap()
        .privileged
        .as_ref()
        .unwrap();
    assert!(privileged.value);
    assert_eq!(
        (privileged.span.start.line, privileged.span.start.column),
        (24, 25)
    );
    assert_eq!(app.env.len(), 2);
    assert!(app.env[1].value_from && app.env[1].value.is_none());
    let eff = app.effective(&pod.spec);
    assert_eq!(eff.run_as_user.map(|e| e.value), Some(1000));
    assert_eq!(pod.spec.volumes[0].sources[0].value, "hostPath");
    assert_eq!(
        pod.spec.volumes[0].host_path.as_ref().unwrap().value,
        "/var/run/docker.sock"
    );
}

#[test]
fn every_workload_kind_has_its_pod() {
    let text = r#"
apiVersion: v1
kind: Pod
metadata: {name: p}
spec: {containers: [{name: c, image: i}]}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cj}
spec: {schedule: "* * * * *", jobTemplate: {spec: {template: {spec: {containers: [{name: c, image: i}]}}}}}
---
apiVersion: v1
kind: PodTemplate
metadata: {name: pt}
template: {spec: {containers: [{name: c, image: i}]}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: s}
spec: {template: {spec: {containers: [{name: c, image: i}]}}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: d}
spec: {template: {spec: {containers: [{name: c, image: i}]}}}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: r}
spec: {template: {spec: {containers: [{name: c, image: i}]}}}
---
apiVersion: v1
kind: ReplicationController
metadata: {name: rc}
spec: {template: {spec: {containers: [{name: c, image: i}]}}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec: {template: {spec: {containers: [{name: c, image: i}], ephemeralContainers: [{name: e, image: i}]}}}
"#;
    let l = load(text);
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert_eq!(l.resources.len(), 8);
    for r in &l.resources {
        let pod = r
            .pod
            .as_ref()
            .unwrap_or_else(|| panic!("{} has no pod", r.kind));
        assert!(!pod.spec.containers.is_empty());
    }
    let job = &l.resources[7];
    assert_eq!(
        job.pod.as_ref().unwrap().spec.containers[1].kind,
        ContainerKind::Ephemeral
    );
}

#[test]
fn lists_are_flattened() {
    let text = r#"{"apiVersion": "v1", "kind": "List", "items": [
      {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"}},
      {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}, "data": {"k": "v"}}]}"#;
    let l = load_str("list.json", text, &Limits::default());
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    let kinds: Vec<_> = l.resources.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds, vec!["Service", "ConfigMap"]);
    assert_ne!(l.resources[0].document, l.resources[1].document);
    let l = load("apiVersion: v1\nkind: PodList\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: x}\n  spec: {containers: []}\n");
    assert_eq!(l.resources.len(), 1);
}

#[test]
fn non_kubernetes_and_custom_kinds_are_counted_not_errors() {
    let text = "replicaCount: 3\nimage: {repository: nginx}\n---\nname: CI\non: [push]\n---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: x}\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n---\napiVersion: argoproj.io/v1alpha1\nkind: Deployment\nmetadata: {name: fake}\n";
    let l = load(text);
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert_eq!(l.stats.non_kubernetes, 2);
    assert_eq!(l.stats.unknown_kinds, 3);
    assert_eq!(l.stats.objects, 0);
}

#[test]
fn helm_template_sources_are_kept() {
    let text = "---\n# Source: chart/templates/sa.yaml\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a}\n---\n# Source: chart/templates/svc.yaml\napiVersion: v1\nkind: Service\nmetadata: {name: b}\n";
    let l = load(text);
    assert_eq!(
        l.resources[0].helm_source.as_deref(),
        Some("chart/templates/sa.yaml")
    );
    assert_eq!(
        l.resources[1].helm_source.as_deref(),
        Some("chart/templates/svc.yaml")
    );
}

#[test]
fn wrong_types_are_errors_with_places() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext:\n    runAsUser: \"abc\"\n  containers:\n  - name: c\n    securityContext:\n      privileged: \"true\"\n";
    let l = load(text);
    assert_eq!(l.resources.len(), 0);
    assert_eq!(l.errors.len(), 2, "{:?}", l.errors);
    let e = &l.errors[0];
    assert!(
        e.message.contains("spec.securityContext.runAsUser") && e.message.contains("integer"),
        "{e}"
    );
    assert_eq!(e.span.unwrap().start.line, 6);
    let e = &l.errors[1];
    assert!(
        e.message.contains("privileged") && e.message.contains("boolean"),
        "{e}"
    );
    assert_eq!(e.help.as_deref(), Some("write true without quotes"));
}

#[test]
fn one_bad_document_does_not_hide_the_others() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec: {containers: \"nope\"}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: ok}\n";
    let l = load(text);
    assert_eq!(l.errors.len(), 1);
    assert_eq!(l.resources.len(), 1);
    assert_eq!(l.resources[0].name(), "ok");
}

#[test]
fn workload_without_pod_spec_is_an_error() {
    let l =
        load("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: 1}\n");
    assert_eq!(l.errors.len(), 1);
    assert!(l.errors[0].message.contains("no pod spec"));
}

#[test]
fn malformed_yaml_is_one_error() {
    let l = load("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   bad: indent\n");
    assert_eq!(l.errors.len(), 1);
    assert!(l.errors[0].span.is_some());
    assert!(l.errors[0].help.is_some());
}

#[test]
fn truncated_json_is_an_error() {
    let l = load_str(
        "x.json",
        "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"spec\": {",
        &Limits::default(),
    );
    assert_eq!(l.errors.len(), 1, "{:?}", l.errors);
}

#[test]
fn non_string_kind_is_an_error() {
    let l = load("apiVersion: v1\nkind: [Pod]\n");
    assert_eq!(l.errors.len(), 1);
}

#[test]
fn binary_and_bad_encodings_are_errors() {
    let limits = Limits::default();
    let e = input::decode("b.yaml", b"apiVersion: v1\n\0\x01\x02".to_vec(), &limits).unwrap_err();
    assert!(e.message.contains("binary"));
    assert_eq!(e.span.unwrap().start.line, 2);
    let e = input::decode("u.yaml", b"a: \xff\xfe\n".to_vec(), &limits).unwrap_err();
    assert!(e.message.contains("UTF-8"), "{e}");
    let e = input::decode("w.yaml", vec![0xFF, 0xFE, b'a', 0], &limits).unwrap_err();
    assert!(e.message.contains("UTF-16"));
    let ok = input::decode("bom.yaml", b"\xEF\xBB\xBFa: 1\n".to_vec(), &limits).unwrap();
    assert_eq!(ok, "a: 1\n");
}

#[test]
fn size_limit_is_enforced() {
    let limits = Limits {
        max_file_size: 10,
        ..Limits::default()
    };
    let e = input::decode("big.yaml", vec![b'a'; 11], &limits).unwrap_err();
    assert!(e.message.contains("larger than 10 bytes"));
}

#[test]
fn node_limit_is_enforced() {
    let limits = Limits {
        max_nodes: 100,
        ..Limits::default()
    };
    let text = "a: [".to_string() + &"1, ".repeat(200) + "1]";
    let l = load_str("n.yaml", &text, &limits);
    assert!(l.errors[0].message.contains("YAML nodes"));
}

#[test]
fn directories_are_walked_with_excludes() {
    let dir = std::env::temp_dir().join(format!("palisade-load-walk-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub/tests")).unwrap();
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    for f in [
        "a.yaml",
        "b.yml",
        "c.json",
        "d.txt",
        "sub/e.yaml",
        "sub/tests/f.yaml",
        ".git/g.yaml",
    ] {
        std::fs::write(dir.join(f), "a: 1\n").unwrap();
    }
    let opts = WalkOptions {
        exclude: vec!["tests/".into()],
        ..WalkOptions::default()
    };
    let (files, errors) = collect_files(&[dir.display().to_string()], &opts);
    assert!(errors.is_empty(), "{errors:?}");
    let names: Vec<String> = files
        .iter()
        .map(|f| match f {
            Input::File(p) => p.strip_prefix(&dir).unwrap().display().to_string(),
            Input::Stdin => "-".into(),
        })
        .collect();
    assert_eq!(names, vec!["a.yaml", "b.yml", "c.json", "sub/e.yaml"]);
    let (_, errors) = collect_files(&[dir.join("missing").display().to_string()], &opts);
    assert_eq!(errors.len(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn error_paths_name_the_field_exactly() {
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, labels: {a: [1]}}\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        securityContext:\n          capabilities: {add: NET_ADMIN}\n          allowPrivilegeEscalation: nope\n        livenessProbe: {httpGet: {host: [x]}}\n      volumes:\n      - name: v\n        hostPath: {path: {}}\n";
    let l = load(text);
    let messages: Vec<&str> = l.errors.iter().map(|e| e.message.as_str()).collect();
    let expected = [
        "`metadata.labels.a` must be a string",
        "`spec.template.spec.containers[0].securityContext.capabilities.add` must be a sequence",
        "`spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation` must be a boolean",
        "`spec.template.spec.containers[0].livenessProbe.httpGet.host` must be a string",
        "`spec.template.spec.volumes[0].hostPath.path` must be a string",
    ];
    assert_eq!(messages.len(), expected.len(), "{messages:#?}");
    for (m, e) in messages.iter().zip(expected) {
        assert!(m.starts_with(e), "{m} does not start with {e}");
    }
}
