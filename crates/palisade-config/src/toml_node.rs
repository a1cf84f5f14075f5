//! TOML text into the palisade [`Node`] tree, keeping the place of every value.

use std::ops::Range;
use std::sync::Arc;

use palisade_model::{Entry, InputError, Mapping, Node, Pos, Span, Value};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// Maps byte offsets of one text to 1-based lines and character columns.
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset where each line starts.
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// The position of byte `offset` (clamped to the text).
    pub(crate) fn pos(&self, offset: usize) -> Pos {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        Pos {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column + 1).unwrap_or(u32::MAX),
        }
    }

    pub(crate) fn span(&self, range: Range<usize>) -> Span {
        Span::new(self.pos(range.start), self.pos(range.end))
    }
}

/// Parses a TOML document into one mapping [`Node`]. Syntax errors come back
/// with their line and column.
pub(crate) fn parse_toml(file: &Arc<str>, text: &str) -> Result<Node, InputError> {
    let index = LineIndex::new(text);
    match DeTable::parse(text) {
        Ok(table) => {
            let span = index.span(table.span());
            Ok(table_node(&index, table.get_ref(), span))
        }
        Err(err) => {
            let message = err.message().trim().trim_end_matches('.').to_string();
            Err(InputError {
                file: file.clone(),
                span: err.span().map(|r| index.span(r)),
                message: format!("invalid TOML: {message}"),
                help: None,
            })
        }
    }
}

fn table_node(index: &LineIndex<'_>, table: &DeTable<'_>, span: Span) -> Node {
    let mut entries: Vec<Entry> = table
        .iter()
        .map(|(key, value)| Entry {
            key: key.get_ref().to_string(),
            key_span: index.span(key.span()),
            value: value_node(index, value),
        })
        .collect();
    // The table keeps keys sorted; documents read better in written order.
    entries.sort_by_key(|e| e.key_span.start);
    Node::new(Value::Map(Mapping { entries }), span)
}

fn value_node(index: &LineIndex<'_>, value: &Spanned<DeValue<'_>>) -> Node {
    let span = index.span(value.span());
    let v = match value.get_ref() {
        DeValue::String(s) => Value::Str(s.to_string()),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Value::Int(n),
            Err(_) => Value::Str(i.to_string()),
        },
        DeValue::Float(f) => match f.as_str().parse::<f64>() {
            Ok(n) => Value::Float(n),
            Err(_) => Value::Str(f.to_string()),
        },
        DeValue::Boolean(b) => Value::Bool(*b),
        // Dates are written bare in TOML; the validator reads their text.
        DeValue::Datetime(d) => Value::Str(d.to_string()),
        DeValue::Array(items) => Value::Seq(items.iter().map(|v| value_node(index, v)).collect()),
        DeValue::Table(t) => return table_node(index, t, span),
    };
    Node::new(v, span)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_counts_characters() {
        let idx = LineIndex::new("ab\nçd = 1\n");
        assert_eq!(idx.pos(0), Pos { line: 1, column: 1 });
        assert_eq!(idx.pos(3), Pos { line: 2, column: 1 });
        // `d` follows a two-byte character: byte 5, column 2.
        assert_eq!(idx.pos(5), Pos { line: 2, column: 2 });
        assert_eq!(idx.pos(999).line, 3);
    }

    #[test]
    fn converts_values_with_spans_in_written_order() {
        let file: Arc<str> = Arc::from("p.toml");
        let text = "zeta = 1\nalpha = [\"a\", true]\n\n[t]\nd = 2027-03-31\nf = 0.5\n";
        let root = parse_toml(&file, text).unwrap();
        let map = root.as_map().unwrap();
        let keys: Vec<&str> = map.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["zeta", "alpha", "t"]);
        assert_eq!(root.get("zeta").unwrap().as_i64(), Some(1));
        let alpha = root.get("alpha").unwrap().as_seq().unwrap();
        assert_eq!(alpha[0].as_str(), Some("a"));
        assert_eq!(
            alpha[0].span.start,
            Pos {
                line: 2,
                column: 10
            }
        );
        assert_eq!(alpha[1].as_bool(), Some(true));
        let d = root.path(&["t", "d"]).unwrap();
        assert_eq!(d.as_str(), Some("2027-03-31"));
        assert_eq!(d.span.start, Pos { line: 5, column: 5 });
        assert_eq!(map.entry("t").unwrap().key_span.start.line, 4);
    }

    #[test]
    fn syntax_errors_have_a_place() {
        let file: Arc<str> = Arc::from("p.toml");
        let err = parse_toml(&file, "a = 1\nb = [1, \n").unwrap_err();
        assert!(err.message.starts_with("invalid TOML"), "{}", err.message);
        assert!(err.span.is_some());
        let err = parse_toml(&file, "a = 1\na = 2\n").unwrap_err();
        assert_eq!(err.span.map(|s| s.line()), Some(2), "{err}");
    }
}
