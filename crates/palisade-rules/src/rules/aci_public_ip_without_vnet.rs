//! `PAL-ACI-008`: the container group has a public IP address that exposes
//! ports and no `subnetIds`.
//!
//! A public group with no ports exposes nothing and does not fire.

use palisade_model::{Finding, FixAvailability, Node, Resource, RuleMeta, RuleStatus, Severity};

use super::{aci_common as aci, common};
use crate::{Context, Rule};

/// The rule.
pub struct AciPublicIpWithoutVnet;

static META: RuleMeta = RuleMeta {
    id: "PAL-ACI-008",
    title: "Container group exposes ports on a public IP address",
    severity: Severity::Medium,
    kinds: aci::CONTAINER_GROUP,
    practice: "Deploy container groups into a virtual network and publish them through a gateway",
    rationale: "A container group with a Public ipAddress is reachable from the whole internet \
        on every listed port, with no network security group, web application firewall or \
        TLS termination in front of it; Azure Container Instances has no firewall of its own. \
        Scanners find such endpoints within minutes.",
    remediation: "Set ipAddress.type to Private and subnetIds to a delegated subnet, and publish \
        the service through Application Gateway or Azure Front Door with a WAF.",
    example: "properties:\n  subnetIds:\n    - id: \"[resourceId('Microsoft.Network/virtualNetworks/subnets', 'app-vnet', 'aci')]\"\n  ipAddress:\n    type: Private\n    ports:\n      - port: 8080\n        protocol: TCP\n",
    references: &[
        "https://learn.microsoft.com/azure/container-instances/container-instances-vnet",
        "https://learn.microsoft.com/azure/container-instances/container-instances-application-gateway",
        "CWE-284: Improper Access Control",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Message for a public group.
pub fn message(object: &str, ports: &[String]) -> String {
    format!(
        "{object} exposes port(s) {} on a public IP address outside a virtual network",
        ports.join(", ")
    )
}

impl Rule for AciPublicIpWithoutVnet {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(props) = aci::properties(resource) else {
            return;
        };
        let Some(ip) = props.get("ipAddress") else {
            return;
        };
        let Some(ty) = ip.get("type").and_then(Node::as_str) else {
            return;
        };
        if !ty.eq_ignore_ascii_case("public") {
            return;
        }
        let in_vnet = props
            .get("subnetIds")
            .and_then(Node::as_seq)
            .is_some_and(|s| !s.is_empty());
        if in_vnet {
            return;
        }
        let ports: Vec<String> = ip
            .get("ports")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|p| p.get("port").and_then(Node::scalar_text))
            .collect();
        if ports.is_empty() {
            return;
        }
        let span = ip.get("type").map_or(ip.span, |t| t.span);
        out.push(common::finding(
            &META,
            resource,
            span,
            None,
            message(&common::object(resource), &ports),
        ));
    }
}
