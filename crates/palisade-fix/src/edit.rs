//! Format-neutral changes to an object and their application to YAML text
//! as minimal edits computed from the spans of the parsed tree.
//!
//! Nothing is re-serialised: a changed scalar is replaced where it is
//! written, new keys are inserted after the last key of their mapping with
//! that mapping's indentation (block style) or before its closing brace
//! (flow style), removed entries take their lines (block) or their comma
//! (flow) with them. Every other byte of the file stays as it was.

use palisade_model::{Node, Pos, Span, Value};

/// One step of a path into an object: a mapping key or a sequence index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Seg {
    /// A mapping key.
    Key(String),
    /// A sequence index (0-based).
    Index(usize),
}

/// A path from an object's root.
pub type Path = Vec<Seg>;

/// Renders a path as `spec.containers[0].securityContext`.
pub fn path_text(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// A value the fixer writes.
#[derive(Debug, Clone, PartialEq)]
pub enum NewVal {
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A string (quoted when it would otherwise read as another type).
    Str(String),
    /// A mapping, keys in the order to write them.
    Map(Vec<(String, NewVal)>),
    /// A sequence.
    Seq(Vec<NewVal>),
}

impl NewVal {
    /// A string value.
    pub fn str(s: &str) -> NewVal {
        NewVal::Str(s.to_string())
    }
}

/// One change to one object, independent of the file format.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Set the value at `path`, creating missing mappings on the way.
    Set {
        /// Where.
        path: Path,
        /// The new value.
        value: NewVal,
    },
    /// Remove the mapping entry or sequence item at `path` (nothing when absent).
    Remove {
        /// Where.
        path: Path,
    },
    /// Append an item to the sequence at `path`, creating it when absent.
    Append {
        /// The sequence.
        path: Path,
        /// The new item.
        value: NewVal,
    },
    /// Rename the mapping entry at `path` to `to`, in place, and replace its
    /// scalar value when `value` is given (`value: x` -> `secureValue: y`).
    Rename {
        /// The entry.
        path: Path,
        /// The new key.
        to: String,
        /// The new value, or `None` to keep the value as written.
        value: Option<NewVal>,
    },
}

impl Change {
    /// The path the change touches.
    pub fn path(&self) -> &[Seg] {
        match self {
            Change::Set { path, .. }
            | Change::Remove { path }
            | Change::Append { path, .. }
            | Change::Rename { path, .. } => path,
        }
    }

    /// Every path the change touches: for a rename, the old and the new entry.
    pub fn touched(&self) -> Vec<Path> {
        match self {
            Change::Rename { path, to, .. } => {
                let mut renamed = path.clone();
                renamed.pop();
                renamed.push(Seg::Key(to.clone()));
                vec![path.clone(), renamed]
            }
            other => vec![other.path().to_vec()],
        }
    }
}

/// Line and character offsets of a text.
pub(crate) struct Source<'a> {
    pub(crate) text: &'a str,
    lines: Vec<usize>,
}

