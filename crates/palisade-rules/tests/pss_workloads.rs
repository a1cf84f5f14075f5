//! The PSS rules on workload kinds other than Pod, through the real loader:
//! the pod template's spec and metadata are what upstream admission checks
//! for workload objects, and findings point at the offending line.

use palisade_load::{load_str, Limits};
use palisade_model::{Finding, PssLevel, PssVersion};
use palisade_rules::{Context, Settings};

fn scan(text: &str, level: PssLevel, minor: u16) -> Vec<Finding> {
    let loaded = load_str("workloads.yaml", text, &Limits::default());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let settings = Settings {
        level,
        version: PssVersion::v1(minor),
        ..Settings::default()
    };
    let ctx = Context {
        resources: &loaded.resources,
        settings: &settings,
    };
    let mut out = Vec::new();
    for resource in &loaded.resources {
        for rule in palisade_rules::pss::RULES {
            if rule.applies_to(&resource.kind) {
                rule.check(resource, &ctx, &mut out);
            }
        }
    }
    out.sort();
    out
}

const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    metadata:
      annotations:
        seccomp.security.alpha.kubernetes.io/pod: unconfined
    spec:
      containers:
        - name: app
          image: registry.example/app:1.0
          securityContext:
            privileged: true
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: \"0 3 * * *\"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          volumes:
            - name: host
              hostPath:
                path: /etc
          containers:
            - name: job
              image: registry.example/job:1.0
";

#[test]
fn workload_templates_are_checked_with_spans() {
    let found = scan(DEPLOYMENT, PssLevel::Baseline, 18);
    let summary: Vec<(String, &str, u32, Option<&str>)> = found
        .iter()
        .map(|f| {
            (
                f.resource.to_string(),
                f.pss.map_or("", |p| p.check),
                f.location.span.line(),
                f.container.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "Deployment/shop/web".to_string(),
                "seccompProfile_baseline",
                10,
                None
            ),
            (
                "Deployment/shop/web".to_string(),
                "privileged",
                16,
                Some("app")
            ),
            ("CronJob/nightly".to_string(), "hostPathVolumes", 31, None),
        ]
    );
    let privileged = &found[1];
    assert_eq!(privileged.rule_id, "PSS-PRIVILEGED");
    assert_eq!(
        privileged.message,
        "container \"app\" must not set securityContext.privileged=true"
    );
    assert_eq!(&*privileged.location.file, "workloads.yaml");
}

#[test]
fn the_template_annotation_stops_counting_at_1_19() {
    let found = scan(DEPLOYMENT, PssLevel::Baseline, 19);
    assert!(found
        .iter()
        .all(|f| f.pss.is_some_and(|p| p.check != "seccompProfile_baseline")));
    assert_eq!(found.len(), 2);
}

#[test]
fn restricted_reports_the_host_path_once_as_a_restricted_volume() {
    let found = scan(DEPLOYMENT, PssLevel::Restricted, 37);
    let volumes: Vec<&str> = found
        .iter()
        .filter(|f| f.resource.kind == "CronJob")
        .filter_map(|f| f.pss.map(|p| p.check))
        .filter(|c| c.contains("olumes"))
        .collect();
    assert_eq!(volumes, ["restrictedVolumes"]);
    // The CronJob's container misses every restricted setting.
    let job: Vec<&str> = found
        .iter()
        .filter(|f| f.container.as_deref() == Some("job"))
        .filter_map(|f| f.pss.map(|p| p.check))
        .collect();
    for check in [
        "allowPrivilegeEscalation",
        "capabilities_restricted",
        "runAsNonRoot",
        "seccompProfile_restricted",
    ] {
        assert!(job.contains(&check), "{check} missing from {job:?}");
    }
}
