//! The recursive-descent parser for filters (RFC 7644 §3.4.2.2) and PATCH paths (§3.5.2).
//!
//! The parser works on characters, not bytes, so every position it reports is a character
//! offset and no input, however malformed, can make it slice a string off a char boundary.

use super::ast::{AttrPath, CompareOp, Filter, PatchPath};
use super::error::{FilterError, Limits};
use super::literal::scan_literal;
use super::path::{check_name, is_path_char, scan_word, split_path};

/// How deeply parentheses, `not` and value filters may nest, so no input can exhaust the stack.
const MAX_DEPTH: usize = 32;

/// Parses a filter expression, enforcing `limits`.
pub fn parse(input: &str, limits: &Limits) -> Result<Filter, FilterError> {
    let mut parser = Parser::new(input, limits)?;
    let filter = parser.or_expr(false)?;
    parser.skip_ws();
    if !parser.at_end() {
        return Err(parser.unexpected("expected 'and', 'or' or the end of the filter"));
    }
    Ok(filter)
}

/// Parses a PATCH operation path: `attrPath`, `attrPath[valFilter]` or
/// `attrPath[valFilter].subAttr`, with surrounding whitespace ignored.
pub fn parse_path(input: &str) -> Result<PatchPath, FilterError> {
    let mut parser = Parser::new(input, &Limits::default())?;
    parser.skip_ws();
    let attr = parser.attr_path()?;
    let mut path = PatchPath {
        attr,
        filter: None,
        sub: None,
    };
    if parser.peek() == Some('[') {
        if path.attr.sub.is_some() {
            let message = "a value filter must follow an attribute, not a sub-attribute";
            return Err(FilterError::new(parser.pos, message));
        }
        path.filter = Some(parser.bracketed()?);
        if parser.peek() == Some('.') {
            parser.pos += 1;
            path.sub = Some(parser.sub_attr_name()?);
        }
    }
    parser.skip_ws();
    if !parser.at_end() {
        return Err(parser.unexpected("expected '[', '.' or the end of the path"));
    }
    Ok(path)
}

/// Parses a bare attribute path, as used by `sortBy` and `attributes`, with surrounding
/// whitespace ignored.
pub fn parse_attr_path(input: &str) -> Result<AttrPath, FilterError> {
    let mut parser = Parser::new(input, &Limits::default())?;
    parser.skip_ws();
    let path = parser.attr_path()?;
    parser.skip_ws();
    if !parser.at_end() {
        return Err(parser.unexpected("expected the end of the attribute path"));
    }
    Ok(path)
}

/// The parser state: the input as characters and a cursor into it.
struct Parser {
    chars: Vec<char>,
    pos: usize,
    depth: usize,
    terms: usize,
    max_terms: usize,
}

