//! Streamable HTTP at `/mcp` on the running server. Every request carries an API token
//! (`Authorization: Bearer tl_…`): without a valid one the answer is 401 before the MCP layer
//! sees it. The token's holder, and whether the token is read-only, ride in the request's
//! extensions to [`super::server::Server`]. The transport keeps no sessions (each request
//! stands alone), so several server processes behind a load balancer serve it alike.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};

use super::server::Server;
use super::Caller;
use crate::auth::extract::bearer_token;
use crate::auth::store;
use crate::error::{ApiError, Error};
use crate::state::{AppState, BODY_LIMIT};

pub const PATH: &str = "/mcp";

pub fn routes(state: AppState) -> Router<AppState> {
    let db = state.db.clone();
    // Bearer tokens are the only credential (no cookies), so a page on another site cannot
    // ride on a browser's sign-in: the Host check meant for unauthenticated local servers would
    // only refuse the names this server is reached by.
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_max_request_body_bytes(BODY_LIMIT)
        .disable_allowed_hosts();
    let service = StreamableHttpService::new(
        move || Ok(Server::per_request(db.clone())),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    Router::new()
        .route_service(PATH, service)
        .route_layer(middleware::from_fn_with_state(state, authenticate))
}

/// 401 without a valid token; otherwise the caller goes along with the request.
async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let holder = match bearer_token(req.headers()) {
        Some(token) => store::holder_by_token(&state.db, token).await,
        None => Ok(None),
    };
    match holder {
        Ok(Some(h)) => {
            req.extensions_mut().insert(Caller {
                user: h.user,
                read_only: h.read_only,
            });
            next.run(req).await
        }
        Ok(None) => {
            let mut r = ApiError(Error::Unauthorized).into_response();
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"throughline\""),
            );
            r
        }
        Err(e) => ApiError(e).into_response(),
    }
}
