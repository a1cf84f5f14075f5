//! Helpers shared by the Dockerfile rules (`PAL-DF-NNN`): building findings,
//! naming stages in messages, expanding `ARG` values, and splitting shell
//! command lines into simple commands.

use palisade_model::{Dockerfile, Finding, Instruction, Resource, RuleMeta, Severity, Span, Stage};

use super::common;

/// The kinds every Dockerfile rule applies to.
pub(crate) const KINDS: &[&str] = &["Dockerfile"];

/// A finding of `meta`'s rule at `span`.
pub(crate) fn finding(
    meta: &'static RuleMeta,
    severity: Severity,
    resource: &Resource,
    span: Span,
    message: String,
) -> Finding {
    common::finding_with(meta, severity, resource, span, None, message)
}

/// `stage "build" (1) of Dockerfile "api.Dockerfile"`, for messages.
pub(crate) fn stage_subject(resource: &Resource, stage: &Stage) -> String {
    match &stage.name {
        Some(name) => format!("stage \"{}\" of {}", name.value, common::object(resource)),
        None => format!("stage {} of {}", stage.index, common::object(resource)),
    }
}

/// Every instruction of the file with the stage it belongs to (`None` for
/// the `ARG`s before the first `FROM`), `FROM`s excluded.
pub(crate) fn instructions(d: &Dockerfile) -> impl Iterator<Item = (Option<&Stage>, &Instruction)> {
    d.global_args.iter().map(|i| (None, i)).chain(
        d.stages
            .iter()
            .flat_map(|s| s.instructions.iter().map(move |i| (Some(s), i))),
    )
}

/// The stages whose layers end up in the shipped image: the final stage
/// and the stages it is built `FROM`, oldest first.
pub(crate) fn shipped_stages(d: &Dockerfile) -> Vec<&Stage> {
    let Some(last) = d.final_stage() else {
        return Vec::new();
    };
    let mut out = d.ancestors(last);
    out.reverse();
    out.push(last);
    out
}

/// A stage whose `FROM` names an image to pull, with the image resolved.
pub(crate) struct BaseImage<'a> {
    /// The stage.
    pub(crate) stage: &'a Stage,
    /// The image, `ARG` references substituted, surrounding blanks removed.
    pub(crate) image: String,
}

impl BaseImage<'_> {
    /// ` (FROM ${BASE})` when the image came from `ARG` substitution, for
    /// messages; empty when it is written as is.
    pub(crate) fn note(&self) -> String {
        if self.image == self.stage.base.value {
            String::new()
        } else {
            format!(" (FROM {})", self.stage.base.value)
        }
    }
}

/// The image `stage` is based on: `None` when its `FROM` names no image to
/// pull (`scratch`, an earlier stage by name or index, nothing) or only
/// `ARG`s without a known value decide it. `args` are the file's
/// [`global_args`], which are all a `FROM` can read.
pub(crate) fn base_image<'a>(
    d: &Dockerfile,
    stage: &'a Stage,
    args: &[(String, Option<String>)],
) -> Option<BaseImage<'a>> {
    let image = expand(&stage.base.value, args)?;
    let image = image.trim();
    if image.is_empty()
        || image.eq_ignore_ascii_case("scratch")
        || d.stage_named(image, stage.index).is_some()
    {
        return None;
    }
    Some(BaseImage {
        stage,
        image: image.to_string(),
    })
}

/// Every stage's base image ([`base_image`]), in file order.
pub(crate) fn base_images(d: &Dockerfile) -> Vec<BaseImage<'_>> {
    let args = global_args(d);
    d.stages
        .iter()
        .filter_map(|stage| base_image(d, stage, &args))
        .collect()
}

/// The image the shipped image is built on: the final stage's base image,
/// or, when the final stage is built `FROM` an earlier stage, the base
/// image at the start of that chain (its `stage` says which). `None` when
/// the chain starts at `scratch` or an unresolved `ARG`.
pub(crate) fn shipped_base(d: &Dockerfile) -> Option<BaseImage<'_>> {
    let last = d.final_stage()?;
    let root = d.ancestors(last).pop().unwrap_or(last);
    base_image(d, root, &global_args(d))
}

