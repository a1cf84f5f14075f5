//! Walks `tests/fixtures/<RULE-ID>/`: every `fire*.yaml` (or `.json`) must
//! produce at least one finding of that rule (exactly `N` when the file has
//! a `# expect: N` line, `// expect: N` in JSON), every `pass*` file none.
//!
//! Each file is loaded with the real loader and checked with every object
//! of the file in the context, as a scan of that file would, with the
//! default settings or the image policy of a `palisade.toml` in the
//! directory. An ARM template `x.json` beside `x.parameters*.json` files is
//! their template (it gives them their parameters' types), not a fixture.
#![allow(clippy::unwrap_used)] // tests may unwrap

use std::path::{Path, PathBuf};

use palisade_rules::{find_rule, Context, Finding, Settings};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Runs the rule `id` over every object of `path`.
fn findings(id: &str, path: &Path) -> Vec<Finding> {
    let rule = find_rule(id).unwrap_or_else(|| panic!("no rule {id} for {}", path.display()));
    let file = path.display().to_string();
    // Loaded as a scan loads a file: an ARM parameters file with the types
    // its template beside it declares.
    let loaded = palisade_load::load_input(
        &palisade_load::Input::File(path.to_path_buf()),
        &palisade_load::Limits::default(),
    );
    assert!(
        loaded.errors.is_empty(),
        "{file}: load errors {:?}",
        loaded.errors
    );
    assert!(!loaded.resources.is_empty(), "{file}: no objects");
    let settings = fixture_settings(path);
    let ctx = Context {
        resources: &loaded.resources,
        settings: &settings,
    };
    let mut out = Vec::new();
    for r in &loaded.resources {
        if rule.applies_to(&r.kind) {
            rule.check(r, &ctx, &mut out);
        }
    }
    for f in &out {
        assert_eq!(f.rule_id, rule.meta().id, "{file}: foreign rule id");
        assert_eq!(&*f.location.file, file.as_str(), "{file}: wrong file");
        assert!(
            f.location.span.line() >= 1,
            "{file}: finding without a place: {f:?}"
        );
        assert!(f.pss.is_none() && f.suppressed.is_none());
    }
    out
}

/// The settings a fixture runs with: the defaults, or the image policy of a
/// `palisade.toml` beside it (for rules that only fire under a policy).
fn fixture_settings(path: &Path) -> Settings {
    let mut settings = Settings::default();
    let config_path = path.with_file_name("palisade.toml");
    let Ok(text) = std::fs::read_to_string(&config_path) else {
        return settings;
    };
    let config = palisade_config::parse(
        &config_path.display().to_string(),
        &text,
        palisade_config::ConfigFormat::Toml,
        &[],
    )
    .unwrap_or_else(|e| panic!("{}: {e:?}", config_path.display()));
    let images = &config.images;
    settings.image_policy = palisade_rules::image_policy::ImagePolicy::from_lists(
        images.allowed_registries.as_deref(),
        &images.forbidden_registries,
        images.require_digest,
        &images.require_digest_for,
    )
    .and_then(|p| p.with_approved_base_images(images.approved_base_images.as_deref()))
    .unwrap();
    settings
}

fn expected_count(path: &Path) -> Option<usize> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines()
        .find_map(|l| {
            let l = l.trim();
            l.strip_prefix("# expect:")
                .or_else(|| l.strip_prefix("// expect:"))
        })
        .and_then(|n| n.trim().parse().ok())
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
                || palisade_load::is_dockerfile_name(&p.to_string_lossy())
        })
        .filter(|p| !is_parameters_template(p))
        .collect();
    files.sort();
    files
}

/// `x.json` beside `x.parameters*.json`: the template that gives the
/// parameters files their types, not a fixture of its own.
fn is_parameters_template(path: &Path) -> bool {
    let Some(stem) = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".json"))
    else {
        return false;
    };
    let prefix = format!("{stem}.parameters.");
    std::fs::read_dir(path.parent().unwrap()).unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with(&prefix)
    })
}