impl<'a> Source<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let mut lines = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                lines.push(i + 1);
            }
        }
        Source { text, lines }
    }

    /// Byte offset of a 1-based line and character column, clamped to the text.
    pub(crate) fn offset(&self, p: Pos) -> usize {
        let line = (p.line as usize).saturating_sub(1);
        let Some(&start) = self.lines.get(line) else {
            return self.text.len();
        };
        let end = self.lines.get(line + 1).copied().unwrap_or(self.text.len());
        let col = (p.column as usize).saturating_sub(1);
        self.text
            .get(start..end)
            .and_then(|s| s.char_indices().nth(col))
            .map_or(end, |(i, _)| start + i)
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.text.as_bytes().get(at).copied()
    }

    fn line_start(&self, at: usize) -> usize {
        self.text
            .get(..at)
            .and_then(|s| s.rfind('\n'))
            .map_or(0, |i| i + 1)
    }

    /// The offset just past the newline ending the line that holds the
    /// character before `at` (`at` itself when it starts a line).
    fn after_line(&self, at: usize) -> usize {
        let at = at.min(self.text.len());
        if at == 0 || self.byte(at - 1) == Some(b'\n') {
            return at;
        }
        match self.text.get(at..).and_then(|s| s.find('\n')) {
            Some(i) => at + i + 1,
            None => self.text.len(),
        }
    }

    /// Whether only spaces precede `at` on its line.
    fn first_on_line(&self, at: usize) -> bool {
        let start = self.line_start(at);
        self.text
            .get(start..at)
            .is_some_and(|s| s.bytes().all(|b| b == b' ' || b == b'\t'))
    }

    /// Whether a collection node is written in flow style (`{...}`, `[...]`).
    pub(crate) fn is_flow(&self, node: &Node) -> bool {
        let at = self.offset(node.span.start);
        let first = match &node.value {
            Value::Map(m) => m.entries.first().map(|e| e.key_span.start),
            Value::Seq(items) => items.first().map(|n| n.span.start),
            _ => return false,
        };
        matches!(self.byte(at), Some(b'{') | Some(b'['))
            && first.is_none_or(|f| f != node.span.start)
    }

    /// The offset past the bracket closing the flow collection opened at `open`.
    fn flow_end(&self, open: usize) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let mut depth = 0usize;
        let mut i = open;
        let mut prev = b'[';
        while i < bytes.len() {
            let b = bytes[i];
            match b {
                b'[' | b'{' => depth += 1,
                b']' | b'}' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(i + 1);
                    }
                }
                b'"' | b'\'' if matches!(prev, b'[' | b'{' | b',' | b':' | b'?') => {
                    i += 1;
                    while i < bytes.len() {
                        if b == b'"' && bytes[i] == b'\\' {
                            i += 2;
                            continue;
                        }
                        if bytes[i] == b {
                            if b == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                                i += 2;
                                continue;
                            }
                            break;
                        }
                        i += 1;
                    }
                }
                b'#' if i > 0 && matches!(bytes[i - 1], b' ' | b'\t' | b'\n') => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                    continue;
                }
                _ => {}
            }
            if !b.is_ascii_whitespace() {
                prev = b;
            }
            i += 1;
        }
        None
    }

    /// Whether a scalar is a block scalar (`|` or `>`), whose span ends at
    /// the next token rather than after its last line.
    fn is_block_scalar(&self, node: &Node) -> bool {
        let at = self.offset(node.span.start);
        if !self.first_on_line(at) || node.span.end.line <= node.span.start.line {
            return false;
        }
        let mut line = (node.span.start.line as usize).saturating_sub(1);
        while line > 0 {
            line -= 1;
            let start = self.lines[line];
            let end = self.lines.get(line + 1).copied().unwrap_or(self.text.len());
            let text = self.text.get(start..end).unwrap_or("");
            let code = match text.find(" #") {
                Some(i) => &text[..i],
                None => text,
            };
            let code = code.trim_end();
            if code.trim().is_empty() {
                continue;
            }
            let last = code.rsplit([' ', '\t']).next().unwrap_or("");
            return last.starts_with(['|', '>'])
                && last[1..]
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b'+' || b == b'-');
        }
        false
    }

    /// The offset just past the last character of a node's text.
    pub(crate) fn end_of(&self, node: &Node) -> usize {
        match &node.value {
            Value::Map(m) => {
                if self.is_flow(node) {
                    return self
                        .flow_end(self.offset(node.span.start))
                        .unwrap_or(self.text.len());
                }
                m.entries
                    .iter()
                    .map(|e| self.offset(e.key_span.end).max(self.end_of(&e.value)))
                    .max()
                    .unwrap_or_else(|| self.offset(node.span.end))
            }
            Value::Seq(items) => {
                if self.is_flow(node) {
                    return self
                        .flow_end(self.offset(node.span.start))
                        .unwrap_or(self.text.len());
                }
                items
                    .iter()
                    .map(|n| self.end_of(n))
                    .max()
                    .unwrap_or_else(|| self.offset(node.span.end))
            }
            _ => {
                if self.is_block_scalar(node) {
                    let line = (node.span.end.line as usize).saturating_sub(1);
                    self.lines.get(line).copied().unwrap_or(self.text.len())
                } else {
                    self.offset(node.span.end)
                }
            }
        }
    }
}

/// How new text is laid out, learnt from the document.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    /// Spaces per nesting level of block mappings.
    pub(crate) unit: usize,
    /// Spaces between a key and the dashes of its block sequence.
    pub(crate) seq_indent: usize,
    /// JSON text: quote every key and string.
    pub(crate) json: bool,
}

impl Style {
    /// Learns the indentation of a document from its first nested block mapping and sequence.
    pub(crate) fn learn(src: &Source<'_>, roots: &[Node]) -> Style {
        let body = src.text.trim_start_matches('\u{feff}').trim_start();
        let json = match body.strip_prefix('{') {
            Some(rest) => rest.trim_start().starts_with(['"', '}']),
            None => body.starts_with('['),
        };
        let mut style = Style {
            unit: 0,
            seq_indent: usize::MAX,
            json,
        };
        for root in roots {
            learn_node(src, root, &mut style);
        }
        if style.unit == 0 {
            style.unit = 2;
        }
        if style.seq_indent == usize::MAX {
            style.seq_indent = 2;
        }
        style
    }
}

