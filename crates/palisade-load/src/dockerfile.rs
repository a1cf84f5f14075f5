//! Dockerfiles: a hand-written parser that reads them the way BuildKit does.
//!
//! - Parser directives (`# syntax=`, `# escape=`, `# check=`) are read from
//!   the top of the file until the first line that is not one.
//! - A line ending in the escape character (after optional spaces and tabs)
//!   continues on the next line; comment lines and empty lines inside a
//!   continuation are skipped. An escaped escape (`\\`) does not continue.
//!   A continuation that runs into the end of the file ends the instruction
//!   there, as BuildKit does.
//! - `RUN`, `COPY` and `ADD` (also behind `ONBUILD`) in shell form may carry
//!   here-documents (`<<EOF`, `<<-EOF`, `<<'EOF'`, several per instruction),
//!   whose bodies follow the instruction line in order.
//! - Arguments that are a JSON array of strings are the exec form; invalid
//!   JSON falls back to the shell form; valid JSON that is not an array of
//!   strings is an error.
//!
//! Work is linear in the input, and bounded by the file size limit,
//! [`MAX_INSTRUCTIONS`] and [`MAX_HEREDOC_BYTES`].

use std::sync::Arc;

use palisade_model::{
    Dockerfile, Heredoc, InputError, Instruction, Node, ObjectMeta, Pos, Resource, Span, Spanned,
    Stage, Value,
};

use crate::{Limits, Loaded, Stats};

/// Most instructions read from one Dockerfile.
pub const MAX_INSTRUCTIONS: usize = 100_000;

/// Largest here-document body, in bytes.
pub const MAX_HEREDOC_BYTES: usize = 4 << 20;

/// Every instruction keyword, upper-case.
pub const INSTRUCTIONS: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// Instructions whose arguments may be a JSON array.
const JSON_FORM: &[&str] = &["ADD", "CMD", "COPY", "ENTRYPOINT", "RUN", "SHELL", "VOLUME"];

/// Instructions that may carry here-documents.
const HEREDOC_FORM: &[&str] = &["ADD", "COPY", "RUN"];

/// Whether a path names a Dockerfile: `Dockerfile`, `Containerfile`,
/// `*.Dockerfile`, `*.dockerfile`, `*.Containerfile`, `Dockerfile.*` and
/// `Containerfile.*` (e.g. `Dockerfile.prod`), but not `*.dockerignore`
/// nor `Dockerfile.yaml`-style data files.
pub fn is_dockerfile_name(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    if lower == "dockerfile" || lower == "containerfile" {
        return true;
    }
    if lower.ends_with(".dockerfile") || lower.ends_with(".containerfile") {
        return true;
    }
    let Some(rest) = lower
        .strip_prefix("dockerfile.")
        .or_else(|| lower.strip_prefix("containerfile."))
    else {
        return false;
    };
    let ext = rest.rsplit('.').next().unwrap_or(rest);
    !rest.is_empty() && !matches!(ext, "dockerignore" | "yaml" | "yml" | "json" | "md" | "txt")
}

/// Loads one Dockerfile as one resource of kind `Dockerfile`, named after
/// the file (its last path component).
pub(crate) fn load(file: &str, text: &str, limits: &Limits) -> Loaded {
    let mut loaded = Loaded {
        stats: Stats {
            files: 1,
            ..Stats::default()
        },
        ..Loaded::default()
    };
    let dockerfile = match parse_dockerfile(file, text, limits) {
        Ok(d) => d,
        Err(e) => {
            loaded.errors.push(e);
            return loaded;
        }
    };
    let file: Arc<str> = Arc::from(file);
    let name = file.rsplit(['/', '\\']).next().unwrap_or(&file).to_string();
    let span = dockerfile
        .stages
        .first()
        .map_or(Span::point(1, 1), |s| s.from.span);
    let first = dockerfile
        .global_args
        .first()
        .map_or(span, |a| a.span)
        .min(span);
    loaded.stats.documents = 1;
    loaded.stats.objects = 1;
    loaded.resources.push(Resource {
        file: file.clone(),
        document: 0,
        api_version: String::new(),
        kind: "Dockerfile".to_string(),
        meta: ObjectMeta {
            span: first,
            name: Some(Spanned::new(name, first)),
            ..ObjectMeta::default()
        },
        span: first,
        node: Node::new(Value::Null, first),
        pod: None,
        helm_source: None,
        dockerfile: Some(Box::new(dockerfile)),
    });
    loaded
}

