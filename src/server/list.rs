//! Listing and searching users: paging, filters pushed down or evaluated in memory.
//!
//! A request without a filter pages straight through the legacy list. A filter that the
//! mapping can turn into a legacy lookup narrows the candidates first; any other filter reads
//! the whole list, at most `scim.scan_cap` members, and evaluates it in memory. In every case
//! the whole filter is evaluated on the candidates, so a lookup only ever saves work.

use crate::legacy::Member;
use crate::mapping::Lookup;
use crate::scim::error::{ScimError, ScimType};
use crate::scim::filter::{self, Filter, Limits};
use crate::scim::projection::Projection;
use crate::scim::sort::SortKey;
use crate::server::handler::Context;
use crate::server::response::{ApiError, ScimResponse};
use crate::server::users::resource;
use http::StatusCode;
use serde_json::{json, Value};

/// The URN of list responses.
pub(crate) const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// The URN of search requests.
pub(crate) const SEARCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

/// The members a SearchRequest may have (RFC 7644 §3.4.3).
const SEARCH_MEMBERS: [&str; 8] = [
    "schemas",
    "filter",
    "startIndex",
    "count",
    "sortBy",
    "sortOrder",
    "attributes",
    "excludedAttributes",
];

/// What a list or search asks for.
#[derive(Debug, Default, Clone, PartialEq)]
struct Query {
    filter: Option<String>,
    start_index: usize,
    count: Option<usize>,
    sort_by: Option<String>,
    sort_order: Option<String>,
    attributes: Option<String>,
    excluded: Option<String>,
}

/// `GET /Users`.
pub(crate) async fn list(cx: &Context<'_>) -> Result<ScimResponse, ApiError> {
    let query = Query {
        filter: cx.query("filter"),
        start_index: index_param(cx.query("startIndex").as_deref(), "startIndex")?.unwrap_or(1),
        count: index_param(cx.query("count").as_deref(), "count")?,
        sort_by: cx.query("sortBy"),
        sort_order: cx.query("sortOrder"),
        attributes: cx.query("attributes"),
        excluded: cx.query("excludedAttributes"),
    };
    run(cx, query).await
}

/// `POST /Users/.search`: the same as a list, with the parameters in the body.
pub(crate) async fn search(cx: &Context<'_>) -> Result<ScimResponse, ApiError> {
    let body = cx.json_body()?;
    let Value::Object(body) = body else {
        return Err(invalid(
            ScimType::InvalidSyntax,
            "The search request must be a JSON object",
        ));
    };
    // A misspelt member would otherwise be ignored and the search answered with every user.
    if let Some((unknown, _)) = body
        .iter()
        .find(|(k, _)| !SEARCH_MEMBERS.iter().any(|m| m.eq_ignore_ascii_case(k)))
    {
        return Err(invalid(
            ScimType::InvalidSyntax,
            &format!(
                "{unknown} is not a SearchRequest member; use {}",
                SEARCH_MEMBERS.join(", ")
            ),
        ));
    }
    if cx.request.query.as_deref().is_some_and(|q| !q.is_empty()) {
        return Err(invalid(
            ScimType::InvalidSyntax,
            "A search takes its parameters in the body, not in the query string",
        ));
    }
    let get = |name: &str| {
        body.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    };
    if let Some(schemas) = get("schemas") {
        let listed = schemas.as_array().is_some_and(|l| {
            l.iter().any(|s| {
                s.as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case(SEARCH_SCHEMA))
            })
        });
        if !listed {
            return Err(invalid(
                ScimType::InvalidSyntax,
                &format!("schemas must include {SEARCH_SCHEMA}"),
            ));
        }
    }
    let text = |name: &str| -> Result<Option<String>, ApiError> {
        match get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Array(items)) => {
                let names: Option<Vec<&str>> = items.iter().map(Value::as_str).collect();
                names.map(|n| Some(n.join(","))).ok_or_else(|| {
                    invalid(ScimType::InvalidValue, &format!("{name} must hold strings"))
                })
            }
            Some(_) => Err(invalid(
                ScimType::InvalidValue,
                &format!("{name} must be a string"),
            )),
        }
    };
    let number = |name: &str| -> Result<Option<usize>, ApiError> {
        match get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => match n.as_i64() {
                Some(v) => Ok(Some(v.max(0) as usize)),
                None => Err(invalid(
                    ScimType::InvalidValue,
                    &format!("{name} must be an integer"),
                )),
            },
            Some(Value::String(s)) => index_param(Some(s), name),
            Some(_) => Err(invalid(
                ScimType::InvalidValue,
                &format!("{name} must be an integer"),
            )),
        }
    };
    let query = Query {
        filter: text("filter")?,
        start_index: number("startIndex")?.unwrap_or(1),
        count: number("count")?,
        sort_by: text("sortBy")?,
        sort_order: text("sortOrder")?,
        attributes: text("attributes")?,
        excluded: text("excludedAttributes")?,
    };
    run(cx, query).await
}

/// `GET /Groups`: always empty while Groups are not offered, so IdP probes succeed.
pub(crate) fn empty_groups(_cx: &Context<'_>) -> ScimResponse {
    list_response(Vec::new(), 0, 1)
}