fn learn_node(src: &Source<'_>, node: &Node, style: &mut Style) {
    if style.unit != 0 && style.seq_indent != usize::MAX {
        return;
    }
    let Value::Map(m) = &node.value else {
        if let Value::Seq(items) = &node.value {
            for item in items {
                learn_node(src, item, style);
            }
        }
        return;
    };
    if src.is_flow(node) {
        return;
    }
    for e in &m.entries {
        let key_col = e.key_span.start.column as usize;
        match &e.value.value {
            Value::Map(child) if style.unit == 0 && !src.is_flow(&e.value) => {
                if let Some(first) = child.entries.first() {
                    let c = first.key_span.start.column as usize;
                    if c > key_col && first.key_span.start.line > e.key_span.start.line {
                        style.unit = c - key_col;
                    }
                }
            }
            Value::Seq(items) if style.seq_indent == usize::MAX && !src.is_flow(&e.value) => {
                if let Some(first) = items.first() {
                    let at = src.offset(first.span.start);
                    let start = src.line_start(at);
                    if let Some(dash) = src.text.get(start..at).and_then(|s| s.find('-')) {
                        let dash_col = dash + 1;
                        if dash_col >= key_col {
                            style.seq_indent = dash_col - key_col;
                        }
                    }
                }
            }
            _ => {}
        }
        learn_node(src, &e.value, style);
    }
}

fn needs_quotes(s: &str) -> bool {
    if s.is_empty() {
        return true;
    }
    let lower = s.to_ascii_lowercase();
    let special = [
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
    ];
    special.contains(&lower.as_str())
        || s.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.' || c == '+')
        || !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
}

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn key_text(k: &str, style: Style) -> String {
    if style.json || needs_quotes(k) {
        quote(k)
    } else {
        k.to_string()
    }
}

/// A value in flow style: `{a: 1, b: [x]}`.
fn flow(v: &NewVal, style: Style) -> String {
    match v {
        NewVal::Bool(b) => b.to_string(),
        NewVal::Int(i) => i.to_string(),
        NewVal::Str(s) if style.json || needs_quotes(s) => quote(s),
        NewVal::Str(s) => s.clone(),
        NewVal::Map(entries) => {
            let inner: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}: {}", key_text(k, style), flow(v, style)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        NewVal::Seq(items) => {
            let inner: Vec<String> = items.iter().map(|v| flow(v, style)).collect();
            format!("[{}]", inner.join(", "))
        }
    }
}

/// Block-style lines for entries at `indent` spaces.
fn block_entries(entries: &[(String, NewVal)], indent: usize, style: Style) -> String {
    let mut out = String::new();
    let pad = " ".repeat(indent);
    for (k, v) in entries {
        let key = key_text(k, style);
        match v {
            NewVal::Map(m) if !m.is_empty() => {
                out.push_str(&format!("{pad}{key}:\n"));
                out.push_str(&block_entries(m, indent + style.unit, style));
            }
            NewVal::Seq(items) if !items.is_empty() => {
                out.push_str(&format!("{pad}{key}:\n"));
                let dash = " ".repeat(indent + style.seq_indent);
                for item in items {
                    out.push_str(&format!("{dash}- {}\n", flow(item, style)));
                }
            }
            _ => out.push_str(&format!("{pad}{key}: {}\n", flow(v, style))),
        }
    }
    out
}

/// One text edit: replace `start..end` by `text`.
#[derive(Debug, Clone)]
struct Edit {
    start: usize,
    end: usize,
    text: String,
    /// Nesting depth of the collection edited; deeper insertions at one
    /// place go first so they stay inside their own collection.
    depth: usize,
}

/// A collection being edited, and what happens to it.
struct Work<'n> {
    node: &'n Node,
    depth: usize,
    /// For a `null` value turned into a mapping: the key's span and whether the parent is flow.
    null_key: Option<(Span, bool)>,
    /// New mapping entries.
    inserts: Vec<(String, NewVal)>,
    /// New sequence items.
    appends: Vec<NewVal>,
    /// Removed entries (by index in the mapping or sequence).
    removed: Vec<usize>,
}

/// Applies changes to one object of a YAML text.
pub(crate) struct Editor<'a, 'n> {
    src: &'a Source<'a>,
    style: Style,
    work: Vec<Work<'n>>,
    replaces: Vec<(&'n Node, NewVal)>,
    /// Keys renamed in place: the key's span and the new key.
    renames: Vec<(Span, String)>,
}

fn merge_into(list: &mut Vec<(String, NewVal)>, key: String, value: NewVal) {
    if let Some(slot) = list.iter_mut().find(|(k, _)| *k == key) {
        match (&mut slot.1, value) {
            (NewVal::Map(a), NewVal::Map(b)) => {
                for (k, v) in b {
                    merge_into(a, k, v);
                }
            }
            (NewVal::Seq(a), NewVal::Seq(b)) => {
                for v in b {
                    if !a.contains(&v) {
                        a.push(v);
                    }
                }
            }
            (old, new) => *old = new,
        }
    } else {
        list.push((key, value));
    }
}

/// Checks that a collection's children are written inside it, in order: an
/// alias or merge key (`<<: *base`) brings children from elsewhere, and
/// editing them would edit every user of the anchor.
fn verbatim(node: &Node) -> Result<(), String> {
    let starts: Vec<Pos> = match &node.value {
        Value::Map(m) => m.entries.iter().map(|e| e.key_span.start).collect(),
        Value::Seq(items) => items.iter().map(|n| n.span.start).collect(),
        _ => return Ok(()),
    };
    let mut last = node.span.start;
    for s in starts {
        if s < last {
            return Err(
                "written through a YAML alias or merge key; edit the anchor by hand".into(),
            );
        }
        last = s;
    }
    Ok(())
}

impl<'a, 'n> Editor<'a, 'n> {
    pub(crate) fn new(src: &'a Source<'a>, style: Style) -> Self {
        Editor {
            src,
            style,
            work: Vec::new(),
            replaces: Vec::new(),
            renames: Vec::new(),
        }
    }

