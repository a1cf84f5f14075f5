//! `PAL-IMG-004`: the image defines no healthcheck, or disables one.
//!
//! Reads Docker's `Healthcheck` extension of the image config. `["NONE"]`
//! (Dockerfile `HEALTHCHECK NONE`) disables a healthcheck inherited from
//! the base image and is reported with its own message.

use palisade_model::{Finding, FixAvailability, ImageFacts, RuleMeta, RuleStatus, Severity};

use super::{finding, subject, ImageRule, ImageSettings, DOCKER_BEST_PRACTICES, KINDS};

/// The rule.
pub struct HealthcheckMissing;

static META: RuleMeta = RuleMeta {
    id: "PAL-IMG-004",
    title: "Image has no healthcheck",
    severity: Severity::Low,
    kinds: KINDS,
    practice: "Images declare how to tell that the service is healthy",
    rationale: "Without a HEALTHCHECK, Docker, Swarm and Azure Container Instances only know \
        whether the process runs, not whether it serves: a hung or deadlocked service keeps \
        receiving traffic and is never restarted. Kubernetes ignores HEALTHCHECK and uses \
        liveness and readiness probes instead, so for images deployed only to Kubernetes this \
        is informational; disable the rule there.",
    remediation: "Add a HEALTHCHECK instruction that exercises the service (an HTTP request to a \
        health endpoint, a client ping), or define liveness and readiness probes where the image \
        runs on Kubernetes and disable this rule.",
    example: "HEALTHCHECK --interval=30s --timeout=3s CMD [\"/app\", \"healthcheck\"]\n",
    references: &[
        "CIS Docker Benchmark v1.6.0, 4.6: Ensure that HEALTHCHECK instructions have been added to container images",
        "https://docs.docker.com/reference/dockerfile/#healthcheck",
        DOCKER_BEST_PRACTICES,
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

impl ImageRule for HealthcheckMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, facts: &ImageFacts, _s: &ImageSettings, out: &mut Vec<Finding>) {
        let Some(config) = &facts.config else { return };
        let message = match config.healthcheck.as_deref() {
            None | Some([]) => format!("{} defines no HEALTHCHECK", subject(facts)),
            Some([first, ..]) if first == "NONE" => {
                format!(
                    "{} disables its healthcheck (HEALTHCHECK NONE)",
                    subject(facts)
                )
            }
            Some(_) => return,
        };
        out.push(finding(&META, META.severity, facts, None, None, message));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image_rules::testkit::*;

    #[test]
    fn absent_and_none_fire() {
        for (hc, fires) in [
            (None, true),
            (Some(vec![]), true),
            (Some(vec!["NONE".to_string()]), true),
            (
                Some(vec!["CMD-SHELL".to_string(), "true".to_string()]),
                false,
            ),
        ] {
            let mut f = clean();
            if let Some(c) = &mut f.config {
                c.healthcheck = hc.clone();
            }
            assert_eq!(
                run(&HealthcheckMissing, &f).len(),
                usize::from(fires),
                "{hc:?}"
            );
        }
    }
}
