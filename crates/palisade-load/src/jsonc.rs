//! Comments in JSON, as Azure Resource Manager accepts them.
//!
//! ARM templates may hold `// line` and `/* block */` comments outside
//! strings. [`strip_comments`] replaces every character of a comment with a
//! space (newlines are kept), so every other character stays at its line and
//! column and the spans of the parsed tree point at the original text.

use palisade_model::{Pos, Span};

/// Where a block comment that never ends starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unterminated {
    /// The `/*` that opens it.
    pub(crate) span: Span,
}

/// `text` with its comments blanked out, or where an unterminated `/*` starts.
///
/// String-aware: `//` or `/*` inside a `"..."` string (escapes included) is
/// text, not a comment. A text without comments is returned unchanged.
pub(crate) fn strip_comments(text: &str) -> Result<String, Unterminated> {
    if !text.contains("//") && !text.contains("/*") {
        return Ok(text.to_string());
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let (mut line, mut column) = (1u32, 1u32);
    let mut in_string = false;
    let mut escaped = false;
    while let Some(c) = chars.next() {
        let at = Pos { line, column };
        advance(c, &mut line, &mut column);
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"', _) => {
                in_string = true;
                out.push(c);
            }
            ('/', Some('/')) => {
                out.push(' ');
                // Up to, not including, the end of the line.
                while let Some(&n) = chars.peek() {
                    if n == '\n' || n == '\r' {
                        break;
                    }
                    chars.next();
                    advance(n, &mut line, &mut column);
                    out.push(' ');
                }
            }
            ('/', Some('*')) => {
                chars.next();
                advance('*', &mut line, &mut column);
                out.push_str("  ");
                let mut closed = false;
                while let Some(n) = chars.next() {
                    advance(n, &mut line, &mut column);
                    if n == '*' && chars.peek() == Some(&'/') {
                        chars.next();
                        advance('/', &mut line, &mut column);
                        out.push_str("  ");
                        closed = true;
                        break;
                    }
                    out.push(if n == '\n' || n == '\r' { n } else { ' ' });
                }
                if !closed {
                    return Err(Unterminated {
                        span: Span::new(at, Pos { line, column }),
                    });
                }
            }
            _ => out.push(c),
        }
    }
    Ok(out)
}

fn advance(c: char, line: &mut u32, column: &mut u32) {
    if c == '\n' {
        *line = line.saturating_add(1);
        *column = 1;
    } else {
        *column = column.saturating_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_become_spaces_and_positions_stay() {
        let text = "{ // note\n  \"a\": 1, /* x\ny */ \"b\": \"//not /* a comment\\\" //\"\n}";
        let out = strip_comments(text).unwrap();
        assert_eq!(out.chars().count(), text.chars().count());
        assert_eq!(
            out,
            "{        \n  \"a\": 1,     \n     \"b\": \"//not /* a comment\\\" //\"\n}"
        );
    }

    #[test]
    fn multibyte_characters_keep_columns() {
        let text = "{\"é\": 1 /* ünï */, \"b\": 2}";
        let out = strip_comments(text).unwrap();
        assert_eq!(out.chars().count(), text.chars().count());
        assert!(out.contains("\"b\": 2"));
    }

    #[test]
    fn unterminated_block_comment_is_reported_where_it_opens() {
        let err = strip_comments("{\n  \"a\": 1 /* open\n").unwrap_err();
        assert_eq!(
            err.span.start,
            Pos {
                line: 2,
                column: 10
            }
        );
        // A `/*` inside a string is text.
        assert!(strip_comments("{\"a\": \"/* no\"}").is_ok());
        // `/*/` does not close itself.
        assert!(strip_comments("{} /*/").is_err());
    }

    #[test]
    fn a_lone_slash_and_trailing_line_comment() {
        assert_eq!(strip_comments("1 / 2 //x").unwrap(), "1 / 2    ");
        assert_eq!(strip_comments("//").unwrap(), "  ");
    }
}
