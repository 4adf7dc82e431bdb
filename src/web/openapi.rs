//! The OpenAPI document at `/api/openapi.json`, generated from the handlers' annotations.

mod links;

use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, Response};
use utoipa::{Modify, OpenApi};

use super::{
    audit, auth, backlog, docs, export, governance, import, invite, notify, report, retro, roadmap,
    sprint, story, strategy, workspace,
};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(title = "Throughline API", description = "Strategy to sprint, on one line. Authenticate with `Authorization: Bearer <token>` (create one with `throughline token create`). Errors are `application/problem+json` with a `field` when one input is at fault. Updates need `If-Match` with the ETag you read; a stale one gets 412 with the current state."),
    components(schemas(crate::error::Problem)),
    security(("bearer" = []))
)]
pub struct ApiDoc;

/// Every documented route, each registered once with its handler's `utoipa::path`: the router
/// and the OpenAPI document are both read from here, so a path cannot drift between them and
/// a repeated operationId is refused when the document is built.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(auth::api::routes())
        .merge(workspace::api::routes())
        .merge(invite::api::routes())
        .merge(super::admin::api::routes())
        .merge(audit::api::routes())
        .merge(import::api::routes())
        .merge(export::api::routes())
        .merge(backlog::api::routes())
        .merge(story::api::routes())
        .merge(story::comments_api::routes())
        .merge(sprint::api::routes())
        .merge(sprint::team_api::routes())
        .merge(retro::api::routes())
        .merge(report::api::routes())
        .merge(super::flow::api::routes())
        .merge(super::overview::api::routes())
        .merge(notify::api::routes())
        .merge(governance::api::routes())
        // Strategy (S0–S10)
        .merge(strategy::api::routes())
        .merge(strategy::api_initiatives::routes())
        .merge(strategy::api_research::routes())
        .merge(strategy::api_decisions::routes())
        .merge(strategy::api_competitors::routes())
        .merge(roadmap::api::routes())
        .merge(roadmap::signoff_api::routes())
        .merge(roadmap::releases_web::routes())
        .merge(docs::api::routes())
        .merge(docs::kit::api::routes())
}

/// The API's router, and `/api/openapi.json` serving the document built from the same routes.
pub fn routes() -> Router<AppState> {
    let (router, mut doc) = api_routes().split_for_parts();
    BearerAuth.modify(&mut doc);
    // Before Problems, which gives every error response (these too) the problem schema.
    IfMatchPattern.modify(&mut doc);
    Problems.modify(&mut doc);
    unique_operation_ids(&doc);
    let mut doc = serde_json::to_value(&doc).unwrap_or_default();
    plain_text_patterns(&mut doc);
    links::add(&mut doc);
    let doc = std::sync::Arc::new(doc);
    router.route(
        "/api/openapi.json",
        get(move || {
            let doc = doc.clone();
            async move { Json(doc) }
        }),
    )
}

/// Text in any string (body field, query, path) may hold tab and newline but no other control
/// character (crate::text); every string schema without a pattern or an enum of its own says
/// so, so that a client (or a fuzzer) knows the rule before it is refused.
const PLAIN_TEXT: &str = r"^[^\u0000-\u0008\u000B-\u001F\u007F-\u009F]*$";

fn plain_text_patterns(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            let is_string = match map.get("type") {
                Some(Value::String(t)) => t == "string",
                Some(Value::Array(ts)) => ts.iter().any(|t| t == "string"),
                _ => false,
            };
            let own_rule = ["pattern", "enum", "const"]
                .iter()
                .any(|k| map.contains_key(*k))
                || map.get("format").is_some_and(|f| f == "binary");
            if is_string && !own_rule {
                map.insert("pattern".into(), Value::String(PLAIN_TEXT.into()));
            }
            map.values_mut().for_each(plain_text_patterns);
        }
        Value::Array(items) => items.iter_mut().for_each(plain_text_patterns),
        _ => {}
    }
}

