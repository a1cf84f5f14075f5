//! Making untrusted text safe for terminals and XML.
//!
//! Messages, names and paths come from manifests, which an attacker may
//! write. A terminal must never receive their control characters (ANSI
//! escapes could rewrite the screen or the title, or hide a finding), and
//! XML must never receive characters XML 1.0 forbids.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` must not reach a terminal as it is: C0 and C1 controls,
/// DEL, line/paragraph separators, bidirectional overrides and isolates
/// ("trojan source") and zero-width characters that hide text.
fn unsafe_for_terminal(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}'
        )
}

/// Writes a visible escape for `c`: `\n`, `\r`, `\t`, `\0` or `\u{hex}`.
fn push_escape(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\0' => out.push_str("\\0"),
        _ => {
            // Writing to a String cannot fail.
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// `s` with every character unsafe for a terminal replaced by a visible
/// escape, on one line.
pub(crate) fn terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(unsafe_for_terminal) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_for_terminal(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether XML 1.0 allows `c` in a document (section 2.2, `Char`), less the
/// C1 controls and DEL it discourages.
fn xml_allowed(c: char) -> bool {
    match c {
        '\t' | '\n' | '\r' => true,
        '\u{FFFE}' | '\u{FFFF}' => false,
        c => !c.is_control(),
    }
}

/// Appends `s` to `out` as XML character data, or as an attribute value
/// when `attribute` is set (then quotes and whitespace controls are
/// written as references so attribute-value normalisation keeps them).
/// Characters XML forbids become visible escapes such as `\u{1b}`.
pub(crate) fn push_xml(out: &mut String, s: &str, attribute: bool) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\r' => out.push_str("&#13;"),
            c if xml_allowed(c) => out.push(c),
            c => push_escape(out, c),
        }
    }
}

/// Splits `text` into lines: the first at most `first` characters wide,
/// the rest at most `rest`, breaking at spaces and, for words longer than a
/// line, inside the word. Runs of spaces inside a line are kept; the spaces
/// at a break are dropped. Widths count characters.
pub(crate) fn wrap(text: &str, first: usize, rest: usize) -> Vec<String> {
    let first = first.max(1);
    let rest = rest.max(1);
    if !text.starts_with(' ') && !text.ends_with(' ') && text.chars().count() <= first {
        return vec![text.to_string()];
    }
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut len = 0usize;
    let mut gap = 0usize;
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            gap += 1;
        }
        if word.is_empty() {
            continue;
        }
        let mut word = word;
        let mut wlen = word.chars().count();
        loop {
            let w = if lines.is_empty() { first } else { rest };
            let need = if len == 0 { wlen } else { len + gap + wlen };
            if need <= w {
                if len > 0 {
                    line.extend(std::iter::repeat_n(' ', gap));
                }
                line.push_str(word);
                len = need;
                break;
            }
            if len > 0 {
                lines.push(std::mem::take(&mut line));
                len = 0;
                continue;
            }
            // The word alone is wider than a line: break it.
            let cut = word.char_indices().nth(w).map_or(word.len(), |(i, _)| i);
            lines.push(word[..cut].to_string());
            word = &word[cut..];
            wlen -= w.min(wlen);
            if word.is_empty() {
                break;
            }
        }
        gap = 0;
    }
    if len > 0 || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_controls_and_bidi() {
        assert!(matches!(terminal("plain text é"), Cow::Borrowed(_)));
        assert_eq!(
            terminal("a\u{1b}[31mred\nb\tc\0d\u{7f}\u{9b}e\u{202e}f"),
            "a\\u{1b}[31mred\\nb\\tc\\0d\\u{7f}\\u{9b}e\\u{202e}f"
        );
    }

    #[test]
    fn xml_escapes_and_drops_forbidden_characters() {
        let mut text = String::new();
        push_xml(&mut text, "a<b>&\"'\n\u{1b}\u{0}\u{FFFF}", false);
        assert_eq!(text, "a&lt;b&gt;&amp;\"'\n\\u{1b}\\0\\u{ffff}");
        let mut attr = String::new();
        push_xml(&mut attr, "\"x\"\n\t'", true);
        assert_eq!(attr, "&quot;x&quot;&#10;&#9;&apos;");
    }

    #[test]
    fn wrap_breaks_at_spaces_and_inside_long_words() {
        assert_eq!(wrap("aa bb cc", 5, 5), ["aa bb", "cc"]);
        assert_eq!(wrap("aa bb cc", 2, 8), ["aa", "bb cc"]);
        assert_eq!(wrap("abcdefgh", 3, 3), ["abc", "def", "gh"]);
        assert_eq!(wrap("", 3, 3), [""]);
        assert_eq!(wrap("x  y", 10, 10), ["x  y"]);
        assert_eq!(wrap(" x  yy", 3, 3), ["x", "yy"]);
    }
}