    fn work_for(
        &mut self,
        node: &'n Node,
        depth: usize,
        null_key: Option<(Span, bool)>,
    ) -> &mut Work<'n> {
        let i = match self.work.iter().position(|w| std::ptr::eq(w.node, node)) {
            Some(i) => i,
            None => {
                self.work.push(Work {
                    node,
                    depth,
                    null_key,
                    inserts: Vec::new(),
                    appends: Vec::new(),
                    removed: Vec::new(),
                });
                self.work.len() - 1
            }
        };
        &mut self.work[i]
    }

    /// Records one change to the object `root`.
    pub(crate) fn change(&mut self, root: &'n Node, change: &Change) -> Result<(), String> {
        match change {
            Change::Set { path, value } => self.set(root, path, value.clone(), 0),
            Change::Append { path, value } => {
                let (node, depth) = match self.resolve(root, path)? {
                    Some(found) => found,
                    None => {
                        return self.set(root, path, NewVal::Seq(vec![value.clone()]), 0);
                    }
                };
                match &node.value {
                    Value::Seq(items) => {
                        let existing: Vec<Option<String>> =
                            items.iter().map(Node::scalar_text).collect();
                        let dup = match value {
                            NewVal::Str(s) => existing.iter().any(|e| e.as_deref() == Some(s)),
                            _ => false,
                        };
                        if !dup {
                            let w = self.work_for(node, depth, None);
                            if !w.appends.contains(value) {
                                w.appends.push(value.clone());
                            }
                        }
                        Ok(())
                    }
                    Value::Null => self.set(root, path, NewVal::Seq(vec![value.clone()]), 0),
                    _ => Err(format!(
                        "`{}` is a {}, not a sequence",
                        path_text(path),
                        node.type_name()
                    )),
                }
            }
            Change::Rename { path, to, value } => {
                let Some((Seg::Key(last), parent_path)) = path.split_last() else {
                    return Err(format!("`{}` is not a mapping entry", path_text(path)));
                };
                let Some((parent, _)) = self.resolve(root, parent_path)? else {
                    return Err(format!("`{}` is missing", path_text(parent_path)));
                };
                let Value::Map(m) = &parent.value else {
                    return Err(format!("`{}` is not a mapping", path_text(parent_path)));
                };
                if m.get(to).is_some() {
                    return Err(format!("`{}` already has `{to}`", path_text(parent_path)));
                }
                let Some(entry) = m.entry(last) else {
                    return Err(format!("`{}` is missing", path_text(path)));
                };
                if !self.renames.iter().any(|(s, _)| *s == entry.key_span) {
                    self.renames.push((entry.key_span, to.clone()));
                }
                match value {
                    Some(v) => self.set(root, path, v.clone(), 0),
                    None => Ok(()),
                }
            }
            Change::Remove { path } => {
                let Some((last, parent_path)) = path.split_last() else {
                    return Err("cannot remove the whole object".into());
                };
                let Some((parent, depth)) = self.resolve(root, parent_path)? else {
                    return Ok(());
                };
                let index = match (&parent.value, last) {
                    (Value::Map(m), Seg::Key(k)) => m.entries.iter().position(|e| e.key == *k),
                    (Value::Seq(items), Seg::Index(i)) => (*i < items.len()).then_some(*i),
                    _ => None,
                };
                if let Some(i) = index {
                    let w = self.work_for(parent, depth, None);
                    if !w.removed.contains(&i) {
                        w.removed.push(i);
                    }
                }
                Ok(())
            }
        }
    }

    /// The node at `path` and its depth, `None` when some key is missing.
    fn resolve(&self, root: &'n Node, path: &[Seg]) -> Result<Option<(&'n Node, usize)>, String> {
        let mut cur = root;
        for (depth, seg) in path.iter().enumerate() {
            verbatim(cur).map_err(|e| format!("`{}` is {e}", path_text(&path[..depth])))?;
            let next = match (&cur.value, seg) {
                (Value::Map(m), Seg::Key(k)) => m.get(k),
                (Value::Seq(items), Seg::Index(i)) => items.get(*i),
                _ => None,
            };
            match next {
                Some(n) => cur = n,
                None => return Ok(None),
            }
        }
        verbatim(cur).map_err(|e| format!("`{}` is {e}", path_text(path)))?;
        Ok(Some((cur, path.len())))
    }

