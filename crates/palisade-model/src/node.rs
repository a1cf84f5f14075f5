//! A format-neutral value tree with a source span on every node.
//!
//! Loaders turn YAML and JSON into [`Node`]s; everything after loading reads
//! these trees (or the typed model built from them) and never the raw text.

use crate::Span;

/// One value of a document, with the place it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value itself.
    pub value: Value,
    /// Where the value starts (and, for scalars, ends) in its file.
    pub span: Span,
}

/// The value of a [`Node`], resolved like Kubernetes resolves YAML.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~` or an empty value.
    Null,
    /// A boolean (YAML 1.1 spellings such as `yes`/`on` included, as Kubernetes reads them).
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string (every quoted scalar, and plain scalars that are no other type).
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, keys in document order.
    Map(Mapping),
}

/// A mapping whose keys are strings, in document order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Mapping {
    /// The entries in the order they were written.
    pub entries: Vec<Entry>,
}

/// One `key: value` pair of a [`Mapping`].
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key as written (non-string keys are rendered to their text).
    pub key: String,
    /// Where the key is.
    pub key_span: Span,
    /// The value.
    pub value: Node,
}

impl Mapping {
    /// The value stored under `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The entry stored under `key`.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// The entries in document order.
    pub fn iter(&self) -> std::slice::Iter<'_, Entry> {
        self.entries.iter()
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the mapping has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Node {
    /// A node with a value and span.
    pub fn new(value: Value, span: Span) -> Self {
        Node { value, span }
    }

    /// The child under `key` when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map().and_then(|m| m.get(key))
    }

    /// Follows a path of mapping keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        let mut node = self;
        for key in keys {
            node = node.get(key)?;
        }
        Some(node)
    }

    /// The mapping, when this node is one.
    pub fn as_map(&self) -> Option<&Mapping> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The sequence items, when this node is a sequence.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The string, when this node is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, when this node is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The integer, when this node is one.
    pub fn as_i64(&self) -> Option<i64> {
        match self.value {
            Value::Int(i) => Some(i),
            _ => None,
        }
    }

    /// Whether the node is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// A short name of the node's type for messages ("string", "mapping", ...).
    pub fn type_name(&self) -> &'static str {
        self.value.type_name()
    }

    /// The scalar rendered as text (strings as they are, numbers and booleans
    /// in their canonical spelling); `None` for collections and null.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Null | Value::Seq(_) | Value::Map(_) => None,
        }
    }
}

impl Value {
    /// A short name of the type for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "number",
            Value::Str(_) => "string",
            Value::Seq(_) => "sequence",
            Value::Map(_) => "mapping",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(line: u32) -> Span {
        Span::point(line, 1)
    }

    #[test]
    fn path_follows_mappings() {
        let leaf = Node::new(Value::Bool(true), s(3));
        let inner = Node::new(
            Value::Map(Mapping {
                entries: vec![Entry {
                    key: "privileged".into(),
                    key_span: s(3),
                    value: leaf,
                }],
            }),
            s(3),
        );
        let root = Node::new(
            Value::Map(Mapping {
                entries: vec![Entry {
                    key: "securityContext".into(),
                    key_span: s(2),
                    value: inner,
                }],
            }),
            s(1),
        );
        assert_eq!(
            root.path(&["securityContext", "privileged"])
                .and_then(Node::as_bool),
            Some(true)
        );
        assert!(root.path(&["securityContext", "missing"]).is_none());
        assert_eq!(root.type_name(), "mapping");
    }
}
