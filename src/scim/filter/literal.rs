//! Scanning of comparison literals: JSON strings, JSON numbers, `true`, `false` and `null`.

use super::ast::CompValue;
use super::error::FilterError;

/// What the parser expects where a comparison value belongs.
const EXPECTED_VALUE: &str = "expected a value (a quoted string, a number, true, false or null)";

/// Scans the literal starting at `chars[*pos]` and leaves `*pos` just after it.
pub(super) fn scan_literal(chars: &[char], pos: &mut usize) -> Result<CompValue, FilterError> {
    match chars.get(*pos) {
        Some('"') => scan_string(chars, pos).map(CompValue::String),
        Some(c) if *c == '-' || c.is_ascii_digit() => scan_number(chars, pos),
        Some(c) if c.is_ascii_alphabetic() => {
            let start = *pos;
            let end = word_end(chars, start);
            let word: String = chars[start..end].iter().collect();
            let value = match word.to_ascii_lowercase().as_str() {
                "true" => CompValue::Bool(true),
                "false" => CompValue::Bool(false),
                "null" => CompValue::Null,
                _ => {
                    // Unquoted text is the commonest client mistake, so the message says so.
                    let message = format!("{EXPECTED_VALUE}, found unquoted '{word}'");
                    return Err(FilterError::new(start, message));
                }
            };
            *pos = end;
            Ok(value)
        }
        Some(c) => Err(FilterError::new(
            *pos,
            format!("{EXPECTED_VALUE}, found '{c}'"),
        )),
        None => Err(FilterError::new(
            *pos,
            format!("{EXPECTED_VALUE}, found the end"),
        )),
    }
}

/// The end of a run of characters that may continue a word, so `5abc` is not read as `5`.
fn word_end(chars: &[char], start: usize) -> usize {
    let mut end = start;
    while chars
        .get(end)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
    {
        end += 1;
    }
    end
}

/// Scans a JSON string with its escapes; `chars[*pos]` is the opening quote.
fn scan_string(chars: &[char], pos: &mut usize) -> Result<String, FilterError> {
    let open = *pos;
    let mut out = String::new();
    let mut i = open + 1;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err(FilterError::new(open, "unterminated string"));
        };
        match c {
            '"' => {
                *pos = i + 1;
                return Ok(out);
            }
            '\\' => {
                i += 1;
                let escaped = match chars.get(i) {
                    Some('"') => '"',
                    Some('\\') => '\\',
                    Some('/') => '/',
                    Some('b') => '\u{8}',
                    Some('f') => '\u{c}',
                    Some('n') => '\n',
                    Some('r') => '\r',
                    Some('t') => '\t',
                    Some('u') => {
                        let (decoded, next) = scan_unicode_escape(chars, i - 1)?;
                        out.push(decoded);
                        i = next;
                        continue;
                    }
                    _ => return Err(FilterError::new(i - 1, "invalid escape in string")),
                };
                out.push(escaped);
                i += 1;
            }
            c if u32::from(c) < 0x20 => {
                return Err(FilterError::new(
                    i,
                    "control character in string must be escaped",
                ));
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
}

/// Decodes `\uXXXX` (and a following low surrogate) at `chars[start]`, returning the character
/// and the index after the escape.
fn scan_unicode_escape(chars: &[char], start: usize) -> Result<(char, usize), FilterError> {
    let invalid = || FilterError::new(start, "invalid unicode escape in string");
    let first = hex4(chars, start + 2).ok_or_else(invalid)?;
    if (0xD800..0xDC00).contains(&first) {
        // A high surrogate is only valid when a low surrogate escape follows it directly.
        let follows = chars.get(start + 6) == Some(&'\\') && chars.get(start + 7) == Some(&'u');
        let second = follows.then(|| hex4(chars, start + 8)).flatten();
        let Some(low) = second.filter(|low| (0xDC00..0xE000).contains(low)) else {
            return Err(invalid());
        };
        let code = 0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00);
        return char::from_u32(code)
            .map(|c| (c, start + 12))
            .ok_or_else(invalid);
    }
    char::from_u32(first)
        .map(|c| (c, start + 6))
        .ok_or_else(invalid)
}

/// The value of four hexadecimal digits at `chars[at..at + 4]`.
fn hex4(chars: &[char], at: usize) -> Option<u32> {
    let digits = chars.get(at..at + 4)?;
    digits
        .iter()
        .try_fold(0u32, |acc, c| c.to_digit(16).map(|d| acc * 16 + d))
}

/// Scans a number in strict JSON syntax: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
fn scan_number(chars: &[char], pos: &mut usize) -> Result<CompValue, FilterError> {
    let start = *pos;
    let mut i = start;
    let digits = |i: &mut usize| {
        let from = *i;
        while chars.get(*i).is_some_and(char::is_ascii_digit) {
            *i += 1;
        }
        *i - from
    };
    if chars.get(i) == Some(&'-') {
        i += 1;
    }
    let int_start = i;
    let int_digits = digits(&mut i);
    if int_digits == 0 {
        return Err(FilterError::new(i, "expected a digit in number"));
    }
    if int_digits > 1 && chars[int_start] == '0' {
        return Err(FilterError::new(
            int_start,
            "a number must not start with 0",
        ));
    }
    if chars.get(i) == Some(&'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return Err(FilterError::new(i, "expected a digit after '.' in number"));
        }
    }
    if matches!(chars.get(i), Some('e' | 'E')) {
        i += 1;
        if matches!(chars.get(i), Some('+' | '-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return Err(FilterError::new(
                i,
                "expected a digit in the exponent of number",
            ));
        }
    }
    if word_end(chars, i) != i || chars.get(i) == Some(&'.') {
        return Err(FilterError::new(i, "unexpected character after number"));
    }
    let text: String = chars[start..i].iter().collect();
    let out_of_range = || FilterError::new(start, "number is out of range");
    // Integers keep their exact value; other numbers go through the standard library, whose
    // parsing is correctly rounded, so a printed double reads back as the same double.
    let integer = text.parse::<i64>().map(serde_json::Number::from).ok();
    let number = integer
        .or_else(|| text.parse::<u64>().map(serde_json::Number::from).ok())
        .or_else(|| {
            text.parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
        })
        .ok_or_else(out_of_range)?;
    *pos = i;
    Ok(CompValue::Number(number))
}
