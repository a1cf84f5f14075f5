//! YAML (and JSON, a subset of YAML) to spanned [`Node`] trees.
//!
//! Tokenising is done by `saphyr-parser`; building the tree is ours, so that
//! every node keeps its place and hostile input stays bounded: nesting depth,
//! alias expansion ("billion laughs") and duplicate keys are all checked
//! here, with an error that names the line and column.

use std::collections::HashMap;

use palisade_model::{Entry, InputError, Mapping, Node, Pos, Span, Value};
use saphyr_parser::{Event, Parser, ScalarStyle, Span as YSpan};

use crate::scalar::{resolve_plain, resolve_tagged};
use crate::Limits;

/// One YAML document: its root node and where the document starts.
#[derive(Debug, Clone)]
pub(crate) struct Document {
    pub(crate) root: Node,
}

fn pos(m: saphyr_parser::Marker) -> Pos {
    Pos {
        line: u32::try_from(m.line()).unwrap_or(u32::MAX),
        column: u32::try_from(m.col() + 1).unwrap_or(u32::MAX),
    }
}

fn span(s: YSpan) -> Span {
    Span::new(pos(s.start), pos(s.end))
}

enum Frame {
    Seq {
        items: Vec<Node>,
        span: Span,
        anchor: usize,
    },
    Map {
        entries: Vec<Entry>,
        merges: Vec<Node>,
        span: Span,
        anchor: usize,
        key: Option<(String, Span, bool)>,
    },
}

struct Builder<'a> {
    file: &'a str,
    limits: &'a Limits,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    /// Nodes created by expanding aliases, across the whole file.
    expanded: usize,
    /// Nodes created directly from the text, across the whole file.
    nodes: usize,
}

fn count_nodes(node: &Node) -> usize {
    match &node.value {
        Value::Seq(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        Value::Map(m) => {
            1 + m
                .entries
                .iter()
                .map(|e| count_nodes(&e.value))
                .sum::<usize>()
        }
        _ => 1,
    }
}

impl Builder<'_> {
    fn error(&self, at: Span, message: impl Into<String>, help: Option<&str>) -> InputError {
        InputError {
            file: self.file.into(),
            span: Some(at),
            message: message.into(),
            help: help.map(str::to_string),
        }
    }

    fn open(&mut self, frame: Frame, at: Span) -> Result<(), InputError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(self.error(
                at,
                format!("nesting deeper than {} levels", self.limits.max_depth),
                Some("Kubernetes objects nest a few dozen levels at most; raise --max-depth if this is intended"),
            ));
        }
        self.stack.push(frame);
        Ok(())
    }

    fn remember(&mut self, anchor: usize, node: &Node) {
        if anchor > 0 {
            self.anchors
                .insert(anchor, (node.clone(), count_nodes(node)));
        }
    }

    /// Adds a finished node to the collection on top of the stack, or returns
    /// it when it is a document root.
    fn push(&mut self, node: Node, plain_key: bool) -> Result<Option<Node>, InputError> {
        let file = self.file;
        match self.stack.last_mut() {
            None => Ok(Some(node)),
            Some(Frame::Seq { items, .. }) => {
                items.push(node);
                Ok(None)
            }
            Some(Frame::Map {
                entries,
                merges,
                key,
                ..
            }) => {
                match key.take() {
                    None => {
                        let text = match &node.value {
                            Value::Str(s) => s.clone(),
                            Value::Map(_) | Value::Seq(_) => {
                                return Err(InputError {
                                    file: file.into(),
                                    span: Some(node.span),
                                    message: "a mapping key must be a scalar, found a collection"
                                        .into(),
                                    help: Some(
                                        "Kubernetes objects only use text keys; quote the key"
                                            .into(),
                                    ),
                                })
                            }
                            _ => node.scalar_text().unwrap_or_else(|| "null".into()),
                        };
                        *key = Some((text, node.span, plain_key));
                    }
                    Some((k, key_span, was_plain)) => {
                        if was_plain && k == "<<" {
                            merges.push(node);
                        } else if let Some(first) = entries.iter().find(|e| e.key == k) {
                            return Err(InputError {
                                file: file.into(),
                                span: Some(key_span),
                                message: format!(
                                    "duplicate key `{k}` (first defined at line {})",
                                    first.key_span.start.line
                                ),
                                help: Some(
                                    "Kubernetes keeps only one of the values; remove the duplicate so the manifest says one thing".into(),
                                ),
                            });
                        } else {
                            entries.push(Entry {
                                key: k,
                                key_span,
                                value: node,
                            });
                        }
                    }
                }
                Ok(None)
            }
        }
    }

    fn finish_map(
        &self,
        mut entries: Vec<Entry>,
        merges: Vec<Node>,
        at: Span,
    ) -> Result<Node, InputError> {
        // Merge keys (`<<: *base`): explicit keys win, then earlier merges.
        for merge in merges {
            let sources: Vec<&Node> = match &merge.value {
                Value::Map(_) => vec![&merge],
                Value::Seq(items) => items.iter().collect(),
                _ => {
                    return Err(self.error(
                        merge.span,
                        format!(
                            "merge key `<<` needs a mapping, found {}",
                            merge.type_name()
                        ),
                        Some("use `<<: *anchor` where the anchor names a mapping"),
                    ))
                }
            };
            for source in sources {
                let Value::Map(m) = &source.value else {
                    return Err(self.error(
                        source.span,
                        format!(
                            "merge key `<<` needs mappings, found {}",
                            source.type_name()
                        ),
                        None,
                    ));
                };
                for e in &m.entries {
                    if !entries.iter().any(|x| x.key == e.key) {
                        entries.push(e.clone());
                    }
                }
            }
        }
        Ok(Node::new(Value::Map(Mapping { entries }), at))
    }
}