/// Parses a Dockerfile.
///
/// The first problem found is returned as an error with its line, column
/// and a fix; BuildKit, too, refuses to build a file with any of them.
pub fn parse_dockerfile(file: &str, text: &str, limits: &Limits) -> Result<Dockerfile, InputError> {
    let err = |span: Option<Span>, message: String, help: &str| InputError {
        file: Arc::from(file),
        span,
        message,
        help: Some(help.to_string()),
    };
    if text.len() as u64 > limits.max_file_size {
        return Err(err(
            None,
            format!("file is larger than {} bytes", limits.max_file_size),
            "split the file, or raise the limit with --max-file-size",
        ));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    let mut parser = Parser {
        err: &err,
        lines: &lines,
        next: 0,
        escape: '\\',
        out: Dockerfile::default(),
        count: 0,
    };
    parser.directives()?;
    parser.instructions()?;
    let out = parser.out;
    if out.stages.is_empty() {
        let line = u32::try_from(lines.len()).unwrap_or(u32::MAX);
        let message = if out.global_args.is_empty() {
            "file with no instructions"
        } else {
            "no FROM instruction: the file has no build stage"
        };
        return Err(err(
            Some(Span::point(line.max(1), 1)),
            message.to_string(),
            "start the build with `FROM image:tag`",
        ));
    }
    Ok(out)
}

type ErrFn<'e> = &'e dyn Fn(Option<Span>, String, &str) -> InputError;

struct Parser<'a, 'e> {
    err: ErrFn<'e>,
    lines: &'a [&'a str],
    /// Index of the next line to read.
    next: usize,
    escape: char,
    out: Dockerfile,
    count: usize,
}

fn line_no(index: usize) -> u32 {
    u32::try_from(index + 1).unwrap_or(u32::MAX)
}

fn col(text: &str, byte: usize) -> u32 {
    let chars = text.get(..byte).map_or(0, |t| t.chars().count());
    u32::try_from(chars + 1).unwrap_or(u32::MAX)
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// Whitespace as BuildKit splits keyword and arguments (`[\t\v\f\r ]`).
fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{b}' | '\u{c}' | '\r')
}

/// Strips a line continuation: the escape character at the end, after
/// optional spaces and tabs, not itself escaped. Returns the content and
/// whether the line continues.
fn trim_continuation(line: &str, escape: char) -> (&str, bool) {
    let trimmed = line.trim_end_matches([' ', '\t']);
    let Some(body) = trimmed.strip_suffix(escape) else {
        return (line, false);
    };
    if body.ends_with(escape) {
        return (line, false);
    }
    (body, true)
}

impl Parser<'_, '_> {
    fn error(&self, span: Span, message: String, help: &str) -> InputError {
        (self.err)(Some(span), message, help)
    }