#[test]
fn every_fixture_fires_or_passes_as_named() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty());
    let mut failures = Vec::new();
    for dir in dirs {
        let id = dir.file_name().unwrap().to_string_lossy().to_string();
        let files = yaml_files(&dir);
        assert!(
            files.iter().any(|f| name(f).starts_with("fire"))
                && files.iter().any(|f| name(f).starts_with("pass")),
            "{id}: needs at least one fire and one pass fixture"
        );
        for path in files {
            let found = findings(&id, &path);
            let n = name(&path);
            if n.starts_with("fire") {
                match expected_count(&path) {
                    Some(want) if want != found.len() => failures.push(format!(
                        "{}: expected {want} findings, got {}: {:#?}",
                        path.display(),
                        found.len(),
                        found.iter().map(|f| &f.message).collect::<Vec<_>>()
                    )),
                    None if found.is_empty() => {
                        failures.push(format!("{}: expected findings, got none", path.display()))
                    }
                    _ => {}
                }
            } else if n.starts_with("pass") {
                if !found.is_empty() {
                    failures.push(format!(
                        "{}: expected no findings, got {:#?}",
                        path.display(),
                        found.iter().map(|f| &f.message).collect::<Vec<_>>()
                    ));
                }
            } else {
                failures.push(format!(
                    "{}: name must start with fire or pass",
                    path.display()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().to_string()
}

/// Odd but loadable objects: wrong types where rules read the raw tree.
const ODD: &str = r#"
apiVersion: v1
kind: Service
metadata:
  name: odd
  namespace: default
  annotations:
    example.com/token: ""
spec:
  selector: [app, web]
  ports: "80"
---
apiVersion: v1
kind: Service
metadata:
  name: odd2
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: {nested: map}
    - port: "eighty"
    - port: 80
      targetPort: -1
    - port: 80
      targetPort: 99999999999
---
apiVersion: v1
kind: Secret
metadata:
  name: odd
data:
  a: 12
  b: "%%%%"
  c: "=AAA"
  d: "//8A/w=="
stringData: [not, a, map]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: odd
data:
  nested: {a: b}
  multi: "a=\nb:\n=:\n:=\npassword\n"
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: odd
automountServiceAccountToken: [true]
---
apiVersion: v1
kind: Pod
metadata:
  name: odd
  labels:
    app: web
spec:
  securityContext:
    runAsNonRoot: true
    sysctls:
      - name: net.ipv4.ip_unprivileged_port_start
        value: "not a number"
  containers:
    - name: ""
      image: ":"
      command: ["$(", "$$(X)", "--", "-", "--=", "--password", "--password="]
      args: ["é$(ü)", "--tökén=ünïcödé-välüé-1234567"]
      env:
        - name: ""
          value: "$("
      ports:
        - containerPort: 0
        - containerPort: -5
        - name: http
      volumeMounts:
        - name: missing
          mountPath: /x
  volumes:
    - name: h
      hostPath:
        path: "../../etc"
"#;

#[test]
fn every_rule_survives_every_fixture_and_odd_input() {
    let mut texts: Vec<(String, String)> = vec![("odd.yaml".into(), ODD.into())];
    for dir in std::fs::read_dir(fixtures_dir()).unwrap() {
        for path in yaml_files(&dir.unwrap().path()) {
            texts.push((
                path.display().to_string(),
                std::fs::read_to_string(&path).unwrap(),
            ));
        }
    }
    let settings = Settings::default();
    for (file, text) in &texts {
        let loaded = palisade_load::load_str(file, text, &palisade_load::Limits::default());
        assert!(!loaded.resources.is_empty(), "{file}: nothing loaded");
        if file == "odd.yaml" {
            assert_eq!(loaded.resources.len(), 6, "odd input: {:?}", loaded.errors);
        }
        let ctx = Context {
            resources: &loaded.resources,
            settings: &settings,
        };
        for rule in palisade_rules::rules::RULES {
            let mut out = Vec::new();
            for r in &loaded.resources {
                if rule.applies_to(&r.kind) {
                    rule.check(r, &ctx, &mut out);
                }
            }
            for f in &out {
                assert!(!f.message.is_empty() && f.location.span.line() >= 1);
            }
        }
    }
}