/// Parses every document of a YAML (or JSON) text.
pub(crate) fn parse_documents(
    file: &str,
    text: &str,
    limits: &Limits,
) -> Result<Vec<Document>, InputError> {
    let mut parser = Parser::new_from_str(text);
    let mut b = Builder {
        file,
        limits,
        stack: Vec::new(),
        anchors: HashMap::new(),
        expanded: 0,
        nodes: 0,
    };
    let mut docs = Vec::new();
    let mut root: Option<Node> = None;
    while let Some(event) = parser.next_event() {
        let (event, ys) = event.map_err(|e| InputError {
            file: file.into(),
            span: Some(Span::point(
                u32::try_from(e.marker().line()).unwrap_or(u32::MAX),
                u32::try_from(e.marker().col() + 1).unwrap_or(u32::MAX),
            )),
            message: if e.info().contains("recursion limit") {
                format!("nesting deeper than the YAML parser allows ({})", e.info())
            } else {
                format!("invalid YAML: {}", e.info())
            },
            help: Some(
                "check indentation (spaces only, no tabs), quoting and `:` after keys near this place"
                    .into(),
            ),
        })?;
        let at = span(ys);
        b.nodes += 1;
        if b.nodes > limits.max_nodes {
            return Err(b.error(
                at,
                format!("more than {} YAML nodes in one file", limits.max_nodes),
                Some("split the file, or raise the limit with --max-nodes"),
            ));
        }
        let finished: Option<(Node, bool)> = match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing => None,
            Event::DocumentStart(_) => {
                b.anchors.clear();
                root = None;
                None
            }
            Event::DocumentEnd => {
                if let Some(node) = root.take() {
                    docs.push(Document { root: node });
                }
                None
            }
            Event::Scalar(value, style, anchor, tag) => {
                let plain = style == ScalarStyle::Plain;
                let v = match &tag {
                    Some(t) if t.is_yaml_core_schema() => {
                        resolve_tagged(&value, &t.suffix).map_err(|m| b.error(at, m, None))?
                    }
                    // `!` (non-specific) and custom tags read as text.
                    Some(_) => Value::Str(value.into_owned()),
                    None if plain => resolve_plain(&value),
                    None => Value::Str(value.into_owned()),
                };
                let node = Node::new(v, at);
                b.remember(anchor, &node);
                Some((node, plain))
            }
            Event::Alias(id) => {
                let Some((node, count)) = b.anchors.get(&id) else {
                    return Err(b.error(at, "alias to an unknown anchor", None));
                };
                b.expanded = b.expanded.saturating_add(*count);
                if b.expanded > limits.max_alias_expansion {
                    return Err(b.error(
                        at,
                        format!(
                            "aliases expand to more than {} nodes (a \"billion laughs\" document?)",
                            limits.max_alias_expansion
                        ),
                        Some("Kubernetes manifests rarely need aliases; expand them by hand, or raise --max-alias-expansion"),
                    ));
                }
                let mut node = node.clone();
                node.span = at;
                Some((node, false))
            }
            Event::SequenceStart(anchor, _) => {
                b.open(
                    Frame::Seq {
                        items: Vec::new(),
                        span: at,
                        anchor,
                    },
                    at,
                )?;
                None
            }
            Event::MappingStart(anchor, _) => {
                b.open(
                    Frame::Map {
                        entries: Vec::new(),
                        merges: Vec::new(),
                        span: at,
                        anchor,
                        key: None,
                    },
                    at,
                )?;
                None
            }
            Event::SequenceEnd => match b.stack.pop() {
                Some(Frame::Seq {
                    items,
                    span: s,
                    anchor,
                }) => {
                    let node = Node::new(Value::Seq(items), s);
                    b.remember(anchor, &node);
                    Some((node, false))
                }
                _ => return Err(b.error(at, "unbalanced sequence end", None)),
            },
            Event::MappingEnd => match b.stack.pop() {
                Some(Frame::Map {
                    entries,
                    merges,
                    span: s,
                    anchor,
                    ..
                }) => {
                    let node = b.finish_map(entries, merges, s)?;
                    b.remember(anchor, &node);
                    Some((node, false))
                }
                _ => return Err(b.error(at, "unbalanced mapping end", None)),
            },
        };
        if let Some((node, plain)) = finished {
            if let Some(r) = b.push(node, plain)? {
                root = Some(r);
            }
        }
    }
    if let Some(node) = root.take() {
        docs.push(Document { root: node });
    }
    Ok(docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<Document>, InputError> {
        parse_documents("t.yaml", text, &Limits::default())
    }

    #[test]
    fn spans_point_at_values() {
        let docs = parse("a: 1\nb:\n  c: yes\n").unwrap();
        assert_eq!(docs.len(), 1);
        let c = docs[0].root.path(&["b", "c"]).unwrap();
        assert_eq!(c.as_bool(), Some(true));
        assert_eq!((c.span.start.line, c.span.start.column), (3, 6));
    }

    #[test]
    fn many_documents_and_empty_ones() {
        let docs = parse("---\na: 1\n---\n# only a comment\n---\nb: 2\n").unwrap();
        let roots: Vec<_> = docs.iter().map(|d| d.root.type_name()).collect();
        assert_eq!(roots, vec!["mapping", "null", "mapping"]);
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let e = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert!(e.message.contains("duplicate key `a`"), "{e}");
        assert_eq!(e.span.unwrap().start.line, 3);
    }

    #[test]
    fn merge_keys() {
        let docs = parse("base: &b {x: 1, z: 2}\nd:\n  <<: *b\n  z: 3\n").unwrap();
        let d = docs[0].root.get("d").unwrap();
        assert_eq!(d.get("x").and_then(Node::as_i64), Some(1));
        assert_eq!(d.get("z").and_then(Node::as_i64), Some(3));
        // `y` is a YAML 1.1 boolean, and Kubernetes turns boolean keys into "true".
        let docs = parse("y: 1\n").unwrap();
        assert!(docs[0].root.get("true").is_some());
    }

    #[test]
    fn billion_laughs_is_bounded() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let e = parse(&text).unwrap_err();
        assert!(e.message.contains("billion laughs"), "{e}");
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let text = "[".repeat(100_000);
        let e = parse(&text).unwrap_err();
        assert!(e.message.contains("nesting deeper"), "{e}");
        let mut block = String::new();
        for i in 0..200 {
            block.push_str(&" ".repeat(i));
            block.push_str("k:\n");
        }
        let e = parse(&block).unwrap_err();
        assert!(e.message.contains("nesting deeper"), "{e}");
    }

    #[test]
    fn json_is_yaml() {
        let docs = parse("{\n\t\"kind\": \"Pod\",\n\t\"n\": 1}").unwrap();
        assert_eq!(docs[0].root.get("kind").and_then(Node::as_str), Some("Pod"));
    }

    #[test]
    fn syntax_errors_have_places() {
        let e = parse("a: b: c\n").unwrap_err();
        assert!(e.message.starts_with("invalid YAML"), "{e}");
        assert_eq!(e.span.unwrap().start.line, 1);
    }

    #[test]
    fn quoted_scalars_stay_strings() {
        let docs = parse("a: \"true\"\nb: '1000'\nc: !!str 5\n").unwrap();
        let r = &docs[0].root;
        assert_eq!(r.get("a").and_then(Node::as_str), Some("true"));
        assert_eq!(r.get("b").and_then(Node::as_str), Some("1000"));
        assert_eq!(r.get("c").and_then(Node::as_str), Some("5"));
    }
}