    /// Reads the parser directives at the top of the file.
    fn directives(&mut self) -> Result<(), InputError> {
        while let Some(raw) = self.lines.get(self.next) {
            let lead = raw.len() - raw.trim_start().len();
            let Some(after_hash) = raw[lead..].strip_prefix('#') else {
                break;
            };
            let body = after_hash.trim_start();
            let body_at = raw.len() - body.len();
            let Some((key, value)) = body.split_once('=') else {
                break;
            };
            let key_trim = key.trim_end();
            let valid_key = key_trim
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
                && key_trim.chars().all(|c| c.is_ascii_alphanumeric());
            let value_trim = value.trim();
            let name = key_trim.to_ascii_lowercase();
            if !valid_key
                || value_trim.is_empty()
                || !matches!(name.as_str(), "syntax" | "escape" | "check")
            {
                break;
            }
            let line = line_no(self.next);
            let value_at = raw.len() - value.trim_start().len();
            let name_span = Span::new(
                Pos {
                    line,
                    column: col(raw, body_at),
                },
                Pos {
                    line,
                    column: col(raw, body_at + key_trim.len()),
                },
            );
            let value_span = Span::new(
                Pos {
                    line,
                    column: col(raw, value_at),
                },
                Pos {
                    line,
                    column: col(raw, value_at + value_trim.len()),
                },
            );
            if self.out.directives.iter().any(|(n, _)| n.value == name) {
                return Err(self.error(
                    name_span,
                    format!("only one {name} parser directive can be used"),
                    "remove the repeated directive",
                ));
            }
            if name == "escape" {
                match value_trim {
                    "\\" => self.escape = '\\',
                    "`" => self.escape = '`',
                    other => {
                        return Err(self.error(
                            value_span,
                            format!("invalid escape token `{other}`"),
                            "write `# escape=\\` or `# escape=` followed by a backtick",
                        ))
                    }
                }
            }
            self.out.directives.push((
                Spanned::new(name, name_span),
                Spanned::new(value_trim.to_string(), value_span),
            ));
            self.next += 1;
        }
        Ok(())
    }

    fn instructions(&mut self) -> Result<(), InputError> {
        while self.next < self.lines.len() {
            let index = self.next;
            self.next += 1;
            let raw = self.lines[index];
            let first = raw.trim_start();
            if first.is_empty() || first.starts_with('#') {
                continue;
            }
            let lead = raw.len() - first.len();
            let (content, mut continued) = trim_continuation(first, self.escape);
            let mut joined = Joined::default();
            joined.push(content, line_no(index), col(raw, lead));
            let mut last = (index, raw);
            while continued && self.next < self.lines.len() {
                let raw = self.lines[self.next];
                self.next += 1;
                if is_comment(raw) || raw.trim_start().is_empty() {
                    continue;
                }
                let (content, c) = trim_continuation(raw, self.escape);
                joined.push(content, line_no(self.next - 1), 1);
                continued = c;
                last = (self.next - 1, raw);
            }
            let end = Pos {
                line: line_no(last.0),
                column: col(last.1, last.1.len()),
            };
            if joined.text.trim().is_empty() {
                return Err(self.error(
                    Span::point(line_no(index), col(raw, lead)),
                    format!(
                        "line continuation `{}` at the end of the file continues nothing",
                        self.escape
                    ),
                    "remove the trailing escape character",
                ));
            }
            self.count += 1;
            if self.count > MAX_INSTRUCTIONS {
                return Err(self.error(
                    Span::point(line_no(index), 1),
                    format!("more than {MAX_INSTRUCTIONS} instructions"),
                    "split the Dockerfile",
                ));
            }
            let instruction = self.instruction(joined, end)?;
            self.place(instruction)?;
        }
        Ok(())
    }

