//! `PAL-IMG-002`: the image exposes a privileged port (below 1024).

use palisade_model::{Finding, FixAvailability, ImageFacts, RuleMeta, RuleStatus, Severity};

use super::{finding, subject, ImageRule, ImageSettings, KINDS};

/// The rule.
pub struct PrivilegedPort;

static META: RuleMeta = RuleMeta {
    id: "PAL-IMG-002",
    title: "Image exposes a privileged port",
    severity: Severity::Low,
    kinds: KINDS,
    practice: "Services in images listen on unprivileged ports (1024 and above)",
    rationale: "Binding a port below 1024 needs root or the NET_BIND_SERVICE capability. An \
        image that declares such a port is built to run with privileges it would not otherwise \
        need, or forces the platform to grant the capability. A port mapping (Service port, \
        load balancer) can publish 80 or 443 outside while the process listens on 8080 or 8443 \
        as an unprivileged user.",
    remediation: "Listen on a port of 1024 or above (8080, 8443), change EXPOSE to match, and \
        map the public port in the Service or load balancer.",
    example: "EXPOSE 8080\n",
    references: &[
        "CIS Docker Benchmark v1.6.0, 5.8: Ensure that privileged ports are not mapped within containers",
        "https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// The port number of an `ExposedPorts` key (`80/tcp`, `53/udp`, `443`).
pub fn port_number(key: &str) -> Option<u16> {
    key.split('/').next()?.trim().parse().ok()
}

impl ImageRule for PrivilegedPort {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, facts: &ImageFacts, _s: &ImageSettings, out: &mut Vec<Finding>) {
        let Some(config) = &facts.config else { return };
        for key in &config.exposed_ports {
            if port_number(key).is_some_and(|p| p < 1024) {
                out.push(finding(
                    &META,
                    META.severity,
                    facts,
                    None,
                    None,
                    format!("{} exposes privileged port {key}", subject(facts)),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image_rules::testkit::*;

    #[test]
    fn ports_below_1024_fire() {
        let mut f = clean();
        if let Some(c) = &mut f.config {
            c.exposed_ports = vec![
                "80/tcp".into(),
                "1024/tcp".into(),
                "53/udp".into(),
                "garbage".into(),
                "8080".into(),
            ];
        }
        let found = run(&PrivilegedPort, &f);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found[0].message.ends_with("privileged port 80/tcp"));
    }
}
