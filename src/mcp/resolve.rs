//! Finding the product a tool names. Tools take a product key (`ONB`) or an item key
//! (`ONB-42`); product keys are unique within a workspace but not across workspaces, so an
//! optional `workspace` argument picks one when the caller belongs to several that hold it.

use super::Caller;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::workspace::{parse_item_key, store, ProductCtx};

/// The product `key` in `workspace`, or in whichever of the caller's workspaces holds it.
pub async fn product(
    db: &Db,
    caller: &Caller,
    key: &str,
    workspace: Option<&str>,
) -> Result<ProductCtx> {
    let key = key.trim();
    if key.is_empty() {
        return Err(Error::invalid("product", "give a product key, e.g. ONB"));
    }
    if let Some(ws) = workspace.map(str::trim).filter(|w| !w.is_empty()) {
        return store::product_ctx(db, caller.user.id, ws, key)
            .await
            .map_err(|e| match e {
                Error::NotFound => Error::invalid(
                    "product",
                    format!("no product {key} in a workspace {ws} you belong to"),
                ),
                other => other,
            });
    }
    let mut found = Vec::new();
    for ws in store::workspaces_of(db, caller.user.id).await? {
        match store::product_ctx(db, caller.user.id, &ws.slug, key).await {
            Ok(ctx) => found.push(ctx),
            Err(Error::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    match found.len() {
        0 => Err(Error::invalid(
            "product",
            format!(
                "no product {key} in your workspaces; list_products shows the ones you can use"
            ),
        )),
        1 => Ok(found.remove(0)),
        _ => Err(Error::invalid(
            "workspace",
            format!(
                "product {key} is in several of your workspaces ({}): name one with `workspace`",
                found
                    .iter()
                    .map(|c| c.workspace.slug.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// The product of an item key such as `ONB-42`.
pub async fn item(
    db: &Db,
    caller: &Caller,
    key: &str,
    workspace: Option<&str>,
) -> Result<ProductCtx> {
    let (prefix, _) =
        parse_item_key(key).ok_or_else(|| Error::invalid("key", "an item key such as ONB-42"))?;
    product(db, caller, &prefix, workspace).await
}