    /// Builds one instruction from its joined logical line.
    fn instruction(&mut self, mut j: Joined, end: Pos) -> Result<Instruction, InputError> {
        let text = std::mem::take(&mut j.text);
        let start = text.len() - text.trim_start().len();
        let kw_end = text[start..]
            .find(is_blank)
            .map_or(text.len(), |i| start + i);
        let written = &text[start..kw_end];
        let keyword = written.to_ascii_uppercase();
        let kw_span = Span::new(j.pos(&text, start), j.end(&text, kw_end));
        if !INSTRUCTIONS.contains(&keyword.as_str()) {
            return Err(self.error(
                kw_span,
                format!("unknown instruction: {written}"),
                &format!(
                    "instructions are {}; if this line belongs to the previous instruction, \
                     end that line with `{}`",
                    INSTRUCTIONS.join(", "),
                    self.escape
                ),
            ));
        }
        let (flags, args_at) = extract_flags(&text, kw_end, self.escape);
        let flags = flags
            .into_iter()
            .map(|(value, s, e)| Spanned::new(value, Span::new(j.pos(&text, s), j.end(&text, e))))
            .collect();
        let rest = &text[args_at..];
        let args_start = args_at + (rest.len() - rest.trim_start().len());
        let args_end = args_at + rest.trim_end().len();
        let args_end = args_end.max(args_start);
        let args_text = &text[args_start..args_end];
        let args_span = Span::new(j.pos(&text, args_start), j.end(&text, args_end));

        let json_at = if keyword == "HEALTHCHECK" {
            args_text.find(char::is_whitespace).map(|i| {
                args_start + i + (args_text[i..].len() - args_text[i..].trim_start().len())
            })
        } else if JSON_FORM.contains(&keyword.as_str()) {
            Some(args_start)
        } else {
            None
        };
        let mut exec_form = None;
        if let Some(at) = json_at {
            let candidate = &text[at..args_end];
            match json_string_array(candidate) {
                Json::Strings(items) => {
                    exec_form = Some(
                        items
                            .into_iter()
                            .map(|(value, s, e)| {
                                Spanned::new(
                                    value,
                                    Span::new(j.pos(&text, at + s), j.end(&text, at + e)),
                                )
                            })
                            .collect(),
                    );
                }
                Json::NotStrings => {
                    return Err(self.error(
                        args_span,
                        format!(
                            "{keyword}: when using JSON array syntax, arrays must be comprised of strings only"
                        ),
                        "quote every item, e.g. [\"nginx\", \"-g\", \"daemon off;\"]",
                    ))
                }
                Json::Invalid => {}
            }
        }
        if matches!(keyword.as_str(), "ENV" | "LABEL") {
            let at = if args_text.is_empty() {
                kw_span
            } else {
                args_span
            };
            self.check_name_values(&keyword, args_text, at)?;
        }
        let mut instruction = Instruction {
            span: Span::new(kw_span.start, end),
            keyword: Spanned::new(keyword, kw_span),
            flags,
            args: Spanned::new(args_text.to_string(), args_span),
            exec_form,
            heredocs: Vec::new(),
        };
        if self.allows_heredoc(&instruction) && text.contains("<<") {
            for (marker, s, e) in heredoc_markers(&text) {
                let span = Span::new(j.pos(&text, s), j.end(&text, e));
                let heredoc = self.heredoc_body(marker, span)?;
                instruction.span.end = self.end_of_line(self.next - 1);
                instruction.heredocs.push(heredoc);
            }
        }
        Ok(instruction)
    }

    fn end_of_line(&self, index: usize) -> Pos {
        let text = self.lines.get(index).copied().unwrap_or("");
        Pos {
            line: line_no(index),
            column: col(text, text.len()),
        }
    }

    fn allows_heredoc(&self, i: &Instruction) -> bool {
        if i.exec_form.is_some() {
            return false;
        }
        if i.keyword.value == "ONBUILD" {
            let inner = i
                .args
                .value
                .split(is_blank)
                .next()
                .unwrap_or("")
                .to_ascii_uppercase();
            return HEREDOC_FORM.contains(&inner.as_str())
                && json_string_array(i.args.value.get(inner.len()..).unwrap_or("").trim_start())
                    == Json::Invalid;
        }
        HEREDOC_FORM.contains(&i.keyword.value.as_str())
    }

