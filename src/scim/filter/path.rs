//! Scanning of attribute paths (`userName`, `name.givenName`, `urn:...:User:manager.value`).

use super::ast::AttrPath;
use super::error::FilterError;

/// Whether `c` may appear in the word that holds an attribute path, URN included.
pub(super) fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.' | '$')
}

/// Scans the run of path characters at `*pos` and leaves `*pos` after it.
pub(super) fn scan_word(chars: &[char], pos: &mut usize) -> String {
    let start = *pos;
    while chars.get(*pos).is_some_and(|c| is_path_char(*c)) {
        *pos += 1;
    }
    chars[start..*pos].iter().collect()
}

/// Splits a scanned word into an attribute path; `start` is the word's character offset.
///
/// Everything before the last `:` is the schema URN, since URNs themselves hold dots and colons
/// (`...:enterprise:2.0:User`); the rest is the attribute name and an optional sub-attribute.
pub(super) fn split_path(word: &str, start: usize) -> Result<AttrPath, FilterError> {
    // The word holds only ASCII path characters, so byte offsets equal character offsets.
    let (urn, rest, rest_start) = match word.rfind(':') {
        Some(colon) => {
            let urn = &word[..colon];
            if urn.is_empty() || urn.ends_with(':') {
                return Err(FilterError::new(start, "expected a schema URN before ':'"));
            }
            (Some(urn), &word[colon + 1..], start + colon + 1)
        }
        None => (None, word, start),
    };
    let (name, sub) = match rest.split_once('.') {
        Some((name, sub)) => (name, Some(sub)),
        None => (rest, None),
    };
    check_name(name, rest_start)?;
    let mut path = AttrPath::new(name);
    path.urn = urn.map(str::to_owned);
    if let Some(sub) = sub {
        let sub_start = rest_start + name.len() + 1;
        if let Some(dot) = sub.find('.') {
            let message = "an attribute path has at most one sub-attribute";
            return Err(FilterError::new(sub_start + dot, message));
        }
        check_name(sub, sub_start)?;
        path.sub = Some(sub.to_owned());
    }
    Ok(path)
}

/// Checks the ATTRNAME rule of RFC 7643 §2.1 (`ALPHA *(ALPHA / DIGIT / "-" / "_")`), plus the
/// `$ref` name that RFC 7643 itself uses for references.
pub(super) fn check_name(name: &str, start: usize) -> Result<(), FilterError> {
    if name.eq_ignore_ascii_case("$ref") {
        return Ok(());
    }
    let mut chars = name.chars();
    match chars.next() {
        None => return Err(FilterError::new(start, "expected an attribute name")),
        Some(c) if !c.is_ascii_alphabetic() => {
            let message = format!("an attribute name must start with a letter, found '{c}'");
            return Err(FilterError::new(start, message));
        }
        Some(_) => {}
    }
    if let Some(offset) = chars.position(|c| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')) {
        let bad = name.as_bytes()[offset + 1] as char;
        let message = format!("invalid character '{bad}' in attribute name");
        return Err(FilterError::new(start + offset + 1, message));
    }
    Ok(())
}
