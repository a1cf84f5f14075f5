//! Small text helpers: redaction, entropy, base64 decoding.

/// Character-level Shannon entropy in bits per character (0.0 for an empty string).
pub fn shannon_entropy(s: &str) -> f64 {
    let mut ascii = [0u32; 128];
    let mut other: Vec<(char, u32)> = Vec::new();
    let mut total = 0u32;
    for c in s.chars() {
        total = total.saturating_add(1);
        if let Some(slot) = ascii.get_mut(c as usize) {
            *slot += 1;
        } else if let Some(entry) = other.iter_mut().find(|(k, _)| *k == c) {
            entry.1 += 1;
        } else {
            other.push((c, 1));
        }
    }
    if total == 0 {
        return 0.0;
    }
    let n = f64::from(total);
    ascii
        .iter()
        .copied()
        .chain(other.iter().map(|(_, k)| *k))
        .filter(|&k| k > 0)
        .map(|k| {
            let p = f64::from(k) / n;
            -p * p.log2()
        })
        .sum()
}

/// Redacts a secret for display.
///
/// Secrets shorter than 8 characters become `****`. Longer ones keep `k`
/// characters at each end, `k = min(4, chars / 6)`, so at most a third of the
/// secret is ever shown, with `…` in between. Counting and slicing are by
/// `char`, never splitting a UTF-8 sequence. Control characters (newlines in a
/// PEM block, say) in the shown ends are replaced by `?` so the result is
/// always one printable line.
pub fn redact(secret: &str) -> String {
    let n = secret.chars().count();
    if n < 8 {
        return "****".to_owned();
    }
    let k = (n / 6).min(4);
    let clean = |c: char| if c.is_control() { '?' } else { c };
    let head: String = secret.chars().take(k).map(clean).collect();
    let tail: String = secret.chars().skip(n - k).map(clean).collect();
    format!("{head}…{tail}")
}

/// Decodes standard or URL-safe base64, padded or not. Whitespace is not
/// allowed. Returns `None` on any invalid input.
pub(crate) fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let bytes = s.trim_end_matches('=').as_bytes();
    if bytes.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for &b in bytes {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

/// Whether decoded bytes look like text (UTF-8, almost no control bytes)
/// rather than random key material.
pub(crate) fn is_texty(bytes: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(bytes) else {
        return false;
    };
    if s.is_empty() {
        return true;
    }
    let odd = s
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        .count();
    odd * 20 <= s.chars().count()
}

/// Share of adjacent character pairs that change class (upper, lower, digit,
/// other): high for random strings, low for words and identifiers.
pub(crate) fn class_switch_ratio(t: &str) -> f64 {
    let class = |c: char| {
        if c.is_ascii_uppercase() {
            0
        } else if c.is_ascii_lowercase() {
            1
        } else if c.is_ascii_digit() {
            2
        } else {
            3
        }
    };
    let classes: Vec<u8> = t.chars().map(class).collect();
    let pairs = classes.len().saturating_sub(1);
    if pairs == 0 {
        return 0.0;
    }
    let switches = classes.windows(2).filter(|w| w.first() != w.get(1)).count();
    switches as f64 / pairs as f64
}

/// Share of characters inside word-like runs (`Word`, `word`, `WORD`, at
/// least four letters): about 0.4 for random base64 of 40 characters (0.7 is
/// beyond its 99.9th percentile), 0.7 and more for identifiers such as
/// `GetOrderByIdQueryHandlerV2Async`.
pub(crate) fn word_fraction(t: &str) -> f64 {
    let chars: Vec<char> = t.chars().collect();
    if chars.is_empty() {
        return 0.0;
    }
    let mut inside = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        let upper_run = chars[i..]
            .iter()
            .take_while(|c| c.is_ascii_uppercase())
            .count();
        let lower_run = chars[i + upper_run.min(1)..]
            .iter()
            .take_while(|c| c.is_ascii_lowercase())
            .count();
        let len = if upper_run >= 4 && lower_run == 0 {
            upper_run
        } else if lower_run >= 3 {
            upper_run.min(1) + lower_run
        } else {
            0
        };
        if len > 0 {
            inside += len;
            i = start + len;
        } else {
            i += 1;
        }
    }
    inside as f64 / chars.len() as f64
}

/// The largest char boundary `<= at`.
pub(crate) fn floor_boundary(s: &str, at: usize) -> usize {
    if at >= s.len() {
        return s.len();
    }
    let mut i = at;
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_values() {
        assert_eq!(shannon_entropy(""), 0.0);
        assert_eq!(shannon_entropy("aaaa"), 0.0);
        assert!((shannon_entropy("ab") - 1.0).abs() < 1e-9);
        assert!((shannon_entropy("abcd") - 2.0).abs() < 1e-9);
        assert!((shannon_entropy("ééàà") - 1.0).abs() < 1e-9);
    }

    #[test]
    fn redaction_lengths() {
        assert_eq!(redact(""), "****");
        assert_eq!(redact("1234567"), "****");
        assert_eq!(redact("12345678"), "1…8");
        assert_eq!(redact("123456789012"), "12…12");
        assert_eq!(redact("abcdefghijklmnopqrstuvwxyz"), "abcd…wxyz");
        assert_eq!(redact("ééééééééé"), "é…é");
        assert_eq!(redact("a\nbcdefgh\n"), "a…?");
        for n in 8..200 {
            let s: String = std::iter::repeat_n('x', n).collect();
            let shown = redact(&s).chars().filter(|&c| c == 'x').count();
            assert!(shown * 3 <= n, "{n} shows {shown}");
        }
    }

    #[test]
    fn base64_decoding() {
        assert_eq!(decode_base64("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
        assert_eq!(decode_base64("aGVsbG8").as_deref(), Some(&b"hello"[..]));
        assert_eq!(decode_base64("-_8").as_deref(), Some(&[0xfb, 0xff][..]));
        assert_eq!(decode_base64("a"), None);
        assert_eq!(decode_base64("a b="), None);
        assert!(is_texty(b"user:pass"));
        assert!(!is_texty(&[0x89, 0x00, 0x01, 0x02, 0xff]));
    }
}