    /// `ENV`/`LABEL` need `NAME=value` pairs or the legacy `NAME value`.
    fn check_name_values(&self, keyword: &str, args: &str, span: Span) -> Result<(), InputError> {
        let words = split_raw_words(args, self.escape);
        let Some(first) = words.first() else {
            return Err(self.error(
                span,
                format!("{keyword} requires at least one argument"),
                &format!("write `{keyword} NAME=value`"),
            ));
        };
        if !first.contains('=') {
            if !args.trim().contains(is_blank) {
                return Err(self.error(
                    span,
                    format!("{keyword} must have two arguments"),
                    &format!("write `{keyword} {first}=value`"),
                ));
            }
            return Ok(());
        }
        if let Some(bad) = words.iter().find(|w| !w.contains('=')) {
            return Err(self.error(
                span,
                format!("syntax error - can't find = in \"{bad}\"; must be of the form name=value"),
                "write NAME=value pairs and quote values that hold spaces",
            ));
        }
        Ok(())
    }

    /// Reads the body of one here-document from the following lines.
    fn heredoc_body(&mut self, marker: Marker, at: Span) -> Result<Heredoc, InputError> {
        let mut body = String::new();
        let first = self.next;
        loop {
            let Some(raw) = self.lines.get(self.next) else {
                // The text after the last line break is a line only when non-empty.
                return Err(self.error(
                    at,
                    format!("unterminated heredoc `{}`", marker.delimiter),
                    &format!(
                        "end the here-document with a line holding only `{}`",
                        marker.delimiter
                    ),
                ));
            };
            self.next += 1;
            let candidate = if marker.strip_tabs {
                raw.trim_start_matches('\t')
            } else {
                raw
            };
            if candidate == marker.delimiter {
                break;
            }
            if body.len() + candidate.len() + 1 > MAX_HEREDOC_BYTES {
                return Err(self.error(
                    at,
                    format!("here-document longer than {MAX_HEREDOC_BYTES} bytes"),
                    "copy large files into the image with COPY instead",
                ));
            }
            body.push_str(candidate);
            body.push('\n');
        }
        let terminator = self.next - 1;
        let span = if terminator == first {
            Span::point(line_no(terminator), 1)
        } else {
            Span::new(
                Pos {
                    line: line_no(first),
                    column: 1,
                },
                self.end_of_line(terminator - 1),
            )
        };
        Ok(Heredoc {
            delimiter: marker.delimiter,
            body: Spanned::new(body, span),
            strip_tabs: marker.strip_tabs,
            expand: marker.expand,
        })
    }

    /// Puts an instruction into the global `ARG`s or its stage.
    fn place(&mut self, instruction: Instruction) -> Result<(), InputError> {
        match instruction.keyword.value.as_str() {
            "FROM" => {
                let stage = self.stage(instruction)?;
                self.out.stages.push(stage);
            }
            keyword => match self.out.stages.last_mut() {
                Some(stage) => stage.instructions.push(instruction),
                None if keyword == "ARG" => self.out.global_args.push(instruction),
                None => return Err(self.error(
                    instruction.keyword.span,
                    format!("{keyword} before the first FROM"),
                    "only ARG may come before FROM; start the build stage with `FROM image:tag`",
                )),
            },
        }
        Ok(())
    }

