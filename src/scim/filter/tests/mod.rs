//! Tests of the filter engine, one table per concern.

mod check;
mod eval;
mod parse;
mod paths;
mod props;

use super::*;

/// Parses with the default limits, failing the test with the error on bad input.
fn p(input: &str) -> Filter {
    parse(input, &Limits::default()).unwrap_or_else(|e| panic!("{input:?}: {e}"))
}

fn cmp(path: AttrPath, op: CompareOp, value: CompValue) -> Filter {
    Filter::Compare { path, op, value }
}

fn s(text: &str) -> CompValue {
    CompValue::String(text.to_owned())
}

fn and(left: Filter, right: Filter) -> Filter {
    Filter::And(Box::new(left), Box::new(right))
}

fn or(left: Filter, right: Filter) -> Filter {
    Filter::Or(Box::new(left), Box::new(right))
}
