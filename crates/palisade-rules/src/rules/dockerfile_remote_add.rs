//! `PAL-DF-004`: `ADD` downloads a remote file without a checksum.
//!
//! Reports each `http://` or `https://` source of an `ADD` that has no
//! `--checksum=` flag. Git sources (`https://host/repo.git#ref`,
//! `git@host:repo`) are left out: a commit in the reference pins them, and
//! `--checksum` does not apply to them. Credentials in the URL are
//! removed from the message.

use palisade_model::{Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity};

use super::dockerfile_common as df;
use crate::{Context, Rule};

/// The rule.
pub struct DockerfileRemoteAdd;

static META: RuleMeta = RuleMeta {
    id: "PAL-DF-004",
    title: "ADD downloads a remote URL without checksum verification",
    severity: Severity::Medium,
    kinds: df::KINDS,
    practice: "Verify every file downloaded into an image against a known checksum",
    rationale: "ADD with a URL puts whatever the server returns at build time into the image, \
        unverified: a compromised or hijacked download host, a moved release or a \
        man-in-the-middle on plain http changes the image without any change to the \
        Dockerfile, and two builds of the same commit can differ. The file also lands with \
        mode 600 and a root owner, and a compressed archive is not unpacked, which is rarely \
        what was meant.",
    remediation: "Pin the download with `ADD --checksum=sha256:<digest> <url> <dest>`, or fetch \
        it with curl in a RUN step that verifies it with sha256sum -c before use.",
    example: "# syntax=docker/dockerfile:1\nFROM alpine:3.20\nADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d \\\n    https://releases.example/tool-1.2.3.tar.gz /tmp/tool.tar.gz\n",
    references: &[
        "https://docs.docker.com/reference/dockerfile/#add---checksum",
        "https://docs.docker.com/build/building/best-practices/#add-or-copy",
        "CIS Docker Benchmark v1.6.0, 4.9: Ensure that COPY is used instead of ADD in Dockerfiles",
        "CWE-494: Download of Code Without Integrity Check",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Message for a remote `ADD` without a checksum.
pub fn message(subject: &str, url: &str) -> String {
    format!("{subject} downloads \"{url}\" with ADD and does not verify a checksum")
}

/// Whether a source is a plain http(s) download (not a git repository).
pub fn is_remote_download(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    let http = lower.starts_with("http://") || lower.starts_with("https://");
    let path = lower.split(['?', '#']).next().unwrap_or(&lower);
    http && !path.ends_with(".git") && !lower.contains(".git#")
}

/// `url` without `user:password@`.
fn without_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let host_end = rest.find('/').unwrap_or(rest.len());
    match rest[..host_end].rfind('@') {
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

impl Rule for DockerfileRemoteAdd {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(d) = &resource.dockerfile else {
            return;
        };
        let escape = d.escape();
        for stage in &d.stages {
            for i in stage.instructions.iter().filter(|i| i.is("ADD")) {
                if i.flag("checksum").is_some_and(|c| !c.is_empty()) {
                    continue;
                }
                let mut sources: Vec<String> = match &i.exec_form {
                    Some(items) => items.iter().map(|s| s.value.clone()).collect(),
                    None => i.words(escape),
                };
                sources.pop(); // the destination
                for url in sources.iter().filter(|s| is_remote_download(s)) {
                    out.push(df::finding(
                        &META,
                        META.severity,
                        resource,
                        i.span,
                        message(&df::stage_subject(resource, stage), &without_userinfo(url)),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_sources() {
        assert!(is_remote_download("https://x.example/a.tgz"));
        assert!(is_remote_download("HTTP://x.example/a"));
        assert!(!is_remote_download("https://github.com/a/b.git#v1.0"));
        assert!(!is_remote_download("https://github.com/a/b.git"));
        assert!(!is_remote_download("git@github.com:a/b.git"));
        assert!(!is_remote_download("./local.tgz"));
        assert_eq!(
            without_userinfo("https://u:p@h.example/x@y"),
            "https://h.example/x@y"
        );
    }
}
