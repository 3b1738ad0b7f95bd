//! The discovery endpoints: `/ServiceProviderConfig`, `/ResourceTypes` and `/Schemas`.
//!
//! All three are generated from the config, so they describe exactly what this deployment
//! does: the schemas list only the attributes the mapping round-trips.

use crate::scim::error::ScimError;
use crate::scim::schema::{AttrType, Attribute, Schema, ENTERPRISE_SCHEMA};
use crate::server::handler::Context;
use crate::server::list::LIST_SCHEMA;
use crate::server::response::{ApiError, ScimResponse};
use http::StatusCode;
use serde_json::{json, Map, Value};

const SPC_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const RESOURCE_TYPE_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const SCHEMA_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

/// `GET /ServiceProviderConfig`.
pub(crate) fn service_provider_config(cx: &Context<'_>) -> ScimResponse {
    let max_results = cx.snapshot.config.scim.max_results;
    let max_payload = cx.snapshot.config.server.max_body_bytes;
    ScimResponse::json(
        StatusCode::OK,
        json!({
            "schemas": [SPC_SCHEMA],
            "documentationUri": "https://datatracker.ietf.org/doc/html/rfc7644",
            "patch": {"supported": true},
            "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": max_payload},
            "filter": {"supported": true, "maxResults": max_results},
            "changePassword": {"supported": false},
            "sort": {"supported": true},
            "etag": {"supported": true},
            "authenticationSchemes": [{
                "type": "oauthbearertoken",
                "name": "Bearer key",
                "description": "A per-tenant API key sent as Authorization: Bearer <key>",
                "primary": true,
            }],
            "meta": {
                "resourceType": "ServiceProviderConfig",
                "location": format!("{}/ServiceProviderConfig", cx.request.base_url),
            },
        }),
    )
}

/// `GET /ResourceTypes`.
pub(crate) fn resource_types(cx: &Context<'_>) -> ScimResponse {
    list_of(vec![user_resource_type(cx)])
}

/// `GET /ResourceTypes/{name}`.
pub(crate) fn resource_type(cx: &Context<'_>, name: &str) -> Result<ScimResponse, ApiError> {
    if name.eq_ignore_ascii_case("User") {
        return Ok(ScimResponse::json(StatusCode::OK, user_resource_type(cx)));
    }
    Err(ScimError::not_found(format!("Resource type {name} is not offered; only User is")).into())
}

/// `GET /Schemas`.
pub(crate) fn schemas(cx: &Context<'_>) -> ScimResponse {
    let schema = cx.snapshot.config.mapping.schema();
    let all = std::iter::once(&schema.core).chain(&schema.extensions);
    list_of(all.map(|s| schema_json(cx, s)).collect())
}

/// `GET /Schemas/{urn}`.
pub(crate) fn schema(cx: &Context<'_>, urn: &str) -> Result<ScimResponse, ApiError> {
    match cx.snapshot.config.mapping.schema().schema(urn) {
        Some(found) => Ok(ScimResponse::json(StatusCode::OK, schema_json(cx, found))),
        None => Err(ScimError::not_found(format!("Schema {urn} is not offered")).into()),
    }
}

fn user_resource_type(cx: &Context<'_>) -> Value {
    let schema = cx.snapshot.config.mapping.schema();
    let extensions: Vec<Value> = schema
        .extensions
        .iter()
        .map(|e| json!({"schema": e.id, "required": false}))
        .collect();
    let mut body = json!({
        "schemas": [RESOURCE_TYPE_SCHEMA],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "description": "User Account",
        "schema": schema.core.id,
        "meta": {
            "resourceType": "ResourceType",
            "location": format!("{}/ResourceTypes/User", cx.request.base_url),
        },
    });
    if !extensions.is_empty() {
        body["schemaExtensions"] = Value::Array(extensions);
    }
    body
}

fn schema_json(cx: &Context<'_>, schema: &Schema) -> Value {
    // The common attributes `id` and `meta` are defined by RFC 7643 §3.1 for every resource,
    // not by the User schema, so they are not listed as its attributes.
    let attributes: Vec<Value> = schema
        .attributes
        .iter()
        .filter(|a| a.name != "id" && a.name != "meta")
        .map(|a| attribute_json(a, &schema.id))
        .collect();
    json!({
        "schemas": [SCHEMA_SCHEMA],
        "id": schema.id,
        "name": schema.name,
        "description": schema.description,
        "attributes": attributes,
        "meta": {
            "resourceType": "Schema",
            "location": format!("{}/Schemas/{}", cx.request.base_url, schema.id),
        },
    })
}

fn attribute_json(attribute: &Attribute, schema_id: &str) -> Value {
    let mut out = Map::new();
    out.insert("name".into(), json!(attribute.name));
    out.insert("type".into(), json!(attribute.kind.as_str()));
    out.insert("multiValued".into(), json!(attribute.multi_valued));
    out.insert("description".into(), json!(attribute.description));
    out.insert("required".into(), json!(attribute.required));
    if attribute.kind != AttrType::Complex && attribute.kind != AttrType::Boolean {
        out.insert("caseExact".into(), json!(attribute.case_exact));
    }
    out.insert("mutability".into(), json!(attribute.mutability.as_str()));
    out.insert("returned".into(), json!(attribute.returned.as_str()));
    if attribute.kind != AttrType::Complex && attribute.kind != AttrType::Boolean {
        out.insert("uniqueness".into(), json!(attribute.uniqueness.as_str()));
    }
    if !attribute.canonical_values.is_empty() {
        out.insert("canonicalValues".into(), json!(attribute.canonical_values));
    }
    if attribute.kind == AttrType::Reference {
        let types = match (schema_id, attribute.name.as_str()) {
            (ENTERPRISE_SCHEMA, "$ref") => vec!["User"],
            _ => vec!["external", "uri"],
        };
        out.insert("referenceTypes".into(), json!(types));
    }
    if attribute.kind == AttrType::Complex {
        let subs: Vec<Value> = attribute
            .sub_attributes
            .iter()
            .map(|s| attribute_json(s, schema_id))
            .collect();
        out.insert("subAttributes".into(), Value::Array(subs));
    }
    Value::Object(out)
}

fn list_of(resources: Vec<Value>) -> ScimResponse {
    ScimResponse::json(
        StatusCode::OK,
        json!({
            "schemas": [LIST_SCHEMA],
            "totalResults": resources.len(),
            "startIndex": 1,
            "itemsPerPage": resources.len(),
            "Resources": resources,
        }),
    )
}