impl Parser {
    fn new(input: &str, limits: &Limits) -> Result<Self, FilterError> {
        if input.len() > limits.max_length {
            // The limit is in bytes, but positions are characters: point at the first character
            // that does not fit, which is `max_length` itself for ASCII input.
            let position = input
                .char_indices()
                .take_while(|(byte, _)| *byte < limits.max_length)
                .count();
            let message = format!("filter is longer than {} bytes", limits.max_length);
            return Err(FilterError::new(position, message));
        }
        Ok(Parser {
            chars: input.chars().collect(),
            pos: 0,
            depth: 0,
            terms: 0,
            max_terms: limits.max_terms,
        })
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    /// An error at the cursor saying what was expected and what was found instead.
    fn unexpected(&self, expected: &str) -> FilterError {
        let found = match self.peek() {
            Some(c) => format!("found '{c}'"),
            None => "found the end".to_owned(),
        };
        FilterError::new(self.pos, format!("{expected}, {found}"))
    }

    /// Consumes `keyword` (case-insensitively) at the cursor when it stands as a whole word.
    fn eat_keyword(&mut self, keyword: &str) -> bool {
        let end = self.pos + keyword.len();
        let Some(candidate) = self.chars.get(self.pos..end) else {
            return false;
        };
        let same = candidate
            .iter()
            .zip(keyword.chars())
            .all(|(a, b)| a.eq_ignore_ascii_case(&b));
        if same && !self.chars.get(end).is_some_and(|c| is_path_char(*c)) {
            self.pos = end;
            return true;
        }
        false
    }

    /// Enters one level of nesting at `at`, failing past [`MAX_DEPTH`].
    fn enter(&mut self, at: usize) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let message = format!("filter nests deeper than {MAX_DEPTH} levels");
            return Err(FilterError::new(at, message));
        }
        Ok(())
    }

    /// Counts one comparison or presence test starting at `at`, failing past the term limit.
    fn count_term(&mut self, at: usize) -> Result<(), FilterError> {
        self.terms += 1;
        if self.terms > self.max_terms {
            let message = format!("filter has more than {} terms", self.max_terms);
            return Err(FilterError::new(at, message));
        }
        Ok(())
    }

    /// `or` binds loosest and associates to the left.
    fn or_expr(&mut self, in_brackets: bool) -> Result<Filter, FilterError> {
        let mut left = self.and_expr(in_brackets)?;
        loop {
            let save = self.pos;
            self.skip_ws();
            if !self.eat_keyword("or") {
                self.pos = save;
                return Ok(left);
            }
            let right = self.and_expr(in_brackets)?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
    }

    /// `and` binds tighter than `or` and associates to the left.
    fn and_expr(&mut self, in_brackets: bool) -> Result<Filter, FilterError> {
        let mut left = self.unary(in_brackets)?;
        loop {
            let save = self.pos;
            self.skip_ws();
            if !self.eat_keyword("and") {
                self.pos = save;
                return Ok(left);
            }
            let right = self.unary(in_brackets)?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
    }

    /// A parenthesised filter, `not (...)`, or a single attribute expression.
    fn unary(&mut self, in_brackets: bool) -> Result<Filter, FilterError> {
        self.skip_ws();
        let start = self.pos;
        if self.peek() == Some('(') {
            return self.parenthesised(in_brackets);
        }
        if self.eat_keyword("not") {
            self.skip_ws();
            if self.peek() == Some('(') {
                let inner = self.parenthesised(in_brackets)?;
                return Ok(Filter::Not(Box::new(inner)));
            }
            // An attribute may itself be called `not`; `atom` reports a missing `(` otherwise.
            self.pos = start;
        }
        match self.peek() {
            Some(c) if is_path_char(c) => self.atom(in_brackets),
            _ => Err(self.unexpected("expected an attribute path, '(' or 'not'")),
        }
    }

    /// `( filter )`, with the cursor on the opening parenthesis.
    fn parenthesised(&mut self, in_brackets: bool) -> Result<Filter, FilterError> {
        let open = self.pos;
        self.enter(open)?;
        self.pos += 1;
        let inner = self.or_expr(in_brackets)?;
        self.skip_ws();
        if self.peek() != Some(')') {
            let expected = format!("expected 'and', 'or' or ')' closing '(' at position {open}");
            return Err(self.unexpected(&expected));
        }
        self.pos += 1;
        self.depth -= 1;
        Ok(inner)
    }

    /// `[ valFilter ]`, with the cursor on the opening bracket.
    fn bracketed(&mut self) -> Result<Filter, FilterError> {
        let open = self.pos;
        self.enter(open)?;
        self.pos += 1;
        let inner = self.or_expr(true)?;
        self.skip_ws();
        if self.peek() != Some(']') {
            let expected = format!("expected 'and', 'or' or ']' closing '[' at position {open}");
            return Err(self.unexpected(&expected));
        }
        self.pos += 1;
        self.depth -= 1;
        Ok(inner)
    }

    fn attr_path(&mut self) -> Result<AttrPath, FilterError> {
        let start = self.pos;
        if !self.peek().is_some_and(is_path_char) {
            return Err(self.unexpected("expected an attribute path"));
        }
        let word = scan_word(&self.chars, &mut self.pos);
        split_path(&word, start)
    }

    /// The sub-attribute name after `].`, which may not be qualified or dotted.
    fn sub_attr_name(&mut self) -> Result<String, FilterError> {
        let start = self.pos;
        let word = scan_word(&self.chars, &mut self.pos);
        if let Some(bad) = word.find([':', '.']) {
            let message = "expected a plain sub-attribute name after ']'";
            return Err(FilterError::new(start + bad, message));
        }
        check_name(&word, start)?;
        Ok(word)
    }

    /// `attrPath op value`, `attrPath pr`, `attrPath[valFilter]`, or the off-grammar
    /// `attrPath[valFilter].subAttr op value` that Entra ID sends.
    fn atom(&mut self, in_brackets: bool) -> Result<Filter, FilterError> {
        let start = self.pos;
        let path = self.attr_path()?;
        self.skip_ws();
        if self.peek() != Some('[') {
            return self.comparison(path, start);
        }
        if in_brackets {
            return Err(FilterError::new(self.pos, "value filters cannot be nested"));
        }
        if path.sub.is_some() {
            let message = "a value filter must follow an attribute, not a sub-attribute";
            return Err(FilterError::new(self.pos, message));
        }
        let inner = self.bracketed()?;
        let filter = if self.peek() == Some('.') {
            // `emails[type eq "work"].value eq "x"` is read as the value filter
            // `emails[type eq "work" and value eq "x"]`, which is what its senders mean.
            self.pos += 1;
            let sub_start = self.pos;
            let sub = self.sub_attr_name()?;
            self.skip_ws();
            let term = self.comparison(AttrPath::new(sub), sub_start)?;
            Filter::And(Box::new(inner), Box::new(term))
        } else {
            inner
        };
        Ok(Filter::ValuePath {
            path,
            filter: Box::new(filter),
        })
    }

    /// The operator and value after an attribute path that started at `start`.
    fn comparison(&mut self, path: AttrPath, start: usize) -> Result<Filter, FilterError> {
        self.count_term(start)?;
        let op_start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
            self.pos += 1;
        }
        let word: String = self.chars[op_start..self.pos].iter().collect();
        let op = match word.to_ascii_lowercase().as_str() {
            "pr" if !self.peek().is_some_and(is_path_char) => return Ok(Filter::Present(path)),
            "pr" => None,
            lower => CompareOp::from_keyword(lower),
        };
        let Some(op) = op.filter(|_| !self.peek().is_some_and(is_path_char)) else {
            self.pos = op_start;
            let not_keyword = path.urn.is_none() && path.sub.is_none();
            if not_keyword && path.name.eq_ignore_ascii_case("not") {
                return Err(self.unexpected("expected '(' after 'not'"));
            }
            let expected = "expected an operator (eq, ne, co, sw, ew, gt, lt, ge, le or pr)";
            return Err(self.unexpected(expected));
        };
        self.skip_ws();
        let value = scan_literal(&self.chars, &mut self.pos)?;
        Ok(Filter::Compare { path, op, value })
    }
}
