//! Plain-scalar resolution as Kubernetes reads YAML.
//!
//! `kubectl` and the API machinery decode YAML with a YAML 1.1 resolver
//! (go-yaml v2): `yes`/`on`/`y` are booleans, `0755` is octal, `1_000` is an
//! integer. palisade resolves the same way so that `privileged: on` is seen
//! as the `true` the cluster will see.

use palisade_model::Value;

/// Resolves an untagged plain scalar.
pub(crate) fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
            return Value::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => {
            return Value::Bool(false)
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let first = text.as_bytes()[0];
    if !(first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.') {
        return Value::Str(text.to_string());
    }
    if let Some(i) = parse_int(text) {
        return Value::Int(i);
    }
    if is_float(text) {
        if let Ok(f) = text.parse::<f64>() {
            return Value::Float(f);
        }
    }
    Value::Str(text.to_string())
}

/// Resolves a scalar carrying an explicit core-schema tag (`!!str`, `!!int`...).
pub(crate) fn resolve_tagged(text: &str, suffix: &str) -> Result<Value, String> {
    match suffix {
        "str" => Ok(Value::Str(text.to_string())),
        "null" => Ok(Value::Null),
        "bool" => match resolve_plain(text) {
            Value::Bool(b) => Ok(Value::Bool(b)),
            _ => Err(format!("`{text}` is tagged !!bool but is not a boolean")),
        },
        "int" => parse_int(text)
            .map(Value::Int)
            .ok_or_else(|| format!("`{text}` is tagged !!int but is not an integer")),
        "float" => match resolve_plain(text) {
            Value::Float(f) => Ok(Value::Float(f)),
            Value::Int(i) => Ok(Value::Float(i as f64)),
            _ => Err(format!("`{text}` is tagged !!float but is not a number")),
        },
        // Timestamps, binary and other tags are text to Kubernetes.
        _ => Ok(Value::Str(text.to_string())),
    }
}

/// Integers as go-yaml v2 reads them: optional sign, `_` separators,
/// `0x` hex, `0o`/leading-`0` octal, `0b` binary.
fn parse_int(text: &str) -> Option<i64> {
    let cleaned: String = text.chars().filter(|c| *c != '_').collect();
    let (neg, digits) = match cleaned.as_bytes().first()? {
        b'-' => (true, &cleaned[1..]),
        b'+' => (false, &cleaned[1..]),
        _ => (false, cleaned.as_str()),
    };
    if digits.is_empty() {
        return None;
    }
    let (radix, body) = if let Some(rest) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        (16, rest)
    } else if let Some(rest) = digits
        .strip_prefix("0o")
        .or_else(|| digits.strip_prefix("0O"))
    {
        (8, rest)
    } else if let Some(rest) = digits
        .strip_prefix("0b")
        .or_else(|| digits.strip_prefix("0B"))
    {
        (2, rest)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(body, radix).ok()?;
    if neg {
        if magnitude == 1u64 << 63 {
            Some(i64::MIN)
        } else {
            i64::try_from(magnitude).ok().map(|m| -m)
        }
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_float(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - int_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if int_digits == 0 && i == frac_start {
            return false;
        }
    } else if int_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        let exp_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml11_booleans() {
        for t in ["yes", "on", "On", "TRUE", "y", "true"] {
            assert_eq!(resolve_plain(t), Value::Bool(true), "{t}");
        }
        for t in ["no", "off", "N", "false"] {
            assert_eq!(resolve_plain(t), Value::Bool(false), "{t}");
        }
        assert_eq!(resolve_plain("yesterday"), Value::Str("yesterday".into()));
    }

    #[test]
    fn integers() {
        assert_eq!(resolve_plain("1000"), Value::Int(1000));
        assert_eq!(resolve_plain("-1"), Value::Int(-1));
        assert_eq!(resolve_plain("0"), Value::Int(0));
        assert_eq!(resolve_plain("0755"), Value::Int(0o755));
        assert_eq!(resolve_plain("0x1F"), Value::Int(31));
        assert_eq!(resolve_plain("0b101"), Value::Int(5));
        assert_eq!(resolve_plain("1_000"), Value::Int(1000));
        assert_eq!(resolve_plain("-9223372036854775808"), Value::Int(i64::MIN));
        assert_eq!(resolve_plain("0o17"), Value::Int(15));
        // Not integers.
        // go-yaml v2 reads a non-octal leading-zero number as a float.
        assert_eq!(resolve_plain("089"), Value::Float(89.0));
        assert_eq!(resolve_plain("1.2.3"), Value::Str("1.2.3".into()));
        assert_eq!(resolve_plain("-"), Value::Str("-".into()));
        assert!(matches!(
            resolve_plain("99999999999999999999"),
            Value::Float(_)
        ));
    }

    #[test]
    fn floats_and_nulls() {
        assert_eq!(resolve_plain("1.5"), Value::Float(1.5));
        assert_eq!(resolve_plain(".5"), Value::Float(0.5));
        assert_eq!(resolve_plain("1e3"), Value::Float(1000.0));
        assert_eq!(resolve_plain("~"), Value::Null);
        assert_eq!(resolve_plain(""), Value::Null);
        assert_eq!(resolve_plain("."), Value::Str(".".into()));
        assert_eq!(resolve_plain("1e"), Value::Str("1e".into()));
    }

    #[test]
    fn tagged() {
        assert_eq!(resolve_tagged("123", "str"), Ok(Value::Str("123".into())));
        assert_eq!(resolve_tagged("12", "int"), Ok(Value::Int(12)));
        assert!(resolve_tagged("x", "int").is_err());
        assert!(resolve_tagged("x", "bool").is_err());
    }
}
