//! Routing of SCIM requests: authentication, rate limit, then the endpoint.
//!
//! The handler knows nothing of pingora: it takes a [`ScimRequest`] with the whole body and
//! returns a [`ScimResponse`], so the listener adapter stays thin.

use crate::config::Tenant;
use crate::scim::error::{ScimError, ScimType};
use crate::server::app::{App, Snapshot};
use crate::server::auth;
use crate::server::response::{error_body, ApiError, ScimResponse};
use crate::server::{discovery, list, users};
use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use serde_json::Value;
use std::net::IpAddr;
use std::sync::Arc;

/// A SCIM request with its body read.
#[derive(Debug, Clone)]
pub struct ScimRequest {
    /// The HTTP method.
    pub method: Method,
    /// The path below the SCIM base path, such as `/Users/abc`.
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// The request headers.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
    /// The request id, forwarded to the legacy API.
    pub request_id: String,
    /// The client address, for the failed-authentication limit.
    pub client_ip: Option<IpAddr>,
    /// The externally visible SCIM base URL, for `meta.location`.
    pub base_url: String,
}

/// Everything an endpoint needs: the request, the app, the snapshot and the caller's tenant.
#[derive(Debug)]
pub struct Context<'a> {
    /// The request.
    pub request: &'a ScimRequest,
    /// The application.
    pub app: &'a App,
    /// The config snapshot this request runs on.
    pub snapshot: &'a Snapshot,
    /// The authenticated tenant.
    pub tenant: &'a Tenant,
    /// The tenant's name, shared.
    pub tenant_name: &'a Arc<str>,
}

impl Context<'_> {
    /// The value of a query parameter, decoded.
    pub fn query(&self, name: &str) -> Option<String> {
        let query = self.request.query.as_deref()?;
        form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.into_owned())
    }

    /// The body as JSON, or a 400 `invalidSyntax` naming where it broke.
    pub fn json_body(&self) -> Result<Value, ApiError> {
        check_content_type(&self.request.headers)?;
        if self.request.body.iter().all(u8::is_ascii_whitespace) {
            return Err(ScimError::bad_request(
                ScimType::InvalidSyntax,
                "The request body is empty",
            )
            .into());
        }
        serde_json::from_slice(&self.request.body).map_err(|e| {
            ScimError::bad_request(
                ScimType::InvalidSyntax,
                format!("The request body is not valid JSON: {e}"),
            )
            .into()
        })
    }

    /// The URL of a user resource.
    pub fn user_location(&self, id: &str) -> String {
        format!("{}/Users/{}", self.request.base_url, id)
    }
}

/// Answers one SCIM request.
pub async fn handle(app: &App, request: ScimRequest) -> ScimResponse {
    let snapshot = app.snapshot();
    let route = Route::of(&request.path);
    tracing::Span::current().record("route", route.template());
    let tenant = match auth::bearer(&request.headers)
        .and_then(|key| auth::authenticate(&snapshot.config.tenants, key, chrono::Utc::now()))
    {
        Some(index) => index,
        None => {
            let error = app.auth_failed(request.client_ip);
            tracing::debug!(route = route.template(), "authentication failed");
            return error.to_response();
        }
    };
    let (tenant_config, tenant_name) = snapshot.tenant(tenant);
    tracing::Span::current().record("tenant", tenant_name.as_ref());
    if let Err(error) = snapshot.admit(tenant) {
        tracing::debug!("tenant rate limit reached");
        return error.to_response();
    }
    let cx = Context {
        request: &request,
        app,
        snapshot: &snapshot,
        tenant: tenant_config,
        tenant_name,
    };
    let result = dispatch(&cx, &route).await;
    match result {
        Ok(response) => response,
        Err(error) => {
            if error.is_client_error() {
                tracing::debug!(%error, "request refused");
            } else {
                tracing::warn!(%error, "request failed");
            }
            error.to_response()
        }
    }
}

async fn dispatch(cx: &Context<'_>, route: &Route) -> Result<ScimResponse, ApiError> {
    let method = &cx.request.method;
    match (route, method) {
        (Route::Users, &Method::GET) => list::list(cx).await,
        (Route::Users, &Method::POST) => users::create(cx).await,
        (Route::UsersSearch | Route::RootSearch, &Method::POST) => list::search(cx).await,
        (Route::User(id), &Method::GET) => users::get(cx, id).await,
        (Route::User(id), &Method::PUT) => users::replace(cx, id).await,
        (Route::User(id), &Method::PATCH) => users::patch(cx, id).await,
        (Route::User(id), &Method::DELETE) => users::delete(cx, id).await,
        (Route::ServiceProviderConfig, &Method::GET) => Ok(discovery::service_provider_config(cx)),
        (Route::ResourceTypes, &Method::GET) => Ok(discovery::resource_types(cx)),
        (Route::ResourceType(name), &Method::GET) => discovery::resource_type(cx, name),
        (Route::Schemas, &Method::GET) => Ok(discovery::schemas(cx)),
        (Route::Schema(urn), &Method::GET) => discovery::schema(cx, urn),
        (Route::Groups, &Method::GET) => Ok(list::empty_groups(cx)),
        (Route::Groups | Route::Group(_) | Route::NotImplemented, _) => Ok(error_body(
            StatusCode::NOT_IMPLEMENTED,
            None,
            "Groups, Bulk and /Me are not offered by this service provider",
        )),
        (Route::NotFound, _) => Ok(error_body(
            StatusCode::NOT_FOUND,
            None,
            "No such SCIM endpoint; users are under /Users",
        )),
        _ => Ok(error_body(
            StatusCode::METHOD_NOT_ALLOWED,
            None,
            &format!("{method} is not allowed on {}", route.template()),
        )
        .with_header(http::header::ALLOW, route.allowed())),
    }
}