/// `NAME=value` pairs of the `ARG` instructions before the first `FROM`.
pub(crate) fn global_args(d: &Dockerfile) -> Vec<(String, Option<String>)> {
    let escape = d.escape();
    d.global_args
        .iter()
        .flat_map(|i| i.key_values(escape))
        .collect()
}

/// Expands `$NAME`, `${NAME}`, `${NAME:-word}` and `${NAME-word}` with the
/// later of equal names winning; `None` when a referenced variable has no
/// known value or the syntax is not understood.
pub(crate) fn expand(text: &str, vars: &[(String, Option<String>)]) -> Option<String> {
    if !text.contains('$') {
        return Some(text.to_string());
    }
    let lookup = |name: &str| -> Option<String> {
        vars.iter()
            .rev()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.clone())
            .filter(|v| !v.contains('$'))
    };
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(braced) = after.strip_prefix('{') {
            let close = braced.find('}')?;
            let inner = &braced[..close];
            let (name, default) = match inner.find([':', '-']) {
                Some(i) => {
                    let op = &inner[i..];
                    let word = op.strip_prefix(":-").or_else(|| op.strip_prefix('-'))?;
                    (&inner[..i], Some(word))
                }
                None => (inner, None),
            };
            let value = lookup(name)
                .filter(|v| !v.is_empty() || default.is_none())
                .or_else(|| default.map(str::to_string))?;
            out.push_str(&value);
            rest = &braced[close + 1..];
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            if end == 0 {
                return None;
            }
            out.push_str(&lookup(&after[..end])?);
            rest = &after[end..];
        }
    }
    out.push_str(rest);
    Some(out)
}

/// `text` with every `$NAME` and `${...}` reference removed: what is left
/// is literal.
pub(crate) fn without_variables(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(braced) = after.strip_prefix('{') {
            match braced.find('}') {
                Some(close) => rest = &braced[close + 1..],
                None => return out,
            }
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            if end == 0 {
                out.push('$');
            }
            rest = &after[end..];
        }
    }
    out.push_str(rest);
    out
}