    fn stage(&self, from: Instruction) -> Result<Stage, InputError> {
        let words = word_ranges(&from.args.value);
        let args = &from.args;
        // Spans of words: FROM arguments sit on one line unless continued;
        // map them through the args' start when on the first line.
        let span_of = |s: usize, e: usize| -> Span {
            let text = &args.value;
            if args.span.start.line == args.span.end.line {
                Span::new(
                    Pos {
                        line: args.span.start.line,
                        column: args.span.start.column + col(text, s) - 1,
                    },
                    Pos {
                        line: args.span.start.line,
                        column: args.span.start.column + col(text, e) - 1,
                    },
                )
            } else {
                args.span
            }
        };
        let (base, name) = match words.as_slice() {
            [b] => (*b, None),
            [b, (as_s, as_e), n] if args.value[*as_s..*as_e].eq_ignore_ascii_case("as") => {
                (*b, Some(*n))
            }
            _ => {
                return Err(self.error(
                    if args.value.is_empty() {
                        from.keyword.span
                    } else {
                        args.span
                    },
                    "FROM requires either one or three arguments".to_string(),
                    "write `FROM image:tag` or `FROM image:tag AS name`",
                ))
            }
        };
        let name = match name {
            Some((s, e)) => {
                let n = &args.value[s..e];
                let valid = n.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                    && n.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
                if !valid {
                    return Err(self.error(
                        span_of(s, e),
                        format!(
                            "invalid name for build stage: \"{n}\", name can't start with a number or contain symbols"
                        ),
                        "name stages with letters, digits, `-`, `_` and `.`, starting with a letter",
                    ));
                }
                Some(Spanned::new(n.to_ascii_lowercase(), span_of(s, e)))
            }
            None => None,
        };
        let platform = from.flags.iter().find_map(|f| {
            f.value
                .strip_prefix("--platform=")
                .map(|v| Spanned::new(v.to_string(), f.span))
        });
        Ok(Stage {
            index: self.out.stages.len(),
            base: Spanned::new(
                args.value[base.0..base.1].to_string(),
                span_of(base.0, base.1),
            ),
            name,
            platform,
            from,
            instructions: Vec::new(),
        })
    }
}

/// Byte ranges of whitespace-separated words.
fn word_ranges(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

/// The logical line of an instruction and where each piece came from.
#[derive(Default)]
struct Joined {
    text: String,
    /// (byte offset in `text`, line, column of the piece's first character).
    pieces: Vec<(usize, u32, u32)>,
    /// Memo of the last lookup: (piece, byte offset, column), so that
    /// increasing lookups are linear overall.
    cursor: Option<(usize, usize, u32)>,
}

impl Joined {
    fn push(&mut self, piece: &str, line: u32, column: u32) {
        self.pieces.push((self.text.len(), line, column));
        self.text.push_str(piece);
    }

    /// The position of the character at byte `at` of `text`.
    fn pos(&mut self, text: &str, at: usize) -> Pos {
        self.locate(text, at, false)
    }

    /// The position just past the character that ends before byte `at`.
    fn end(&mut self, text: &str, at: usize) -> Pos {
        self.locate(text, at, true)
    }

    fn locate(&mut self, text: &str, at: usize, end: bool) -> Pos {
        // The last piece starting at (or, for an end, before) `at`; empty
        // pieces share their offset with the next one.
        let piece = self
            .pieces
            .partition_point(|(s, _, _)| if end { *s < at } else { *s <= at })
            .saturating_sub(1);
        let Some(&(start, line, column)) = self.pieces.get(piece) else {
            return Pos { line: 1, column: 1 };
        };
        let (mut from, mut c) = (start, column);
        if let Some((cp, cb, cc)) = self.cursor {
            if cp == piece && cb >= start && cb <= at {
                from = cb;
                c = cc;
            }
        }
        let chars = text.get(from..at).map_or(0, |t| t.chars().count());
        let c = c.saturating_add(u32::try_from(chars).unwrap_or(u32::MAX));
        self.cursor = Some((piece, at, c));
        Pos { line, column: c }
    }
}

/// Flags (`--name=value`) at the start of `text[from..]`, as BuildKit
/// extracts them: words starting with `--`, quotes removed; `--` alone ends
/// the flags. Returns the flags with their byte ranges and where the
/// arguments start.
fn extract_flags(text: &str, from: usize, escape: char) -> (Vec<(String, usize, usize)>, usize) {
    let mut flags = Vec::new();
    let mut pos = from;
    loop {
        let rest = &text[pos..];
        let skipped = rest.len() - rest.trim_start().len();
        pos += skipped;
        let rest = &text[pos..];
        if !rest.starts_with("--") {
            return (flags, pos);
        }
        let start = pos;
        let mut word = String::new();
        let mut quote: Option<char> = None;
        let mut chars = rest.char_indices().peekable();
        let mut stop = rest.len();
        while let Some((i, c)) = chars.next() {
            match quote {
                Some(q) if c == q => quote = None,
                None if c.is_whitespace() => {
                    stop = i;
                    break;
                }
                None if c == '"' || c == '\'' => quote = Some(c),
                _ if c == escape => {
                    if let Some((_, next)) = chars.next() {
                        word.push(next);
                    }
                }
                _ => word.push(c),
            }
        }
        pos = start + stop;
        if word == "--" {
            return (flags, pos);
        }
        flags.push((word, start, pos));
    }
}

/// Words of `text` split as BuildKit's `ENV` parsing splits them: quotes
/// group and are kept, the escape character keeps the next character.
fn split_raw_words(text: &str, escape: char) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            word.push(c);
            if c == q {
                quote = None;
            } else if c == escape && q != '\'' {
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            }
            continue;
        }
        if c.is_whitespace() {
            if in_word {
                words.push(std::mem::take(&mut word));
                in_word = false;
            }
            continue;
        }
        in_word = true;
        word.push(c);
        if c == '"' || c == '\'' {
            quote = Some(c);
        } else if c == escape {
            if let Some(n) = chars.next() {
                word.push(n);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// One `<<WORD` marker of an instruction line.
#[derive(Debug, Clone, PartialEq)]
struct Marker {
    delimiter: String,
    strip_tabs: bool,
    expand: bool,
}

/// The here-document markers of a line, in order, with their byte ranges:
/// shell words of the form `[n]<<[-]WORD` (quotes around `WORD` turn
/// expansion off).
fn heredoc_markers(line: &str) -> Vec<(Marker, usize, usize)> {
    let mut out = Vec::new();
    for (start, end) in shell_word_ranges(line) {
        let word = &line[start..end];
        let after_fd = word.trim_start_matches(|c: char| c.is_ascii_digit());
        let Some(after) = after_fd.strip_prefix("<<") else {
            continue;
        };
        let (strip_tabs, rest) = match after.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, after),
        };
        if rest.is_empty() || rest.contains('<') {
            continue;
        }
        let names = palisade_model::split_words(rest, '\\');
        let [name] = names.as_slice() else { continue };
        if name.is_empty() {
            continue;
        }
        let quoted = rest.contains(['"', '\'']);
        out.push((
            Marker {
                delimiter: name.clone(),
                strip_tabs,
                expand: !quoted,
            },
            start,
            end,
        ));
    }
    out
}

