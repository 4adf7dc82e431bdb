//! The first run: with no account yet, the holder of the one-time link creates the first
//! admin, the first workspace and product, and may load the demo beside them.

use serde::Deserialize;

use crate::auth::store::{self as accounts, User};
use crate::auth::{validate_email, validate_password, Role};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::workspace::{
    store as ws, validate_key, validate_name, validate_slug, Product, Workspace,
};

/// What the setup page asks.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct SetupInput {
    pub name: String,
    pub email: String,
    pub password: String,
    pub workspace_name: String,
    pub workspace_slug: String,
    pub product_name: String,
    pub product_key: String,
    /// Also load the demo into its own workspace, `demo`.
    #[serde(default)]
    pub demo: bool,
}

/// The demo workspace's address, which the setup's own workspace cannot take when both load.
const DEMO_SLUG: &str = "demo";

/// Every field checked before anything is written, so a refused form leaves nothing behind.
fn check(input: &SetupInput) -> Result<()> {
    validate_name("name", &input.name)?;
    validate_email(&input.email)?;
    validate_password(&input.password)?;
    validate_name("workspace_name", &input.workspace_name)
        .map_err(|e| rename(e, "workspace_name"))?;
    let slug = validate_slug(&input.workspace_slug).map_err(|e| rename(e, "workspace_slug"))?;
    validate_name("product_name", &input.product_name)?;
    validate_key(&input.product_key).map_err(|e| rename(e, "product_key"))?;
    if input.demo && slug == DEMO_SLUG {
        return Err(Error::invalid(
            "workspace_slug",
            "the demo takes the address \"demo\"; choose another for your workspace",
        ));
    }
    Ok(())
}

/// The field a shared validator names, as this form calls it.
fn rename(e: Error, field: &str) -> Error {
    match e {
        Error::Invalid { message, .. } => Error::invalid(field, message),
        other => other,
    }
}

/// Runs the setup: the first account (the instance's admin), its workspace and product, and
/// the demo when asked. Refused once any account exists.
pub async fn run(db: &Db, input: &SetupInput) -> Result<(User, Workspace, Product)> {
    check(input)?;
    if crate::instance::store::has_accounts(db).await? {
        return Err(Error::Conflict(
            "this installation is set up already; sign in instead".into(),
        ));
    }
    let user = accounts::create_user(db, &input.email, &input.name, &input.password).await?;
    let workspace =
        ws::create_workspace(db, &user, &input.workspace_slug, &input.workspace_name).await?;
    let product = ws::create_product(
        db,
        &user,
        &workspace,
        true,
        &input.product_key,
        &input.product_name,
        "",
    )
    .await?;
    if input.demo {
        demo_beside(db, &user).await?;
    }
    Ok((user, workspace, product))
}

/// Loads the demo and makes the new admin an admin, PM and PO there. The demo's own people
/// become placeholders: their password is printed in the README, so none may sign in.
async fn demo_beside(db: &Db, admin: &User) -> Result<()> {
    crate::seed::demo(db).await.map_err(Error::Internal)?;
    let owner = accounts::find_by_email(db, crate::seed::DEMO_EMAIL)
        .await?
        .ok_or(Error::NotFound)?;
    let (demo, _) = ws::workspace_for(db, owner.id, DEMO_SLUG).await?;
    ws::add_member(db, &owner, &demo, true, &admin.email, true).await?;
    for p in ws::products(db, demo.id).await? {
        let ctx = ws::product_ctx(db, owner.id, DEMO_SLUG, &p.key).await?;
        ws::set_roles(db, &owner, &ctx, admin.id, &[Role::Pm, Role::Po]).await?;
    }
    accounts::make_placeholders(db, "@throughline.local").await?;
    Ok(())
}