    fn set(
        &mut self,
        root: &'n Node,
        path: &[Seg],
        value: NewVal,
        base: usize,
    ) -> Result<(), String> {
        let mut cur = root;
        let mut parent: Option<(Span, bool)> = None;
        for (i, seg) in path.iter().enumerate() {
            verbatim(cur).map_err(|e| format!("`{}` is {e}", path_text(&path[..i])))?;
            match (&cur.value, seg) {
                (Value::Map(m), Seg::Key(k)) => match m.entry(k) {
                    Some(e) => {
                        parent = Some((e.key_span, self.src.is_flow(cur)));
                        cur = &e.value;
                    }
                    None => {
                        let (key, v) = nest(k, &path[i + 1..], value)?;
                        let w = self.work_for(cur, base + i, None);
                        merge_into(&mut w.inserts, key, v);
                        return Ok(());
                    }
                },
                (Value::Null, Seg::Key(k)) => {
                    let Some(p) = parent else {
                        return Err("cannot write into an empty document".into());
                    };
                    let (key, v) = nest(k, &path[i + 1..], value)?;
                    let w = self.work_for(cur, base + i, Some(p));
                    merge_into(&mut w.inserts, key, v);
                    return Ok(());
                }
                (Value::Seq(items), Seg::Index(j)) => {
                    cur = items
                        .get(*j)
                        .ok_or_else(|| format!("`{}` has no item {j}", path_text(&path[..i])))?;
                    parent = None;
                }
                _ => {
                    return Err(format!(
                        "`{}` is a {} where a {} was expected",
                        path_text(&path[..i]),
                        cur.type_name(),
                        if matches!(seg, Seg::Key(_)) {
                            "mapping"
                        } else {
                            "sequence"
                        }
                    ))
                }
            }
        }
        let depth = base + path.len();
        match (&cur.value, value) {
            (Value::Map(_), NewVal::Map(entries)) => {
                for (k, v) in entries {
                    self.set(cur, &[Seg::Key(k)], v, depth)?;
                }
                Ok(())
            }
            (Value::Null, NewVal::Map(entries)) => {
                let Some(p) = parent else {
                    return Err("cannot write into an empty document".into());
                };
                let w = self.work_for(cur, depth, Some(p));
                for (k, v) in entries {
                    merge_into(&mut w.inserts, k, v);
                }
                Ok(())
            }
            (Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Str(_) | Value::Null, v)
                if !matches!(v, NewVal::Map(_) | NewVal::Seq(_)) =>
            {
                if self.src.is_block_scalar(cur) {
                    return Err(format!("`{}` is a block scalar", path_text(path)));
                }
                self.replaces.push((cur, v));
                Ok(())
            }
            (_, _) => Err(format!(
                "`{}` is a {} and cannot take the new value",
                path_text(path),
                cur.type_name()
            )),
        }
    }

    /// Turns the recorded changes into text edits.
    fn edits(&self) -> Result<Vec<Edit>, String> {
        let mut edits = Vec::new();
        for (node, v) in &self.replaces {
            let start = self.src.offset(node.span.start);
            // A quoted scalar's span may reach over the blanks after it.
            let end = self
                .src
                .text
                .get(start..self.src.offset(node.span.end))
                .map_or(start, |s| start + s.trim_end().len());
            edits.push(Edit {
                start,
                end,
                text: flow(v, self.style),
                depth: usize::MAX,
            });
        }
        for (span, to) in &self.renames {
            let (mut start, mut end) = (self.src.offset(span.start), self.src.offset(span.end));
            // The key's quotes, inside or just outside its span, are kept.
            let quote_at = |i: usize| self.src.byte(i).filter(|b| *b == b'"' || *b == b'\'');
            let q = match quote_at(start) {
                Some(q) => Some(q),
                None => match start.checked_sub(1).and_then(quote_at) {
                    Some(q) if self.src.byte(end) == Some(q) => {
                        start -= 1;
                        end += 1;
                        Some(q)
                    }
                    _ => None,
                },
            };
            let text = match q {
                Some(b'\'') => format!("'{to}'"),
                Some(_) => quote(to),
                None => key_text(to, self.style),
            };
            edits.push(Edit {
                start,
                end,
                text,
                depth: usize::MAX,
            });
        }
        for w in &self.work {
            self.work_edits(w, &mut edits)?;
        }
        Ok(edits)
    }

