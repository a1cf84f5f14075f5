//! Dockerfiles, parsed: stages and instructions with their places.
//!
//! A Dockerfile becomes a [`crate::Resource`] of kind `Dockerfile` whose
//! `dockerfile` field holds this model, so Dockerfile rules report through the
//! same findings, outputs and configuration as every other rule.

use crate::{Span, Spanned};

/// A parsed Dockerfile.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dockerfile {
    /// Parser directives at the top (`# syntax=...`, `# escape=...`), name then value.
    pub directives: Vec<(Spanned<String>, Spanned<String>)>,
    /// `ARG` instructions before the first `FROM` (usable in `FROM` lines).
    pub global_args: Vec<Instruction>,
    /// The build stages, in order; the last one is the image that is shipped
    /// unless a build targets another stage.
    pub stages: Vec<Stage>,
}

/// One build stage: a `FROM` and the instructions up to the next `FROM`.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    /// Index of the stage, from 0.
    pub index: usize,
    /// The `FROM` instruction itself.
    pub from: Instruction,
    /// The base image as written (`nginx:1.27`, `$BASE`, or an earlier stage's name).
    pub base: Spanned<String>,
    /// `AS name`, when given.
    pub name: Option<Spanned<String>>,
    /// `--platform=...`, when given.
    pub platform: Option<Spanned<String>>,
    /// The instructions after `FROM`, in order.
    pub instructions: Vec<Instruction>,
}

/// One instruction (`RUN`, `ENV`, `USER`, ...), continuation lines joined.
#[derive(Debug, Clone, PartialEq)]
pub struct Instruction {
    /// The whole instruction, from the keyword to the end of its last line.
    pub span: Span,
    /// The keyword, upper-cased (`RUN`), with the span of the keyword as written.
    pub keyword: Spanned<String>,
    /// `--name=value` flags before the arguments (`--chown=1000`, `--mount=...`).
    pub flags: Vec<Spanned<String>>,
    /// The arguments as written after the flags, continuation lines joined
    /// with the line break and escape removed.
    pub args: Spanned<String>,
    /// The exec (JSON array) form's items, when the arguments are one.
    pub exec_form: Option<Vec<Spanned<String>>>,
    /// Here-documents attached to the instruction (`RUN <<EOF ... EOF`).
    pub heredocs: Vec<Heredoc>,
}

/// A here-document.
#[derive(Debug, Clone, PartialEq)]
pub struct Heredoc {
    /// The delimiter word (`EOF`), quotes removed.
    pub delimiter: String,
    /// The body text as the build uses it (leading tabs already removed for
    /// `<<-`), each line ending with a line break, with the span of its lines.
    pub body: Spanned<String>,
    /// `<<-EOF`: leading tabs are stripped from the body and the delimiter line.
    pub strip_tabs: bool,
    /// Whether variables in the body are expanded (the delimiter is unquoted).
    pub expand: bool,
}

impl Dockerfile {
    /// The escape character: `\` unless a `# escape=` directive chose the backtick.
    pub fn escape(&self) -> char {
        self.directives
            .iter()
            .find(|(name, _)| name.value == "escape")
            .and_then(|(_, value)| value.value.chars().next())
            .unwrap_or('\\')
    }

    /// The stage a build produces when no target is given: the last one.
    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    /// The earlier stage that `reference` (a `FROM` base or `--from=` value)
    /// names, by `AS` name (case-insensitive) or by index, looking only at
    /// stages before `before`.
    pub fn stage_named(&self, reference: &str, before: usize) -> Option<&Stage> {
        let earlier = self.stages.get(..before.min(self.stages.len()))?;
        if let Ok(index) = reference.parse::<usize>() {
            return earlier.get(index);
        }
        earlier.iter().rev().find(|s| {
            s.name
                .as_ref()
                .is_some_and(|n| n.value.eq_ignore_ascii_case(reference))
        })
    }

    /// The stages whose file system `stage` is built on, nearest first:
    /// `FROM builder` makes `builder` (and its own parents) an ancestor.
    pub fn ancestors(&self, stage: &Stage) -> Vec<&Stage> {
        let mut out: Vec<&Stage> = Vec::new();
        let mut current = stage;
        while let Some(parent) = self.stage_named(&current.base.value, current.index) {
            if out.iter().any(|s| s.index == parent.index) {
                break;
            }
            out.push(parent);
            current = parent;
        }
        out
    }
}

impl Instruction {
    /// Whether the keyword is `keyword` (upper-case).
    pub fn is(&self, keyword: &str) -> bool {
        self.keyword.value == keyword
    }

    /// The value of flag `--name=value` (`None` when absent; `Some("")` for a bare `--name`).
    pub fn flag(&self, name: &str) -> Option<&str> {
        self.flags.iter().find_map(|f| {
            let rest = f.value.strip_prefix("--")?;
            match rest.split_once('=') {
                Some((n, v)) if n == name => Some(v),
                None if rest == name => Some(""),
                _ => None,
            }
        })
    }

    /// The command as the shell would see it: the exec form's items joined
    /// with spaces, or the shell form's text, followed by every here-document body.
    pub fn command_text(&self) -> String {
        let mut text = match &self.exec_form {
            Some(items) => items
                .iter()
                .map(|i| i.value.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            None => self.args.value.clone(),
        };
        for h in &self.heredocs {
            text.push('\n');
            text.push_str(&h.body.value);
        }
        text
    }

    /// The arguments split into words as `ENV`, `ARG` and `LABEL` read them:
    /// separated by whitespace, quotes grouping and removed, `escape`
    /// escaping the next character (not inside single quotes).
    pub fn words(&self, escape: char) -> Vec<String> {
        split_words(&self.args.value, escape)
    }

    /// `NAME=value` pairs of `ENV`, `LABEL` and `ARG` (an `ARG` without a
    /// default gives `None`); the legacy `ENV NAME value` form gives one pair.
    pub fn key_values(&self, escape: char) -> Vec<(String, Option<String>)> {
        let words = self.words(escape);
        let legacy = !self.is("ARG") && words.first().is_some_and(|w| !w.contains('='));
        if legacy {
            let text = self.args.value.trim();
            let Some(split) = text.find([' ', '\t']) else {
                return vec![(text.to_string(), None)];
            };
            let (name, value) = text.split_at(split);
            let value = split_words(value, escape).join(" ");
            return vec![(name.to_string(), Some(value))];
        }
        words
            .into_iter()
            .map(|w| match w.split_once('=') {
                Some((k, v)) => (k.to_string(), Some(v.to_string())),
                None => (w, None),
            })
            .collect()
    }
}

/// Splits `text` into shell-like words: whitespace separates, single and
/// double quotes group (and are removed), `escape` takes the next character
/// literally outside single quotes. An unterminated quote runs to the end.
pub fn split_words(text: &str, escape: char) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(q) if c == escape && q != '\'' => {
                if let Some(next) = chars.next() {
                    if next != '"' && next != escape {
                        word.push(c);
                    }
                    word.push(next);
                }
            }
            Some(_) => word.push(c),
            None if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            None => {
                in_word = true;
                if c == '"' || c == '\'' {
                    quote = Some(c);
                } else if c == escape {
                    if let Some(next) = chars.next() {
                        word.push(next);
                    }
                } else {
                    word.push(c);
                }
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}
