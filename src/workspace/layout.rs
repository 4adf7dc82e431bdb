//! The frames of a product's pages: breadcrumbs to the workspace and the product, and to the
//! strategy or the sprints, shared by every room's pages.

use crate::auth::extract::PageUser;
use crate::error::Result;
use crate::page::{Layout, ProductNav, Section};
use crate::state::AppState;
use crate::workspace::ProductCtx;

/// The frame of every product page: the sidebar of its sections, breadcrumbs to the workspace,
/// the product's overview and the section, and the title "Product · Section" (a detail page
/// names itself with [`Layout::title`]).
pub fn product_layout(user: &PageUser, ctx: &ProductCtx, section: Section) -> Layout {
    let ws = &ctx.workspace;
    let nav = ProductNav {
        ws: ws.slug.clone(),
        key: ctx.product.key.clone(),
        name: ctx.product.name.clone(),
        flow: ctx.product.cadence == "flow",
        current: section,
        can_create: ctx.grants.may(crate::auth::Action::CreateItem),
    };
    let label = nav.label(section);
    let mut layout = Layout::new(user, format!("{} · {label}", ctx.product.name))
        .crumb(format!("/w/{}", ws.slug), ws.name.clone())
        .crumb(nav.href(Section::Overview), ctx.product.name.clone());
    if section != Section::Overview {
        layout = layout.crumb(nav.href(section), label);
    }
    layout.nav(nav)
}

pub fn sprint_url(ctx: &ProductCtx, id: crate::ids::SprintId, page: &str) -> String {
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
