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
    /// The delimiter word (`EOF`).
    pub delimiter: String,
    /// The body text, with its span.
    pub body: Spanned<String>,
}