/// The endpoints, parsed from the path below the base path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `/Users`.
    Users,
    /// `/Users/.search`.
    UsersSearch,
    /// `/.search`: a search over every resource type, which here means Users.
    RootSearch,
    /// `/Users/{id}`.
    User(String),
    /// `/ServiceProviderConfig`.
    ServiceProviderConfig,
    /// `/ResourceTypes`.
    ResourceTypes,
    /// `/ResourceTypes/{name}`.
    ResourceType(String),
    /// `/Schemas`.
    Schemas,
    /// `/Schemas/{urn}`.
    Schema(String),
    /// `/Groups`.
    Groups,
    /// `/Groups/{id}`.
    Group(String),
    /// `/Bulk`, `/Me` and other RFC 7644 endpoints this service does not offer.
    NotImplemented,
    /// Anything else.
    NotFound,
}

impl Route {
    /// Parses a path below the base path; endpoint names are matched without case.
    pub fn of(path: &str) -> Route {
        let trimmed = path.trim_end_matches('/');
        let mut parts = trimmed.trim_start_matches('/').splitn(2, '/');
        let head = parts.next().unwrap_or("");
        let rest = parts.next().map(decode_segment);
        let is = |name: &str| head.eq_ignore_ascii_case(name);
        match rest {
            None if is("Users") => Route::Users,
            Some(r) if is("Users") && r == ".search" => Route::UsersSearch,
            Some(r) if is("Users") && !r.is_empty() && !r.contains('/') => Route::User(r),
            None if is("ServiceProviderConfig") => Route::ServiceProviderConfig,
            None if is("ResourceTypes") => Route::ResourceTypes,
            Some(r) if is("ResourceTypes") => Route::ResourceType(r),
            None if is("Schemas") => Route::Schemas,
            Some(r) if is("Schemas") => Route::Schema(r),
            None if is("Groups") => Route::Groups,
            Some(r) if is("Groups") => Route::Group(r),
            None if head == ".search" => Route::RootSearch,
            _ if is("Bulk") || is("Me") => Route::NotImplemented,
            _ => Route::NotFound,
        }
    }

    /// The methods the route answers, for the `Allow` header of a 405.
    pub fn allowed(&self) -> &'static str {
        match self {
            Route::Users => "GET, POST",
            Route::UsersSearch | Route::RootSearch => "POST",
            Route::User(_) => "GET, PUT, PATCH, DELETE",
            _ => "GET",
        }
    }

    /// The route template for logs and spans; it never holds an id or a query.
    pub fn template(&self) -> &'static str {
        match self {
            Route::Users => "/Users",
            Route::UsersSearch => "/Users/.search",
            Route::RootSearch => "/.search",
            Route::User(_) => "/Users/{id}",
            Route::ServiceProviderConfig => "/ServiceProviderConfig",
            Route::ResourceTypes => "/ResourceTypes",
            Route::ResourceType(_) => "/ResourceTypes/{name}",
            Route::Schemas => "/Schemas",
            Route::Schema(_) => "/Schemas/{id}",
            Route::Groups => "/Groups",
            Route::Group(_) => "/Groups/{id}",
            Route::NotImplemented => "(not implemented)",
            Route::NotFound => "(unknown)",
        }
    }
}

fn decode_segment(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned()
}

/// Refuses bodies declared as something other than JSON; a missing type is accepted.
fn check_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(value) = headers.get(http::header::CONTENT_TYPE) else {
        return Ok(());
    };
    let media = value
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim();
    let media = media.to_ascii_lowercase();
    if media.is_empty() || media == "application/scim+json" || media == "application/json" {
        return Ok(());
    }
    Err(ScimError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        Some(ScimType::InvalidSyntax),
        format!("Content-Type {media} is not supported; send application/scim+json"),
    )
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_parse_without_case_and_with_trailing_slashes() {
        let cases = [
            ("/Users", Route::Users),
            ("/users/", Route::Users),
            ("/Users/.search", Route::UsersSearch),
            ("/Users/mbr_1", Route::User("mbr_1".into())),
            ("/Users/a%20b", Route::User("a b".into())),
            ("/Users/a/b", Route::NotFound),
            ("/ServiceProviderConfig", Route::ServiceProviderConfig),
            ("/ResourceTypes/User", Route::ResourceType("User".into())),
            (
                "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
                Route::Schema("urn:ietf:params:scim:schemas:core:2.0:User".into()),
            ),
            ("/Groups", Route::Groups),
            ("/Bulk", Route::NotImplemented),
            ("/nope", Route::NotFound),
            ("", Route::NotFound),
        ];
        for (path, route) in cases {
            assert_eq!(Route::of(path), route, "{path}");
        }
    }
}