    fn work_edits(&self, w: &Work<'n>, edits: &mut Vec<Edit>) -> Result<(), String> {
        let src = self.src;
        let node = w.node;
        let depth = w.depth;
        if let Some((key_span, parent_flow)) = w.null_key {
            let new = NewVal::Map(w.inserts.clone());
            let start = src.offset(node.span.start);
            let end = src.offset(node.span.end);
            if parent_flow || self.style.json {
                if end == start {
                    return Err("cannot fill an empty value in a flow mapping".into());
                }
                edits.push(Edit {
                    start,
                    end,
                    text: flow(&new, self.style),
                    depth,
                });
                return Ok(());
            }
            if end > start {
                let trimmed = src
                    .text
                    .get(..start)
                    .map_or(0, |s| s.trim_end_matches(' ').len());
                edits.push(Edit {
                    start: trimmed.max(src.line_start(start)),
                    end,
                    text: String::new(),
                    depth,
                });
            }
            let at = src.after_line(src.offset(key_span.end));
            let indent = (key_span.start.column as usize).saturating_sub(1) + self.style.unit;
            let mut text = block_entries(&w.inserts, indent, self.style);
            if at == src.text.len() && !src.text.ends_with('\n') {
                text.insert(0, '\n');
            }
            edits.push(Edit {
                start: at,
                end: at,
                text,
                depth,
            });
            return Ok(());
        }
        // Items of the collection: (start, end) of each entry or item.
        let items: Vec<(usize, usize)> = match &node.value {
            Value::Map(m) => m
                .entries
                .iter()
                .map(|e| (src.offset(e.key_span.start), src.end_of(&e.value)))
                .collect(),
            Value::Seq(items) => items
                .iter()
                .map(|n| (src.offset(n.span.start), src.end_of(n)))
                .collect(),
            _ => return Err(format!("cannot edit a {}", node.type_name())),
        };
        let additions: Vec<String> = match &node.value {
            Value::Map(_) => w
                .inserts
                .iter()
                .map(|(k, v)| format!("{}: {}", key_text(k, self.style), flow(v, self.style)))
                .collect(),
            _ => w.appends.iter().map(|v| flow(v, self.style)).collect(),
        };
        let kept: Vec<usize> = (0..items.len())
            .filter(|i| !w.removed.contains(i))
            .collect();
        if src.is_flow(node) {
            if kept.is_empty() && !items.is_empty() {
                let (first, last) = (items[0].0, items[items.len() - 1].1);
                edits.push(Edit {
                    start: first,
                    end: last,
                    text: additions.join(", "),
                    depth,
                });
                return Ok(());
            }
            // Removals: runs of removed items take the comma after them, or
            // before them when the run reaches the last item.
            let mut i = 0;
            while i < items.len() {
                if !w.removed.contains(&i) {
                    i += 1;
                    continue;
                }
                let run_start = i;
                while i < items.len() && w.removed.contains(&i) {
                    i += 1;
                }
                let (start, end) = if i < items.len() {
                    (items[run_start].0, items[i].0)
                } else {
                    (items[run_start - 1].1, items[i - 1].1)
                };
                edits.push(Edit {
                    start,
                    end,
                    text: String::new(),
                    depth,
                });
            }
            if !additions.is_empty() {
                // JSON written one entry per line gets its new entries the same way.
                let own_line = kept.last().and_then(|&k| {
                    let (start, end) = items[k];
                    let eol = src.text.get(end..)?.find('\n').map(|i| end + i)?;
                    let eol = if src.byte(eol.checked_sub(1)?) == Some(b'\r') {
                        eol - 1
                    } else {
                        eol
                    };
                    let rest_blank = src.text.get(end..eol)?.trim().is_empty();
                    (self.style.json && rest_blank && src.first_on_line(start)).then(|| {
                        let indent = src.text.get(src.line_start(start)..start).unwrap_or("");
                        (end, eol, indent.to_string())
                    })
                });
                if let Some((end, eol, indent)) = own_line {
                    let mut text: String = additions
                        .iter()
                        .map(|a| format!("\n{indent}{a}"))
                        .collect::<Vec<_>>()
                        .join(",");
                    if eol == end {
                        text.insert(0, ',');
                    } else {
                        edits.push(Edit {
                            start: end,
                            end,
                            text: ",".into(),
                            depth,
                        });
                    }
                    edits.push(Edit {
                        start: eol,
                        end: eol,
                        text,
                        depth,
                    });
                    return Ok(());
                }
                match kept.last() {
                    Some(&k) => edits.push(Edit {
                        start: items[k].1,
                        end: items[k].1,
                        text: format!(", {}", additions.join(", ")),
                        depth,
                    }),
                    None => {
                        let close = src.end_of(node).saturating_sub(1);
                        edits.push(Edit {
                            start: close,
                            end: close,
                            text: additions.join(", "),
                            depth,
                        });
                    }
                }
            }
            return Ok(());
        }
        // Block style.
        for &i in &w.removed {
            let (start, end) = items[i];
            if src.first_on_line(start) {
                edits.push(Edit {
                    start: src.line_start(start),
                    end: src.after_line(end),
                    text: String::new(),
                    depth,
                });
            } else if let Value::Seq(_) = node.value {
                // `- - item` or an item after something else on its line.
                let dash = src.text.get(..start).and_then(|s| s.rfind('-'));
                match dash {
                    Some(d) if src.first_on_line(d) => edits.push(Edit {
                        start: src.line_start(d),
                        end: src.after_line(end),
                        text: String::new(),
                        depth,
                    }),
                    _ => return Err("cannot remove a sequence item written inline".into()),
                }
            } else if let Some(next) = items.get(i + 1) {
                // The first key of `- key: value`: the next key moves up.
                edits.push(Edit {
                    start,
                    end: next.0,
                    text: String::new(),
                    depth,
                });
            } else {
                edits.push(Edit {
                    start,
                    end,
                    text: "{}".into(),
                    depth,
                });
            }
        }
        if additions.is_empty() {
            return Ok(());
        }
        let at = src.after_line(src.end_of(node));
        let mut text = match &node.value {
            Value::Map(m) => {
                let indent = m
                    .entries
                    .first()
                    .map_or(0, |e| (e.key_span.start.column as usize).saturating_sub(1));
                block_entries(&w.inserts, indent, self.style)
            }
            _ => {
                let first = items.first().map_or(0, |i| i.0);
                let dash = src
                    .text
                    .get(src.line_start(first)..first)
                    .and_then(|s| s.rfind('-'))
                    .unwrap_or(0);
                let pad = " ".repeat(dash);
                additions
                    .iter()
                    .map(|a| format!("{pad}- {a}\n"))
                    .collect::<String>()
            }
        };
        if at == src.text.len() && !src.text.ends_with('\n') {
            text.insert(0, '\n');
        }
        edits.push(Edit {
            start: at,
            end: at,
            text,
            depth,
        });
        Ok(())
    }
}