/// The simple commands of a shell command line: words (quotes removed)
/// separated by `&&`, `||`, `;`, `|`, `&`, parentheses and line breaks;
/// a backslash before a line break joins the lines. Leading `VAR=value`
/// assignments are dropped, so the first word is the program.
pub(crate) fn commands(text: &str) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = text.chars().peekable();
    let finish_word = |word: &mut String, in_word: &mut bool, current: &mut Vec<String>| {
        if *in_word {
            let w = std::mem::take(word);
            let assignment = current.is_empty()
                && w.split_once('=').is_some_and(|(n, _)| {
                    !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                });
            if !assignment {
                current.push(w);
            }
            *in_word = false;
        }
    };
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            } else if c == '\\' && q == '"' {
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            } else {
                word.push(c);
            }
            continue;
        }
        match c {
            '\'' | '"' => {
                quote = Some(c);
                in_word = true;
            }
            '\\' => match chars.next() {
                Some('\n') | None => {}
                Some(n) => {
                    word.push(n);
                    in_word = true;
                }
            },
            '&' | '|' | ';' | '\n' | '(' | ')' => {
                finish_word(&mut word, &mut in_word, &mut current);
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c if c.is_whitespace() => finish_word(&mut word, &mut in_word, &mut current),
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    finish_word(&mut word, &mut in_word, &mut current);
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The program of a simple command, past `sudo`, `env`, `exec`, `nohup`,
/// `time` and `xargs` wrappers (and their options): `sudo -E apt-get
/// install` is an `apt-get` command. Returns the index of the program word.
pub(crate) fn program(command: &[String]) -> Option<usize> {
    let mut i = 0;
    while let Some(w) = command.get(i) {
        let base = w.rsplit('/').next().unwrap_or(w);
        if matches!(base, "sudo" | "env" | "exec" | "nohup" | "time" | "xargs") {
            i += 1;
            while command
                .get(i)
                .is_some_and(|w| w.starts_with('-') || w.contains('='))
            {
                i += 1;
            }
            continue;
        }
        return Some(i);
    }
    None
}

/// The base name of word `i` of a command (`/usr/bin/apt-get` → `apt-get`).
pub(crate) fn word_base(command: &[String], i: usize) -> &str {
    command
        .get(i)
        .map_or("", |w| w.rsplit('/').next().unwrap_or(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(pairs: &[(&str, Option<&str>)]) -> Vec<(String, Option<String>)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.map(str::to_string)))
            .collect()
    }

    #[test]
    fn expands_arg_references() {
        let vars = v(&[("BASE", Some("node")), ("TAG", Some("20")), ("NONE", None)]);
        assert_eq!(expand("$BASE:$TAG", &vars).as_deref(), Some("node:20"));
        assert_eq!(
            expand("${BASE}:${TAG}-slim", &vars).as_deref(),
            Some("node:20-slim")
        );
        assert_eq!(expand("${X:-alpine}", &vars).as_deref(), Some("alpine"));
        assert_eq!(expand("${NONE-alpine}", &vars).as_deref(), Some("alpine"));
        assert_eq!(expand("$NONE", &vars), None);
        assert_eq!(expand("${BASE:+x}", &vars), None);
        assert_eq!(expand("${BASE", &vars), None);
        assert_eq!(expand("plain", &vars).as_deref(), Some("plain"));
    }

    fn parsed(text: &str) -> Dockerfile {
        let resources = crate::rules::testkit::dockerfile(text);
        resources
            .into_iter()
            .next()
            .and_then(|r| r.dockerfile)
            .map(|d| *d)
            .expect("a Dockerfile")
    }

    #[test]
    fn base_images_of_stages() {
        let d = parsed("ARG BASE=node:20\nARG NONE\nFROM golang AS build\nFROM build\nFROM Scratch\nFROM $NONE\nFROM ${BASE} AS app\n");
        let bases: Vec<(usize, String, String)> = base_images(&d)
            .iter()
            .map(|b| (b.stage.index, b.image.clone(), b.note()))
            .collect();
        assert_eq!(
            bases,
            [
                (0, "golang".to_string(), String::new()),
                (4, "node:20".to_string(), " (FROM ${BASE})".to_string()),
            ]
        );
    }

    #[test]
    fn the_shipped_base_starts_the_final_chain() {
        let d =
            parsed("FROM debian:12 AS base\nFROM golang AS build\nFROM base AS mid\nFROM mid\n");
        let base = shipped_base(&d).expect("a base");
        assert_eq!((base.stage.index, base.image.as_str()), (0, "debian:12"));
        assert!(shipped_base(&parsed("FROM golang AS b\nFROM scratch\n")).is_none());
        assert!(shipped_base(&parsed("ARG X\nFROM $X AS a\nFROM a\n")).is_none());
        let d = parsed("FROM golang AS b\nFROM alpine:3.20\n");
        let direct = shipped_base(&d).expect("a base");
        assert_eq!(direct.stage.index, 1);
    }

    #[test]
    fn removes_variables() {
        assert_eq!(without_variables("$A"), "");
        assert_eq!(without_variables("x${A}y$B_C-z"), "xy-z");
        assert_eq!(without_variables("cost: 5$"), "cost: 5$");
    }

    #[test]
    fn splits_commands() {
        let c = commands(
            "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y \"a b\" \\\n c; rm -rf /x | tee (sub)",
        );
        assert_eq!(
            c,
            vec![
                vec!["apt-get", "update"],
                vec!["apt-get", "install", "-y", "a b", "c"],
                vec!["rm", "-rf", "/x"],
                vec!["tee"],
                vec!["sub"],
            ]
        );
        let sudo: Vec<String> = ["sudo", "-E", "/usr/bin/apt-get", "install"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(program(&sudo), Some(2));
        assert_eq!(word_base(&sudo, 2), "apt-get");
    }
}