/// Byte ranges of shell words (whitespace separates, quotes group, `\`
/// escapes); an unterminated quote runs to the end of the line.
fn shell_word_ranges(line: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut quote: Option<char> = None;
    let mut chars = line.char_indices();
    while let Some((i, c)) = chars.next() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            } else if c == '\\' && q == '"' {
                chars.next();
            }
            continue;
        }
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                out.push((s, i));
            }
            continue;
        }
        if start.is_none() {
            start = Some(i);
        }
        if c == '"' || c == '\'' {
            quote = Some(c);
        } else if c == '\\' {
            chars.next();
        }
    }
    if let Some(s) = start {
        out.push((s, line.len()));
    }
    out
}

/// What a JSON-form argument turned out to be.
#[derive(Debug, PartialEq)]
enum Json {
    /// A JSON array of strings: the items with their byte ranges.
    Strings(Vec<(String, usize, usize)>),
    /// Valid JSON that is not an array of strings.
    NotStrings,
    /// Not JSON: the shell form.
    Invalid,
}

/// Deepest JSON nesting accepted before the text is taken as the shell form.
const MAX_JSON_DEPTH: usize = 64;

fn json_string_array(text: &str) -> Json {
    let mut p = JsonParser {
        s: text.as_bytes(),
        text,
        i: 0,
    };
    p.ws();
    if p.peek() != Some(b'[') {
        return Json::Invalid;
    }
    let Some(value) = p.value(0) else {
        return Json::Invalid;
    };
    p.ws();
    if p.i != p.s.len() {
        return Json::Invalid;
    }
    match value {
        JsonValue::Array(Some(items)) => Json::Strings(items),
        _ => Json::NotStrings,
    }
}