/// `k` followed by the keys of `rest`, holding `value`: `(k, {rest...: value})`.
fn nest(k: &str, rest: &[Seg], value: NewVal) -> Result<(String, NewVal), String> {
    let mut v = value;
    for seg in rest.iter().rev() {
        match seg {
            Seg::Key(key) => v = NewVal::Map(vec![(key.clone(), v)]),
            Seg::Index(_) => return Err("cannot create a sequence item by index".into()),
        }
    }
    Ok((k.to_string(), v))
}

/// Applies every change of every object to `text`; `None` when nothing changes.
pub(crate) fn apply(
    src: &Source<'_>,
    style: Style,
    objects: &[(&Node, &[Change])],
) -> Result<String, String> {
    let mut edits = Vec::new();
    for (root, changes) in objects {
        let mut editor = Editor::new(src, style);
        for c in changes.iter() {
            editor.change(root, c)?;
        }
        edits.extend(editor.edits()?);
    }
    splice(src.text, edits)
}

/// Like [`apply`], with the edits planned on `src` (a text with its comments
/// blanked out, character for character) and made to `original`.
pub(crate) fn apply_mapped(
    src: &Source<'_>,
    original: &str,
    style: Style,
    objects: &[(&Node, &[Change])],
) -> Result<String, String> {
    if src.text == original {
        return apply(src, style, objects);
    }
    if src.text.chars().count() != original.chars().count() {
        return Err("the text without comments does not match the file".into());
    }
    let mut edits = Vec::new();
    for (root, changes) in objects {
        let mut editor = Editor::new(src, style);
        for c in changes.iter() {
            editor.change(root, c)?;
        }
        edits.extend(editor.edits()?);
    }
    // Byte offsets in `src` to byte offsets in `original`, through character indices.
    let from: Vec<usize> = src.text.char_indices().map(|(i, _)| i).collect();
    let to: Vec<usize> = original.char_indices().map(|(i, _)| i).collect();
    let map = |at: usize| -> Result<usize, String> {
        if at >= src.text.len() {
            return Ok(original.len());
        }
        from.binary_search(&at)
            .ok()
            .and_then(|i| to.get(i).copied())
            .ok_or_else(|| "edit inside a character".to_string())
    };
    let mut mapped = Vec::with_capacity(edits.len());
    for e in edits {
        mapped.push(Edit {
            start: map(e.start)?,
            end: map(e.end)?,
            ..e
        });
    }
    splice(original, mapped)
}