/// Generated clients name a method after each operationId, so two operations must never share
/// one; a repeat is a programming error caught on the first start (and by every test).
fn unique_operation_ids(doc: &utoipa::openapi::OpenApi) {
    let mut seen = std::collections::HashSet::new();
    for item in doc.paths.paths.values() {
        for op in [&item.get, &item.put, &item.post, &item.delete, &item.patch]
            .into_iter()
            .flatten()
        {
            if let Some(id) = &op.operation_id {
                assert!(seen.insert(id.clone()), "operationId {id} is used twice");
            }
        }
    }
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every API error is `application/problem+json`: error responses point at the `Problem` schema
/// and get their reason phrase when they had no description; operations that take a body also
/// answer 413 (larger than the body limit), 415 (not JSON) and 422 (a field at fault),
/// operations with query parameters 422, and operations behind the bearer token answer 401.
struct Problems;

impl Modify for Problems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let limit = format!(
            "the body is larger than {} KiB",
            crate::state::BODY_LIMIT / 1024
        );
        for item in openapi.paths.paths.values_mut() {
            for op in operations(item) {
                if op.request_body.is_some() {
                    add_error(op, StatusCode::PAYLOAD_TOO_LARGE, &limit);
                    add_error(
                        op,
                        StatusCode::UNSUPPORTED_MEDIA_TYPE,
                        "the body is not in the media type the operation reads",
                    );
                    add_error(
                        op,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "a field is at fault; `field` names it",
                    );
                }
                // Any query string is checked before the handler (no control characters), so
                // an operation with query parameters may answer 422 naming one.
                let has_query =
                    op.parameters.iter().flatten().any(|p| {
                        matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query)
                    });
                // Whatever a path names may not exist, or not be visible to the caller
                // (outsiders get 404, never 403, so that they learn nothing).
                let has_path =
                    op.parameters.iter().flatten().any(|p| {
                        matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Path)
                    });
                if has_path {
                    add_error(
                        op,
                        StatusCode::NOT_FOUND,
                        "no such resource, or not yours to see",
                    );
                }
                if has_query {
                    add_error(
                        op,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "a query parameter is at fault; `field` names it",
                    );
                }
                let public = op
                    .security
                    .as_ref()
                    .is_some_and(|s| s.contains(&SecurityRequirement::default()));
                if !public {
                    add_error(
                        op,
                        StatusCode::UNAUTHORIZED,
                        "a valid bearer token is required",
                    );
                    // Roles are checked on every operation, and a read-only token may not write.
                    add_error(
                        op,
                        StatusCode::FORBIDDEN,
                        "the caller's roles (or a read-only token) do not allow this",
                    );
                }
                for (code, response) in op.responses.responses.iter_mut() {
                    let (Ok(status), RefOr::T(response)) = (code.parse::<StatusCode>(), response)
                    else {
                        continue;
                    };
                    if status.is_client_error() || status.is_server_error() {
                        problem(status, response);
                    }
                }
            }
        }
    }
}

/// `If-Match` as [`crate::auth::extract::if_match`] reads it: the version, optionally quoted and
/// weak (`3`, `"3"`, `W/"3"`); anything else is refused with 422, so the schema says so. An
/// operation that takes it answers 428 when it is missing and the write needs it.
struct IfMatchPattern;

impl Modify for IfMatchPattern {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        for item in openapi.paths.paths.values_mut() {
            for op in operations(item) {
                for p in op.parameters.iter_mut().flatten() {
                    if p.name == "If-Match" && matches!(p.parameter_in, ParameterIn::Header) {
                        let schema = ObjectBuilder::new()
                            .schema_type(Type::String)
                            .pattern(Some(r#"^(W/)?"?[0-9]{1,15}"?$"#))
                            .description(Some("the ETag you read: \"3\""));
                        p.schema = Some(RefOr::T(schema.into()));
                    }
                }
                let takes_if_match =
                    op.parameters.iter().flatten().any(|p| {
                        p.name == "If-Match" && matches!(p.parameter_in, ParameterIn::Header)
                    });
                if takes_if_match {
                    add_error(
                        op,
                        StatusCode::PRECONDITION_REQUIRED,
                        "send If-Match with the ETag you read",
                    );
                    add_error(
                        op,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "If-Match is not a version; `field` names it",
                    );
                }
            }
        }
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
    ]
    .into_iter()
    .flatten()
}

fn add_error(op: &mut Operation, status: StatusCode, description: &str) {
    op.responses
        .responses
        .entry(status.as_str().to_string())
        .or_insert_with(|| RefOr::T(Response::new(description)));
}

fn problem(status: StatusCode, response: &mut Response) {
    if response.description.is_empty() {
        response.description = status.canonical_reason().unwrap_or("error").to_string();
    }
    response.content.insert(
        "application/problem+json".to_string(),
        Content::new(Some(Ref::from_schema_name("Problem"))),
    );
}