enum JsonValue {
    /// A string, with its decoded value and byte range.
    Str(String, usize, usize),
    /// An array: `Some` when every item is a string.
    Array(Option<Vec<(String, usize, usize)>>),
    Other,
}

struct JsonParser<'t> {
    s: &'t [u8],
    text: &'t str,
    i: usize,
}

impl JsonParser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Option<JsonValue> {
        if depth > MAX_JSON_DEPTH {
            return None;
        }
        self.ws();
        match self.peek()? {
            b'[' => {
                self.i += 1;
                let mut items = Some(Vec::new());
                self.ws();
                if self.eat(b']') {
                    return Some(JsonValue::Array(items));
                }
                loop {
                    match self.value(depth + 1)? {
                        JsonValue::Str(s, a, b) => {
                            if let Some(v) = items.as_mut() {
                                v.push((s, a, b));
                            }
                        }
                        _ => items = None,
                    }
                    self.ws();
                    if self.eat(b']') {
                        return Some(JsonValue::Array(items));
                    }
                    if !self.eat(b',') {
                        return None;
                    }
                }
            }
            b'{' => {
                self.i += 1;
                self.ws();
                if self.eat(b'}') {
                    return Some(JsonValue::Other);
                }
                loop {
                    self.ws();
                    if self.peek() != Some(b'"') {
                        return None;
                    }
                    self.string()?;
                    self.ws();
                    if !self.eat(b':') {
                        return None;
                    }
                    self.value(depth + 1)?;
                    self.ws();
                    if self.eat(b'}') {
                        return Some(JsonValue::Other);
                    }
                    if !self.eat(b',') {
                        return None;
                    }
                }
            }
            b'"' => {
                let start = self.i;
                let s = self.string()?;
                Some(JsonValue::Str(s, start, self.i))
            }
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'n' => self.literal("null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn literal(&mut self, word: &str) -> Option<JsonValue> {
        if self.s.get(self.i..self.i + word.len())? == word.as_bytes() {
            self.i += word.len();
            Some(JsonValue::Other)
        } else {
            None
        }
    }

    fn number(&mut self) -> Option<JsonValue> {
        self.eat(b'-');
        let digits = |p: &mut Self| {
            let start = p.i;
            while matches!(p.peek(), Some(b'0'..=b'9')) {
                p.i += 1;
            }
            p.i > start
        };
        if self.eat(b'0') {
        } else if !digits(self) {
            return None;
        }
        if self.eat(b'.') && !digits(self) {
            return None;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            if !digits(self) {
                return None;
            }
        }
        Some(JsonValue::Other)
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = self.text.get(self.i..self.i + 4)?;
        let v = u32::from_str_radix(h, 16).ok()?;
        if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.i += 4;
        Some(v)
    }

    /// A string starting at the opening quote; decoded.
    fn string(&mut self) -> Option<String> {
        self.i += 1;
        let mut out = String::new();
        loop {
            let rest = self.text.get(self.i..)?;
            let c = rest.chars().next()?;
            self.i += c.len_utf8();
            match c {
                '"' => return Some(out),
                '\\' => {
                    let e = self.peek()?;
                    self.i += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi)
                                && self.text.get(self.i..self.i + 2) == Some("\\u")
                            {
                                let save = self.i;
                                self.i += 2;
                                match self.hex4() {
                                    Some(lo) if (0xDC00..0xE000).contains(&lo) => {
                                        0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                                    }
                                    _ => {
                                        self.i = save;
                                        0xFFFD
                                    }
                                }
                            } else {
                                hi
                            };
                            out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                        }
                        _ => return None,
                    }
                }
                c if (c as u32) < 0x20 => return None,
                c => out.push(c),
            }
        }
    }
}

#[cfg(test)]
mod tests;
