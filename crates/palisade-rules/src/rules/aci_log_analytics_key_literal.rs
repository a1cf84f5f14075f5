//! `PAL-ACI-005`: `diagnostics.logAnalytics.workspaceKey` is a literal.
//!
//! `[listKeys(...).primarySharedKey]` and parameters do not fire.

use palisade_model::{Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity};

use super::{aci_common as aci, common};
use crate::{Context, Rule};

/// The rule.
pub struct AciLogAnalyticsKeyLiteral;

static META: RuleMeta = RuleMeta {
    id: "PAL-ACI-005",
    title: "Log Analytics workspace key written into the container group",
    severity: Severity::Medium,
    kinds: aci::CONTAINER_GROUP,
    practice: "Never commit Log Analytics workspace keys",
    rationale: "A workspace shared key lets anyone send data to the workspace: forged log \
        entries that hide an attack or mislead an investigation, and ingestion costs. Written \
        into a template or YAML file it is readable by everyone with the repository.",
    remediation: "Read the key at deployment time with listKeys() on the workspace in the ARM \
        template, or pass it through a secureString parameter backed by a Key Vault reference; \
        regenerate the committed key.",
    example: "diagnostics:\n  logAnalytics:\n    workspaceId: \"[reference(parameters('workspaceId'), '2022-10-01').customerId]\"\n    workspaceKey: \"[listKeys(parameters('workspaceId'), '2022-10-01').primarySharedKey]\"\n",
    references: &[
        "https://learn.microsoft.com/azure/container-instances/container-instances-log-analytics",
        aci::ACI_ARM,
        common::CWE_798,
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Message for a literal workspace key.
pub fn message(object: &str, redacted: &str) -> String {
    format!("{object} writes its Log Analytics workspace key into the file: {redacted}")
}

impl Rule for AciLogAnalyticsKeyLiteral {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(key) = aci::properties(resource)
            .and_then(|p| p.path(&["diagnostics", "logAnalytics", "workspaceKey"]))
        else {
            return;
        };
        if let Some(text) = aci::literal(key) {
            out.push(common::finding(
                &META,
                resource,
                key.span,
                None,
                message(&common::object(resource), &palisade_secrets::redact(text)),
            ));
        }
    }
}