fn splice(text: &str, mut edits: Vec<Edit>) -> Result<String, String> {
    // Later edits first; at one place, wider replacements before insertions,
    // and deeper insertions before shallower ones (so they come first in the text).
    edits.sort_by(|a, b| {
        b.start
            .cmp(&a.start)
            .then(b.end.cmp(&a.end))
            .then(a.depth.cmp(&b.depth))
    });
    let mut out = text.to_string();
    let mut bound = text.len();
    let mut prev: Option<(usize, usize)> = None;
    for e in &edits {
        if e.end > bound || e.start > e.end {
            return Err("overlapping edits; fix this file by hand".into());
        }
        if let Some((ps, pe)) = prev {
            // Two replacements of one range cannot both apply.
            if ps == e.start && pe == e.end && pe > ps {
                return Err("overlapping edits; fix this file by hand".into());
            }
        }
        if !out.is_char_boundary(e.start) || !out.is_char_boundary(e.end) {
            return Err("edit inside a character".into());
        }
        out.replace_range(e.start..e.end, &e.text);
        bound = e.start;
        prev = Some((e.start, e.end));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_load::{parse_yaml, Limits};

    fn key(k: &str) -> Seg {
        Seg::Key(k.into())
    }

    fn run(text: &str, changes: &[Change]) -> String {
        let roots = parse_yaml("t.yaml", text, &Limits::default()).unwrap();
        let src = Source::new(text);
        let style = Style::learn(&src, &roots);
        apply(&src, style, &[(&roots[0], changes)]).unwrap()
    }

    #[test]
    fn block_insert_keeps_everything_else() {
        let text = "a:\n  # keep\n  b: 1 # trailing\n\nc: 2\n";
        let out = run(
            text,
            &[Change::Set {
                path: vec![key("a"), key("x"), key("z")],
                value: NewVal::Bool(true),
            }],
        );
        assert_eq!(
            out,
            "a:\n  # keep\n  b: 1 # trailing\n  x:\n    z: true\n\nc: 2\n"
        );
    }

    #[test]
    fn flow_insert_and_scalar_replace() {
        let text = "a: {b: 1}\nc: [x, y]\nd: yes\n";
        let out = run(
            text,
            &[
                Change::Set {
                    path: vec![key("a"), key("z")],
                    value: NewVal::str("q"),
                },
                Change::Append {
                    path: vec![key("c")],
                    value: NewVal::str("ALL"),
                },
                Change::Set {
                    path: vec![key("d")],
                    value: NewVal::Bool(false),
                },
            ],
        );
        assert_eq!(out, "a: {b: 1, z: q}\nc: [x, y, ALL]\nd: false\n");
    }

    #[test]
    fn removals_block_and_flow() {
        let text = "a:\n  b: 1\n  c:\n  - x\n  - y\n  d: [p, q, r]\n";
        let out = run(
            text,
            &[
                Change::Remove {
                    path: vec![key("a"), key("b")],
                },
                Change::Remove {
                    path: vec![key("a"), key("c"), Seg::Index(1)],
                },
                Change::Remove {
                    path: vec![key("a"), key("d"), Seg::Index(2)],
                },
                Change::Remove {
                    path: vec![key("a"), key("d"), Seg::Index(1)],
                },
            ],
        );
        assert_eq!(out, "a:\n  c:\n  - x\n  d: [p]\n");
    }

    #[test]
    fn null_values_and_empty_flow() {
        let text = "a:\nb: ~\nc: {}\n";
        let out = run(
            text,
            &[
                Change::Set {
                    path: vec![key("a"), key("x")],
                    value: NewVal::Int(1),
                },
                Change::Set {
                    path: vec![key("b"), key("k")],
                    value: NewVal::Int(2),
                },
                Change::Append {
                    path: vec![key("c"), key("drop")],
                    value: NewVal::str("ALL"),
                },
            ],
        );
        assert_eq!(out, "a:\n  x: 1\nb:\n  k: 2\nc: {drop: [ALL]}\n");
    }

    #[test]
    fn nested_insertions_at_one_place_stay_nested() {
        let text = "spec:\n  containers:\n  - name: a\n";
        let out = run(
            text,
            &[
                Change::Set {
                    path: vec![key("spec"), key("securityContext"), key("runAsNonRoot")],
                    value: NewVal::Bool(true),
                },
                Change::Set {
                    path: vec![
                        key("spec"),
                        key("containers"),
                        Seg::Index(0),
                        key("securityContext"),
                        key("privileged"),
                    ],
                    value: NewVal::Bool(false),
                },
            ],
        );
        assert_eq!(
            out,
            "spec:\n  containers:\n  - name: a\n    securityContext:\n      privileged: false\n  securityContext:\n    runAsNonRoot: true\n"
        );
    }

    #[test]
    fn block_scalars_end_before_the_next_key() {
        let text = "a:\n  s: |\n    one\n    two\n\n  # c\nb: 1";
        let out = run(
            text,
            &[Change::Set {
                path: vec![key("a"), key("k")],
                value: NewVal::Int(1),
            }],
        );
        assert!(out.contains("    two\n\n  k: 1\n  # c\nb: 1"), "{out}");
        let text = "a:\n  s: x";
        let out = run(
            text,
            &[Change::Set {
                path: vec![key("a"), key("k")],
                value: NewVal::Int(1),
            }],
        );
        assert_eq!(out, "a:\n  s: x\n  k: 1\n");
    }

    #[test]
    fn aliases_are_refused() {
        let text = "base: &b {x: 1}\nuse:\n  <<: *b\n  y: 2\n";
        let roots = parse_yaml("t.yaml", text, &Limits::default()).unwrap();
        let src = Source::new(text);
        let style = Style::learn(&src, &roots);
        let r = apply(
            &src,
            style,
            &[(
                &roots[0],
                &[Change::Set {
                    path: vec![key("use"), key("z")],
                    value: NewVal::Int(1),
                }][..],
            )],
        );
        assert!(r.unwrap_err().contains("alias"));
    }
}
