//! Suppression of findings by annotation and by config exception.

use std::sync::Arc;

use palisade_model::{
    Finding, Location, Resource, ResourceRef, Span, Suppression, SuppressionKind,
};

use crate::rules::{
    meta, EXPIRED_EXCEPTION, INVALID_SUPPRESSION, LOCKED_RULE, SUPPRESSION_ANNOTATION,
};
use crate::suggest::closest;
use crate::{selects, Config, Date, Exception};

/// One well-formed entry of a suppression annotation.
struct Entry {
    rule: String,
    reason: String,
    span: Span,
    /// Set once the entry was refused for a locked rule.
    refused: bool,
}

impl Config {
    /// Marks the findings of one resource suppressed, reading the
    /// `palisade.dev/ignore` annotation of the object and of its pod template
    /// (`"RULE-ID: reason"`, entries separated by newlines or `;`; an id
    /// prefix suppresses every rule it starts) and the unexpired config
    /// exceptions that match the object. An annotation cannot suppress a
    /// locked rule; a config exception can. Findings already suppressed are
    /// left as they are. Every finding passed in is taken to be about
    /// `resource`.
    ///
    /// Appends findings of its own: [`INVALID_SUPPRESSION`] for an entry
    /// without a reason or naming an unknown rule, and [`LOCKED_RULE`] for an
    /// entry that names a locked rule (each unless disabled by `rules`).
    pub fn suppress(&self, resource: &Resource, findings: &mut Vec<Finding>, today: Date) {
        let mut extra = Vec::new();
        let mut entries = self.annotation_entries(resource, &mut extra);
        for finding in findings.iter_mut().filter(|f| f.suppressed.is_none()) {
            let locked = self.is_locked(finding.rule_id);
            if let Some(entry) = entries
                .iter_mut()
                .find(|e| selects(&e.rule, finding.rule_id))
            {
                if locked {
                    entry.refused = true;
                } else {
                    finding.suppressed = Some(Suppression {
                        kind: SuppressionKind::Annotation,
                        reason: entry.reason.clone(),
                        location: Some(Location {
                            file: resource.file.clone(),
                            span: entry.span,
                        }),
                    });
                    continue;
                }
            }
            if let Some(exception) = self
                .exceptions
                .iter()
                .find(|x| !x.expired(today) && x.applies(finding.rule_id, resource))
            {
                finding.suppressed = Some(Suppression {
                    kind: SuppressionKind::Config,
                    reason: exception.reason.clone(),
                    location: Some(Location {
                        file: self.file(),
                        span: exception.span,
                    }),
                });
            }
        }
        for entry in &entries {
            let named_locked = self.locked.iter().any(|l| entry.rule.starts_with(&l.value));
            if entry.refused || named_locked {
                let message = format!(
                    "{}: `{SUPPRESSION_ANNOTATION}` cannot suppress locked rule `{}`; the finding stays",
                    resource.reference(),
                    entry.rule
                );
                self.push(&mut extra, LOCKED_RULE, resource, entry.span, message);
            }
        }
        for f in extra {
            if !findings.contains(&f) {
                findings.push(f);
            }
        }
    }

    /// Marks findings suppressed by the unexpired config exceptions that
    /// match their rule and object ([`Finding::resource`]), for findings
    /// about objects that are not manifests (images): there are no
    /// annotations to read, so only `exceptions` apply. `namespace`
    /// matches `""` for an object without one; `name` matches the image
    /// reference; `kind` matches `Image`.
    pub fn suppress_by_exceptions(&self, findings: &mut [Finding], today: Date) {
        for finding in findings.iter_mut().filter(|f| f.suppressed.is_none()) {
            if let Some(exception) = self
                .exceptions
                .iter()
                .find(|x| !x.expired(today) && x.applies_to_ref(finding.rule_id, &finding.resource))
            {
                finding.suppressed = Some(Suppression {
                    kind: SuppressionKind::Config,
                    reason: exception.reason.clone(),
                    location: Some(Location {
                        file: self.file(),
                        span: exception.span,
                    }),
                });
            }
        }
    }

    /// One [`EXPIRED_EXCEPTION`] finding per exception that has expired on
    /// `today`, placed at the exception in the configuration file (none when
    /// that rule is disabled).
    pub fn expired_exceptions(&self, today: Date) -> Vec<Finding> {
        let file = self.file();
        let resource = ResourceRef {
            kind: "PalisadeConfig".into(),
            name: file.to_string(),
            namespace: None,
        };
        let Some(rule) =
            meta(EXPIRED_EXCEPTION).filter(|_| self.rule_enabled(EXPIRED_EXCEPTION, true))
        else {
            return Vec::new();
        };
        self.exceptions
            .iter()
            .filter(|x| x.expired(today))
            .map(|x| Finding {
                location: Location {
                    file: file.clone(),
                    span: x.span,
                },
                rule_id: EXPIRED_EXCEPTION,
                severity: self.severity(EXPIRED_EXCEPTION, rule.severity),
                message: format!(
                    "exception for `{}` expired on {} and no longer applies (reason: {})",
                    x.rule,
                    x.expires.map_or_else(String::new, |d| d.to_string()),
                    x.reason
                ),
                resource: resource.clone(),
                container: None,
                pss: None,
                suppressed: None,
            })
            .collect()
    }

