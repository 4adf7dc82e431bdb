//! The frames of a product's pages: breadcrumbs to the workspace and the product, and to the
//! strategy or the sprints, shared by every room's pages.

use crate::auth::extract::PageUser;
use crate::error::Result;
use crate::page::Layout;
use crate::state::AppState;
use crate::workspace::ProductCtx;

/// The frame of every product page: breadcrumbs to the workspace and the product's backlog.
pub fn product_layout(user: &PageUser, ctx: &ProductCtx, title: impl Into<String>) -> Layout {
    let ws = &ctx.workspace;
    Layout::new(user, title)
        .crumb(format!("/w/{}", ws.slug), ws.name.clone())
        .crumb(
            format!("/w/{}/p/{}/backlog", ws.slug, ctx.product.key),
            ctx.product.name.clone(),
        )
}

/// The frame of the strategy pages.
pub fn strategy_layout(user: &PageUser, ctx: &ProductCtx, title: impl Into<String>) -> Layout {
    let (ws, key) = (&ctx.workspace.slug, &ctx.product.key);
    product_layout(user, ctx, title).crumb(format!("/w/{ws}/p/{key}/strategy"), "Strategy")
}

/// The frame of every sprint page: breadcrumbs to the product's sprints.
pub fn sprint_layout(user: &PageUser, ctx: &ProductCtx, title: impl Into<String>) -> Layout {
    product_layout(user, ctx, title).crumb(
        format!("/w/{}/p/{}/sprints", ctx.workspace.slug, ctx.product.key),
        "Sprints",
    )
}

pub fn sprint_url(ctx: &ProductCtx, id: i64, page: &str) -> String {
    format!(
        "/w/{}/p/{}/sprints/{id}/{page}",
        ctx.workspace.slug, ctx.product.key
    )
}

/// The product an item's key names, with the signed-in person's roles there.
pub async fn page_ctx(
    state: &AppState,
    user: &PageUser,
    ws: &str,
    key: &str,
) -> Result<ProductCtx> {
    super::store::item_ctx(&state.db, user.user.id, ws, key).await
}
