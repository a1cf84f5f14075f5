//! YAML to a `serde_json::Value` tree, built from `saphyr-parser` events.
//!
//! Only what an OSV record needs: quoted scalars and plain scalars are
//! strings (so a version written `1.10` stays `"1.10"`, never a float),
//! plain `null`/`~`/empty is null and plain `true`/`false` a boolean.
//! Hostile input stays bounded: nesting depth, node count (aliases
//! included) and one document per file; duplicate keys are errors.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle};
use serde_json::{Map, Value};

use super::OsvError;

/// Deepest nesting accepted.
pub const MAX_DEPTH: usize = 64;
/// Most nodes in one file, alias expansions included.
pub const MAX_NODES: usize = 2_000_000;

enum Frame {
    Seq(Vec<Value>, usize),
    Map(Map<String, Value>, Option<String>, usize),
}

fn count(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(count).sum::<usize>(),
        Value::Object(o) => 1 + o.values().map(count).sum::<usize>(),
        _ => 1,
    }
}

/// Parses a YAML text holding one document into a JSON-like tree.
pub fn yaml_to_value(file: &str, text: &str) -> Result<Value, OsvError> {
    let err = |line: usize, col: usize, message: String| OsvError {
        file: file.to_string(),
        place: Some(format!("line {line} column {}", col + 1)),
        message,
    };
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Value> = HashMap::new();
    let mut nodes = 0usize;
    let mut docs = 0usize;
    let mut root: Option<Value> = None;
    for item in Parser::new_from_str(text) {
        let (event, span) = item.map_err(|e| {
            err(
                e.marker().line(),
                e.marker().col(),
                format!("not valid YAML: {}", e.info()),
            )
        })?;
        let (line, col) = (span.start.line(), span.start.col());
        nodes += 1;
        if nodes > MAX_NODES {
            return Err(err(line, col, format!("more than {MAX_NODES} YAML nodes")));
        }
        let done: Option<(Value, usize)> = match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing | Event::DocumentEnd => None,
            Event::DocumentStart(_) => {
                docs += 1;
                if docs > 1 {
                    return Err(err(
                        line,
                        col,
                        "more than one YAML document (expected one OSV record per file)".into(),
                    ));
                }
                None
            }
            Event::Scalar(v, style, anchor, _tag) => {
                let value = if style == ScalarStyle::Plain {
                    match v.as_ref() {
                        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
                        "true" | "True" | "TRUE" => Value::Bool(true),
                        "false" | "False" | "FALSE" => Value::Bool(false),
                        s => Value::String(s.to_string()),
                    }
                } else {
                    Value::String(v.into_owned())
                };
                Some((value, anchor))
            }
            Event::Alias(id) => {
                let Some(v) = anchors.get(&id) else {
                    return Err(err(line, col, "alias to an unknown anchor".into()));
                };
                nodes = nodes.saturating_add(count(v));
                if nodes > MAX_NODES {
                    return Err(err(
                        line,
                        col,
                        format!("aliases expand to more than {MAX_NODES} nodes"),
                    ));
                }
                Some((v.clone(), 0))
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(err(
                        line,
                        col,
                        format!("nesting deeper than {MAX_DEPTH} levels"),
                    ));
                }
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq(Vec::new(), anchor)
                } else {
                    Frame::Map(Map::new(), None, anchor)
                });
                None
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq(items, anchor)) => Some((Value::Array(items), anchor)),
                _ => return Err(err(line, col, "unbalanced sequence end".into())),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map(map, _, anchor)) => Some((Value::Object(map), anchor)),
                _ => return Err(err(line, col, "unbalanced mapping end".into())),
            },
        };
        let Some((value, anchor)) = done else {
            continue;
        };
        if anchor > 0 {
            anchors.insert(anchor, value.clone());
        }
        match stack.last_mut() {
            None => root = Some(value),
            Some(Frame::Seq(items, _)) => items.push(value),
            Some(Frame::Map(map, key, _)) => match key.take() {
                None => {
                    let k = match value {
                        Value::String(s) => s,
                        Value::Null => "null".to_string(),
                        Value::Bool(b) => b.to_string(),
                        _ => {
                            return Err(err(
                                line,
                                col,
                                "a mapping key must be a scalar, found a collection".into(),
                            ))
                        }
                    };
                    *key = Some(k);
                }
                Some(k) => {
                    if map.contains_key(&k) {
                        return Err(err(line, col, format!("duplicate key `{k}`")));
                    }
                    map.insert(k, value);
                }
            },
        }
    }
    Ok(root.unwrap_or(Value::Null))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_stay_text() {
        let v = yaml_to_value("a.yaml", "a: 1.10\nb: \"x\"\nc:\nd: [true, 3]\n").unwrap();
        assert_eq!(v["a"], "1.10");
        assert_eq!(v["c"], Value::Null);
        assert_eq!(v["d"][0], Value::Bool(true));
        assert_eq!(v["d"][1], "3");
    }

    #[test]
    fn bounded() {
        let deep = "[".repeat(100);
        let e = yaml_to_value("d.yaml", &deep).unwrap_err();
        assert!(e.message.contains("nesting deeper"), "{e}");
        let e = yaml_to_value("k.yaml", "a: 1\na: 2\n").unwrap_err();
        assert!(e.to_string().starts_with("k.yaml: at line 2"), "{e}");
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
        }
        let e = yaml_to_value("b.yaml", &text).unwrap_err();
        assert!(e.message.contains("aliases expand"), "{e}");
    }
}