    fn file(&self) -> Arc<str> {
        self.source.clone().unwrap_or_else(|| Arc::from("<config>"))
    }

    /// The well-formed entries of the object's and its pod template's
    /// annotations; malformed ones become findings in `extra`.
    fn annotation_entries(&self, resource: &Resource, extra: &mut Vec<Finding>) -> Vec<Entry> {
        let mut values = Vec::new();
        if let Some(v) = resource.meta.annotation(SUPPRESSION_ANNOTATION) {
            values.push(v);
        }
        if let Some(v) = resource
            .pod
            .as_ref()
            .and_then(|p| p.meta.annotation(SUPPRESSION_ANNOTATION))
        {
            // For a Pod the template's metadata is the object's own.
            if !values.iter().any(|seen| seen.span == v.span) {
                values.push(v);
            }
        }
        let object = resource.reference();
        let mut entries = Vec::new();
        for value in values {
            for raw in value
                .value
                .split(['\n', ';'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                let (rule, reason) = match raw.split_once(':') {
                    Some((rule, reason)) => (rule.trim(), reason.trim()),
                    None => (raw, ""),
                };
                let problem = if rule.is_empty() || rule.contains(char::is_whitespace) {
                    Some(format!(
                        "entry `{raw}` does not start with a rule id; write `RULE-ID: reason`"
                    ))
                } else if let Some(unknown) = self.unknown_rule(rule) {
                    Some(unknown)
                } else if reason.is_empty() {
                    Some(format!(
                        "entry for `{rule}` has no reason; write `{rule}: <why this is accepted>`"
                    ))
                } else {
                    None
                };
                match problem {
                    Some(problem) => {
                        let message = format!("{object}: `{SUPPRESSION_ANNOTATION}` {problem}");
                        self.push(extra, INVALID_SUPPRESSION, resource, value.span, message);
                    }
                    None => entries.push(Entry {
                        rule: rule.to_string(),
                        reason: reason.to_string(),
                        span: value.span,
                        refused: false,
                    }),
                }
            }
        }
        entries
    }

    /// Why `rule` is no known rule id or prefix, when it is not.
    fn unknown_rule(&self, rule: &str) -> Option<String> {
        let known = self.known_rule_ids.as_ref()?;
        if known.iter().any(|id| id.starts_with(rule)) {
            return None;
        }
        Some(match closest(rule, known.iter().map(String::as_str)) {
            Some(id) => format!("names unknown rule `{rule}`; did you mean `{id}`?"),
            None => format!("names unknown rule `{rule}`"),
        })
    }

    fn push(
        &self,
        out: &mut Vec<Finding>,
        id: &'static str,
        resource: &Resource,
        span: Span,
        message: String,
    ) {
        let Some(rule) = meta(id) else {
            return;
        };
        if !self.rule_enabled(id, true) {
            return;
        }
        out.push(Finding {
            location: Location {
                file: resource.file.clone(),
                span,
            },
            rule_id: id,
            severity: self.severity(id, rule.severity),
            message,
            resource: resource.reference(),
            container: None,
            pss: None,
            suppressed: None,
        });
    }
}

impl Exception {
    /// Whether the exception covers rule `id` on the object `r` (expiry
    /// aside), by the object's reference alone.
    pub fn applies_to_ref(&self, id: &str, r: &ResourceRef) -> bool {
        selects(&self.rule, id)
            && self
                .namespace
                .as_ref()
                .is_none_or(|p| p.matches(r.namespace.as_deref().unwrap_or("")))
            && self.name.as_ref().is_none_or(|p| p.matches(&r.name))
            && self.kind.as_ref().is_none_or(|p| p.matches(&r.kind))
    }

    /// Whether the exception covers rule `id` on `resource` (expiry aside).
    pub fn applies(&self, id: &str, resource: &Resource) -> bool {
        selects(&self.rule, id)
            && self
                .namespace
                .as_ref()
                .is_none_or(|p| p.matches(resource.namespace().unwrap_or("")))
            && self
                .name
                .as_ref()
                .is_none_or(|p| p.matches(resource.name()))
            && self.kind.as_ref().is_none_or(|p| p.matches(&resource.kind))
    }
}
