//! The MCP server itself: one handler for both transports. Over stdio it acts for the account
//! the command line named; over HTTP for the holder of each request's bearer token, which
//! [`super::http`] checked and left in the request's extensions.

use std::borrow::Cow;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, GetPromptRequestParams,
    GetPromptResponse, Implementation, ListPromptsResult, ListResourceTemplatesResult,
    ListResourcesResult, ListToolsResult, PaginatedRequestParams, ProtocolVersion,
    ReadResourceRequestParams, ReadResourceResponse, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler};
use serde_json::{json, Value};

use super::{prompts, resources, tools, Caller, PROTOCOL_VERSIONS};
use crate::db::Db;
use crate::error::Error;

#[derive(Clone)]
pub struct Server {
    db: Db,
    /// Fixed for stdio; `None` over HTTP, where each request brings its own.
    caller: Option<Caller>,
}

const INSTRUCTIONS: &str = "Throughline holds the product strategy (vision, quarterly priorities, initiatives, customer evidence) and the backlog that carries it out. Start with list_products, then next_ready_item or search_items. Every item traces to a priority: read get_item before building, propose criterion verdicts with check_criterion, and ask_question when a story is unclear. Writes carry the version you read; a stale one is refused with the current record.";

impl Server {
    /// For stdio: every request acts as `caller`.
    pub fn acting_as(db: Db, caller: Caller) -> Server {
        Server {
            db,
            caller: Some(caller),
        }
    }

    /// For HTTP: each request acts as its token's holder.
    pub fn per_request(db: Db) -> Server {
        Server { db, caller: None }
    }

    fn caller(&self, cx: &RequestContext<RoleServer>) -> Result<Caller, McpError> {
        if let Some(c) = &self.caller {
            return Ok(c.clone());
        }
        cx.extensions
            .get::<axum::http::request::Parts>()
            .and_then(|p| p.extensions.get::<Caller>())
            .cloned()
            .ok_or_else(|| McpError::invalid_request("sign in with a bearer token", None))
    }
}

/// A service's refusal as a tool result the agent reads: the message, and the problem details
/// (status, field, and for a stale version the current record) as structured content.
pub fn tool_error(e: Error) -> CallToolResult {
    let status = e.status();
    let (field, current) = match &e {
        Error::Invalid { field, .. } => (Some(field.clone()), None),
        Error::Stale { current, .. } => (None, Some((**current).clone())),
        _ => (None, None),
    };
    let detail = e.public_message();
    let mut problem = json!({
        "status": status.as_u16(),
        "title": status.canonical_reason().unwrap_or("Error"),
        "detail": detail,
    });
    if let Some(f) = field {
        problem["field"] = Value::String(f);
    }
    if let Some(c) = current {
        problem["current"] = c;
    }
    let mut r = CallToolResult::error(vec![ContentBlock::text(format!(
        "{} ({}): {detail}",
        problem["title"].as_str().unwrap_or("Error"),
        status.as_u16()
    ))]);
    r.structured_content = Some(json!({ "error": problem }));
    r
}

/// A service's refusal of a resource or prompt request, as a protocol error.
pub fn protocol_error(e: Error) -> McpError {
    match e {
        Error::NotFound => McpError::resource_not_found("not found", None),
        Error::Invalid { .. } => McpError::invalid_params(e.to_string(), None),
        Error::Internal(_) => McpError::internal_error(e.public_message(), None),
        other => McpError::invalid_request(other.to_string(), None),
    }
}

impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .enable_prompts()
                .build(),
        )
        .with_server_info(Implementation::new("throughline", crate::config::VERSION))
        .with_instructions(INSTRUCTIONS)
    }

    fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
        Cow::Borrowed(&PROTOCOL_VERSIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        cx: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        self.caller(&cx)?;
        Ok(ListToolsResult::with_all_items(tools::list()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        cx: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let caller = self.caller(&cx)?;
        if tools::spec(&request.name).is_none() {
            return Err(McpError::invalid_params(
                format!("no tool {}; tools/list shows them", request.name),
                None,
            ));
        }
        let args = request.arguments.unwrap_or_default();
        let result = match tools::call(&self.db, &caller, &request.name, args).await {
            Ok(v) => CallToolResult::structured(v),
            Err(e) => tool_error(e),
        };
        Ok(result.into())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        cx: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        let caller = self.caller(&cx)?;
        let all = resources::list(&self.db, &caller)
            .await
            .map_err(protocol_error)?;
        Ok(ListResourcesResult::with_all_items(all))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        cx: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        self.caller(&cx)?;
        Ok(ListResourceTemplatesResult::with_all_items(
            resources::templates(),
        ))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        cx: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        let caller = self.caller(&cx)?;
        let r = resources::read(&self.db, &caller, &request.uri)
            .await
            .map_err(protocol_error)?;
        Ok(r.into())
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        cx: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, McpError> {
        self.caller(&cx)?;
        Ok(ListPromptsResult::with_all_items(prompts::list()))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        cx: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, McpError> {
        let caller = self.caller(&cx)?;
        let args = request.arguments.unwrap_or_default();
        let p = prompts::get(&self.db, &caller, &request.name, &args)
            .await
            .map_err(protocol_error)?;
        Ok(p.into())
    }
}