async fn run(cx: &Context<'_>, query: Query) -> Result<ScimResponse, ApiError> {
    let limits = &cx.snapshot.config.scim;
    let schema = cx.snapshot.config.mapping.schema();
    let projection = Projection::parse(
        query.attributes.as_deref(),
        query.excluded.as_deref(),
        schema,
    )?;
    // RFC 7644 §3.4.2.4: startIndex below 1 means 1; count is capped by the server maximum.
    let start = query.start_index.max(1);
    let count = query
        .count
        .unwrap_or(limits.max_results)
        .min(limits.max_results);

    let sort = match query
        .sort_by
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(sort_by) => Some(SortKey::parse(
            sort_by,
            query.sort_order.as_deref(),
            schema,
        )?),
        None => None,
    };
    let parsed = match query.filter.as_deref().map(str::trim) {
        Some("") => return Err(invalid(ScimType::InvalidFilter, "The filter is empty")),
        Some(text) => {
            let limits = Limits {
                max_length: limits.filter_max_length,
                max_terms: limits.filter_max_terms,
            };
            let parsed = filter::parse(text, &limits).map_err(ScimError::from)?;
            filter::check(&parsed, schema)?;
            Some(parsed)
        }
        None => None,
    };
    let (mut resources, total) = if parsed.is_none() && sort.is_none() {
        let (members, total) = page_through(cx, start - 1, count).await?;
        (members.iter().map(|m| resource(cx, m)).collect(), total)
    } else {
        // Filtering here or sorting needs every candidate first.
        let mut matches = filtered(cx, parsed.as_ref()).await?;
        if let Some(sort) = &sort {
            sort.sort(&mut matches, schema);
        }
        let total = matches.len();
        (
            matches.into_iter().skip(start - 1).take(count).collect(),
            total,
        )
    };
    for resource in &mut resources {
        projection.apply(resource, schema);
    }
    Ok(list_response(resources, total, start))
}

/// Every resource matching the filter (all of them without one), in the legacy API's order.
async fn filtered(cx: &Context<'_>, parsed: Option<&Filter>) -> Result<Vec<Value>, ApiError> {
    let mapping = &cx.snapshot.config.mapping;
    let lookup = parsed.and_then(|f| mapping.pushdown(f));
    let members = scan(cx, lookup.as_ref()).await?;
    let schema = mapping.schema();
    Ok(members
        .iter()
        .map(|m| resource(cx, m))
        .filter(|r| parsed.is_none_or(|f| filter::matches(f, r, schema)))
        .collect())
}

/// Reads every member of the lookup, or of the whole list, up to the scan cap.
async fn scan(cx: &Context<'_>, lookup: Option<&Lookup>) -> Result<Vec<Member>, ApiError> {
    let legacy = &cx.app.legacy;
    let cap = cx.snapshot.config.scim.scan_cap;
    let mut members: Vec<Member> = Vec::new();
    loop {
        let page = legacy
            .list(
                &cx.tenant.org,
                members.len(),
                legacy.page_size(),
                lookup,
                &cx.request.request_id,
            )
            .await?;
        if page.total > cap {
            return Err(too_many(cx, page.total, cap));
        }
        let done = page.members.is_empty() || members.len() + page.members.len() >= page.total;
        members.extend(page.members);
        if done {
            return Ok(members);
        }
    }
}

/// One page of the plain list, read in as many legacy pages as it takes.
async fn page_through(
    cx: &Context<'_>,
    offset: usize,
    count: usize,
) -> Result<(Vec<Member>, usize), ApiError> {
    let legacy = &cx.app.legacy;
    let (org, rid) = (&cx.tenant.org, &cx.request.request_id);
    if count == 0 {
        // count=0 asks only for totalResults (RFC 7644 §3.4.2.4).
        let page = legacy.list(org, 0, 1, None, rid).await?;
        return Ok((Vec::new(), page.total));
    }
    let mut members: Vec<Member> = Vec::new();
    let mut total;
    loop {
        let want = (count - members.len()).min(legacy.max_page_size());
        let page = legacy
            .list(org, offset + members.len(), want, None, rid)
            .await?;
        total = page.total;
        let got = page.members.len();
        members.extend(page.members);
        if got == 0 || members.len() >= count || offset + members.len() >= total {
            break;
        }
    }
    members.truncate(count);
    Ok((members, total))
}

fn list_response(resources: Vec<Value>, total: usize, start: usize) -> ScimResponse {
    ScimResponse::json(
        StatusCode::OK,
        json!({
            "schemas": [LIST_SCHEMA],
            "totalResults": total,
            "startIndex": start,
            "itemsPerPage": resources.len(),
            "Resources": resources,
        }),
    )
}

fn too_many(cx: &Context<'_>, total: usize, cap: usize) -> ApiError {
    let fast = cx.snapshot.config.mapping.lookup_attributes().join(", ");
    invalid(
        ScimType::TooMany,
        &format!(
            "Answering this request means reading and checking every user here ({total} \
             users, more than the limit of {cap}); filters other than eq on {fast}, and sortBy, \
             need that. Those eq filters are answered directly by the membership system"
        ),
    )
}

/// Parses `startIndex` or `count`; negative values count as zero.
fn index_param(value: Option<&str>, name: &str) -> Result<Option<usize>, ApiError> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    match value.parse::<i64>() {
        Ok(v) => Ok(Some(v.max(0) as usize)),
        Err(_) => Err(invalid(
            ScimType::InvalidValue,
            &format!("{name} must be an integer, not {value:?}"),
        )),
    }
}

fn invalid(scim_type: ScimType, detail: &str) -> ApiError {
    ScimError::bad_request(scim_type, detail).into()
}
