//! SQL for workspaces, members, products and roles.

use std::sync::LazyLock;

use serde_json::json;

use super::{Member, Product, ProductCtx, ProductRoles, Workspace};
use crate::audit::{self, Change};
use crate::auth::store::User;
use crate::auth::{Action, Grants, Role};
use crate::db::batch::{Read, Rows};
use crate::db::{now, Db};
use crate::error::{Error, Result};
use crate::{exec, on};

pub async fn create_workspace(db: &Db, actor: &User, slug: &str, name: &str) -> Result<Workspace> {
    let slug = super::validate_slug(slug)?;
    let name = super::validate_name("name", name)?;
    let admin = crate::auth::store::is_instance_admin(db, actor.id).await?;
    crate::instance::store::settings(db)
        .await?
        .check_workspace_creation(admin)?;
    let mut tx = db.begin().await?;
    let id: i64 = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "INSERT INTO workspaces (slug, name, created_at) VALUES ($1, $2, $3) RETURNING id")
        .bind(&slug).bind(&name).bind(now()).fetch_one(&mut **t).await)
    .map_err(|e| match Error::from(e) {
        Error::Conflict(_) => Error::invalid("slug", "that address is taken"),
        other => other,
    })?;
    exec!(&mut tx.conn(), t => sqlx::query(
        "INSERT INTO workspace_members (workspace_id, user_id, is_admin) VALUES ($1, $2, TRUE)")
        .bind(id).bind(actor.id))?;
    let ws = Workspace {
        id,
        slug,
        name,
        version: 1,
    };
    audit::store::record(
        &mut tx,
        Change {
            workspace_id: Some(id),
            actor_id: Some(actor.id),
            action: "workspace.create",
            entity_type: "workspace",
            entity_id: id,
            before: None,
            after: Some(json!(ws)),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(ws)
}

pub async fn workspaces_of(db: &Db, user_id: i64) -> Result<Vec<Workspace>> {
    Ok(on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT w.id, w.slug, w.name, w.version FROM workspaces w
         JOIN workspace_members m ON m.workspace_id = w.id AND m.user_id = $1 ORDER BY w.name")
        .bind(user_id).fetch_all(&mut **c).await)?)
}

/// The workspace if the user belongs to it; outsiders get NotFound, never a hint it exists.
pub async fn workspace_for(db: &Db, user_id: i64, slug: &str) -> Result<(Workspace, bool)> {
    let read = Read::query(
        MEMBER_BY_USER.as_str(),
        vec![user_id.into(), slug.into()],
        |rows| member_of(&rows),
    );
    read.on(db).await?.ok_or(Error::NotFound)
}

/// A workspace and whether its member administers it, named `m_…`: alone, or joined to the
/// caller's row in a page's prologue, where an outsider's columns are empty.
#[derive(sqlx::FromRow)]
struct MemberRow {
    m_id: Option<i64>,
    m_slug: Option<String>,
    m_name: Option<String>,
    m_version: Option<i64>,
    m_admin: Option<bool>,
}

/// The workspace the first row of [`MEMBER_SQL`] (alone or joined) shows; none for an outsider.
pub(super) fn member_of(rows: &Rows) -> sqlx::Result<Option<(Workspace, bool)>> {
    let Some(r) = rows.first::<MemberRow>()? else {
        return Ok(None);
    };
    Ok(match (r.m_id, r.m_slug, r.m_name, r.m_version, r.m_admin) {
        (Some(id), Some(slug), Some(name), Some(version), Some(admin)) => Some((
            Workspace {
                id,
                slug,
                name,
                version,
            },
            admin,
        )),
        _ => None,
    })
}

/// Who a prologue's read is for, before they are known: the holder of a session or of an API
/// token, by the hash of its secret.
#[derive(Clone, Copy, Debug)]
pub enum Caller<'a> {
    Session(&'a str),
    Token(&'a str),
}

/// The expressions naming the caller in a query whose `$1` is a session's or a token's hash.
const BY_SESSION: &str = "(SELECT user_id FROM sessions WHERE id_hash = $1)";
const BY_TOKEN: &str = "(SELECT user_id FROM api_tokens WHERE token_hash = $1)";

/// The workspace `$2` names and whether `{user}` administers it, if they are a member.
const MEMBER_SQL: &str = "SELECT w.id AS m_id, w.slug AS m_slug, w.name AS m_name,
            w.version AS m_version, m.is_admin AS m_admin FROM workspaces w
     JOIN workspace_members m ON m.workspace_id = w.id AND m.user_id = {user} WHERE w.slug = $2";

static MEMBER_BY_USER: LazyLock<String> = LazyLock::new(|| MEMBER_SQL.replace("{user}", "$1"));
pub(super) static MEMBER_BY_SESSION: LazyLock<String> =
    LazyLock::new(|| MEMBER_SQL.replace("{user}", BY_SESSION));
pub(super) static MEMBER_BY_TOKEN: LazyLock<String> =
    LazyLock::new(|| MEMBER_SQL.replace("{user}", BY_TOKEN));

/// A workspace as a read names it: by id once known, or by slug in a page's prologue, where
/// the read shares the round trip that finds the workspace (its answer is used only once the
/// caller is known to be a member).
#[derive(Clone, Copy, Debug)]
pub enum WsRef<'a> {
    Id(i64),
    Slug(&'a str),
}

impl WsRef<'_> {
    /// `sql` with `{ws}` standing for the workspace's id, which is found from `$1`.
    pub fn sql(self, sql: &str) -> String {
        sql.replace(
            "{ws}",
            match self {
                WsRef::Id(_) => "$1",
                WsRef::Slug(_) => "(SELECT id FROM workspaces WHERE slug = $1)",
            },
        )
    }

    /// The argument `$1` of [`WsRef::sql`].
    pub fn arg(self) -> crate::db::batch::Arg {
        match self {
            WsRef::Id(id) => id.into(),
            WsRef::Slug(slug) => slug.into(),
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct CtxRow {
    w_id: i64,
    w_slug: String,
    w_name: String,
    w_version: i64,
    is_admin: bool,
    #[sqlx(rename = "p_id")]
    id: i64,
    #[sqlx(rename = "p_workspace_id")]
    workspace_id: i64,
    #[sqlx(rename = "p_key")]
    key: String,
    #[sqlx(rename = "p_name")]
    name: String,
    #[sqlx(rename = "p_description")]
    description: String,
    #[sqlx(rename = "p_version")]
    version: i64,
    #[sqlx(rename = "p_ready_rules")]
    ready_rules: String,
    #[sqlx(rename = "p_cadence")]
    cadence: String,
    role: Option<String>,
}

/// Where a product request lands and what the caller holds there, in one query (one row per
/// role held); `{user}` is the expression naming the caller, `$2` the workspace's slug and
/// `{product}` the condition naming the product (`$3`, its key). The product's columns are
/// named `p_…`, so that a statement joining more to them (an item's row) names each once.
const CTX_SQL: &str =
    "SELECT w.id AS w_id, w.slug AS w_slug, w.name AS w_name, w.version AS w_version, m.is_admin,
            p.id AS p_id, p.workspace_id AS p_workspace_id, p.key AS p_key, p.name AS p_name,
            p.description AS p_description, p.version AS p_version, p.ready_rules AS p_ready_rules,
            p.cadence AS p_cadence, r.role
     FROM workspaces w
     JOIN workspace_members m ON m.workspace_id = w.id AND m.user_id = {user}
     JOIN products p ON p.workspace_id = w.id{product}
     LEFT JOIN product_roles r ON r.product_id = p.id AND r.user_id = m.user_id
     WHERE w.slug = $2";

fn ctx_sql(user: &str) -> String {
    CTX_SQL
        .replace("{user}", user)
        .replace("{product}", " AND p.key = $3")
}

static CTX_BY_USER: LazyLock<String> = LazyLock::new(|| ctx_sql("$1"));
pub(super) static CTX_BY_TOKEN: LazyLock<String> = LazyLock::new(|| ctx_sql(BY_TOKEN));
pub(super) static CTX_BY_SESSION: LazyLock<String> = LazyLock::new(|| ctx_sql(BY_SESSION));
static CTXS_BY_USER: LazyLock<String> = LazyLock::new(|| {
    CTX_SQL.replace("{user}", "$1").replace("{product}", "") + " ORDER BY p.key, p.id"
});

/// The context of every product of workspace `slug` for `user_id`, by key, in one query (a page
/// that shows all the products); none for an outsider.
pub fn ctxs_read(user_id: i64, slug: &str) -> Read<Vec<ProductCtx>> {
    Read::query(
        CTXS_BY_USER.as_str(),
        vec![user_id.into(), slug.into()],
        move |rows| {
            let mut out: Vec<Vec<CtxRow>> = Vec::new();
            for row in rows.all::<CtxRow>()? {
                match out.last_mut() {
                    Some(same) if same[0].id == row.id => same.push(row),
                    _ => out.push(vec![row]),
                }
            }
            // Each group has a row, so each makes a context.
            Ok(out
                .into_iter()
                .filter_map(|rows| ctx_of(user_id, rows).ok())
                .collect())
        },
    )
}

/// The product an item key (`ONB-42`) names in workspace `slug`, with the caller's roles there.
pub async fn item_ctx(db: &Db, user_id: i64, slug: &str, item_key: &str) -> Result<ProductCtx> {
    let (prefix, _) = super::parse_item_key(item_key).ok_or(Error::NotFound)?;
    product_ctx(db, user_id, slug, &prefix).await
}

/// Where a product request lands and what the caller holds there. Outsiders of the workspace,
/// and unknown products, are NotFound.
pub async fn product_ctx(db: &Db, user_id: i64, slug: &str, key: &str) -> Result<ProductCtx> {
    let rows = Read::query(
        CTX_BY_USER.as_str(),
        vec![user_id.into(), slug.into(), key.to_uppercase().into()],
        |rows| rows.all::<CtxRow>(),
    )
    .on(db)
    .await?;
    ctx_of(user_id, rows)
}

/// The context the rows of a product's context query make for `user_id`; none is NotFound.
pub fn ctx_of(user_id: i64, rows: Vec<CtxRow>) -> Result<ProductCtx> {
    let roles = rows
        .iter()
        .filter_map(|r| r.role.as_deref().and_then(Role::parse))
        .collect();
    let r = rows.into_iter().next().ok_or(Error::NotFound)?;
    Ok(ProductCtx {
        user_id,
        workspace: Workspace {
            id: r.w_id,
            slug: r.w_slug,
            name: r.w_name,
            version: r.w_version,
        },
        product: Product {
            id: r.id,
            workspace_id: r.workspace_id,
            key: r.key,
            name: r.name,
            description: r.description,
            version: r.version,
            ready_rules: r.ready_rules,
            cadence: r.cadence,
        },
        grants: Grants {
            roles,
            admin: r.is_admin,
        },
    })
}

pub async fn roles_on(db: &Db, product_id: i64, user_id: i64) -> Result<Vec<Role>> {
    let names: Vec<String> = on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar(
        "SELECT role FROM product_roles WHERE product_id = $1 AND user_id = $2 ORDER BY role")
        .bind(product_id).bind(user_id).fetch_all(&mut **c).await)?;
    Ok(names.iter().filter_map(|n| Role::parse(n)).collect())
}

pub async fn products(db: &Db, workspace_id: i64) -> Result<Vec<Product>> {
    Ok(products_read(WsRef::Id(workspace_id)).on(db).await?)
}

/// [`products`] as a read that may share a round trip with others.
pub fn products_read(ws: WsRef<'_>) -> Read<Vec<Product>> {
    Read::query(
        ws.sql(
            "SELECT id, workspace_id, key, name, description, version, ready_rules, cadence FROM products
         WHERE workspace_id = {ws} ORDER BY key",
        ),
        vec![ws.arg()],
        |rows| rows.all::<Product>(),
    )
}

/// The roles a product's creator receives on it: Product Manager and Product Owner.
pub const CREATOR_ROLES: [Role; 2] = [Role::Pm, Role::Po];

/// Creates a product (workspace admins only); its creator becomes its PM and PO.
pub async fn create_product(
    db: &Db,
    actor: &User,
    ws: &Workspace,
    admin: bool,
    key: &str,
    name: &str,
    description: &str,
) -> Result<Product> {
    if !admin {
        return Err(Error::forbidden("only workspace admins may add products"));
    }
    let key = super::validate_key(key)?;
    let name = super::validate_name("name", name)?;
    let mut tx = db.begin().await?;
    let id: i64 = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "INSERT INTO products (workspace_id, key, name, description, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(ws.id).bind(&key).bind(&name).bind(description.trim()).bind(now()).fetch_one(&mut **t).await)
        .map_err(|e| match Error::from(e) {
            Error::Conflict(_) => Error::invalid("key", "another product in this workspace has that key"),
            other => other,
        })?;
    let product = Product {
        id,
        workspace_id: ws.id,
        key,
        name,
        description: description.trim().to_string(),
        version: 1,
        ready_rules: "{}".into(),
        cadence: "sprints".into(),
    };
    // The creator can work on her product at once: she holds its strategy and its backlog
    // until she hands either role to someone else.
    for role in CREATOR_ROLES {
        exec!(&mut tx.conn(), t => sqlx::query("INSERT INTO product_roles (product_id, user_id, role) VALUES ($1, $2, $3)")
            .bind(id).bind(actor.id).bind(role.as_str()))?;
    }
    audit::store::record(
        &mut tx,
        Change {
            workspace_id: Some(ws.id),
            actor_id: Some(actor.id),
            action: "product.create",
            entity_type: "product",
            entity_id: id,
            before: None,
            after: Some(json!(product)),
            reason: None,
        },
    )
    .await?;
    audit::store::record(
        &mut tx,
        Change {
            workspace_id: Some(ws.id),
            actor_id: Some(actor.id),
            action: "roles.set",
            entity_type: "user",
            entity_id: actor.id,
            before: Some(json!({"product": product.key, "roles": []})),
            after: Some(json!({"product": product.key, "roles": CREATOR_ROLES})),
            reason: Some("created the product"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(product)
}

/// (e-mail, name) of everyone holding a role on a product, by name.
pub async fn product_people(db: &Db, product_id: i64) -> Result<Vec<(String, String)>> {
    Ok(product_people_read(product_id).on(db).await?)
}

/// [`product_people`] as a read that may share a round trip with others.
pub fn product_people_read(product_id: i64) -> Read<Vec<(String, String)>> {
    Read::query(
        "SELECT DISTINCT u.email, u.name FROM product_roles r JOIN users u ON u.id = r.user_id
         WHERE r.product_id = $1 ORDER BY u.name, u.email",
        vec![product_id.into()],
        |rows| rows.all(),
    )
}

/// The names of those holding `role` on a product, by name ("Ordered by Dana Demo, PO").
pub async fn holders(db: &Db, product_id: i64, role: Role) -> Result<Vec<String>> {
    Ok(holders_read(product_id, role).on(db).await?)
}

/// [`holders`] as a read that may share a round trip with others.
pub fn holders_read(product_id: i64, role: Role) -> Read<Vec<String>> {
    Read::query(
        "SELECT u.name FROM product_roles r JOIN users u ON u.id = r.user_id
         WHERE r.product_id = $1 AND r.role = $2 ORDER BY u.name",
        vec![product_id.into(), role.as_str().into()],
        |rows| Ok(rows.all::<(String,)>()?.into_iter().map(|(n,)| n).collect()),
    )
}

pub async fn members(db: &Db, workspace_id: i64) -> Result<Vec<Member>> {
    let users: Vec<(i64, String, String, bool, bool)> = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT u.id, u.email, u.name, m.is_admin, u.placeholder FROM workspace_members m JOIN users u ON u.id = m.user_id
         WHERE m.workspace_id = $1 ORDER BY u.name")
        .bind(workspace_id).fetch_all(&mut **c).await)?;
    let roles: Vec<(i64, String, String)> = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT r.user_id, pr.key, r.role FROM product_roles r JOIN products pr ON pr.id = r.product_id
         WHERE pr.workspace_id = $1 ORDER BY pr.key, r.role")
        .bind(workspace_id).fetch_all(&mut **c).await)?;
    Ok(users
        .into_iter()
        .map(|(user_id, email, name, admin, placeholder)| {
            let mut held: Vec<ProductRoles> = Vec::new();
            for (_, key, role) in roles.iter().filter(|r| r.0 == user_id) {
                let Some(role) = Role::parse(role) else {
                    continue;
                };
                match held.iter_mut().find(|h| &h.product == key) {
                    Some(h) => h.roles.push(role),
                    None => held.push(ProductRoles {
                        product: key.clone(),
                        roles: vec![role],
                    }),
                }
            }
            Member {
                user_id,
                email,
                name,
                admin,
                placeholder,
                roles: held,
            }
        })
        .collect())
}

/// The account a path names as `{member}`: its numeric id, or its e-mail.
pub async fn member_id(db: &Db, member: &str) -> Result<i64> {
    if let Ok(id) = member.parse::<i64>() {
        return Ok(id);
    }
    let user = crate::auth::store::find_by_email(db, member).await?;
    Ok(user.ok_or(Error::NotFound)?.id)
}

/// One member of a workspace with their roles; 404 for anyone else.
pub async fn member(db: &Db, workspace_id: i64, user_id: i64) -> Result<Member> {
    members(db, workspace_id)
        .await?
        .into_iter()
        .find(|m| m.user_id == user_id)
        .ok_or(Error::NotFound)
}

/// Makes an account a member of the workspace in the caller's transaction (an import's people);
/// true when it was not one already.
pub async fn join(c: &mut crate::db::Conn<'_>, workspace_id: i64, user_id: i64) -> Result<bool> {
    let added = exec!(c, t => sqlx::query(
        "INSERT INTO workspace_members (workspace_id, user_id, is_admin) VALUES ($1, $2, FALSE)
         ON CONFLICT (workspace_id, user_id) DO NOTHING")
        .bind(workspace_id).bind(user_id))?;
    Ok(added == 1)
}

/// The placeholder accounts among the workspace's members, as (id, name).
pub async fn placeholders(
    c: &mut crate::db::Conn<'_>,
    workspace_id: i64,
) -> Result<Vec<(i64, String)>> {
    Ok(on!(c, t => sqlx::query_as(
        "SELECT u.id, u.name FROM users u JOIN workspace_members m ON m.user_id = u.id
         WHERE m.workspace_id = $1 AND u.placeholder ORDER BY u.id")
        .bind(workspace_id).fetch_all(&mut **t).await)?)
}

/// Adds an existing account to the workspace (admins only).
pub async fn add_member(
    db: &Db,
    actor: &User,
    ws: &Workspace,
    admin: bool,
    email: &str,
    make_admin: bool,
) -> Result<User> {
    if !admin {
        return Err(Error::forbidden("only workspace admins may add members"));
    }
    let user = crate::auth::store::find_by_email(db, email)
        .await?
        .ok_or_else(|| {
            Error::invalid(
                "email",
                "no account has that e-mail; invite them instead, or create the account with \
                 `throughline user add`",
            )
        })?;
    crate::instance::store::settings(db)
        .await?
        .check_email("email", &user.email)?;
    let mut tx = db.begin().await?;
    exec!(&mut tx.conn(), t => sqlx::query(
        "INSERT INTO workspace_members (workspace_id, user_id, is_admin) VALUES ($1, $2, $3)")
        .bind(ws.id).bind(user.id).bind(make_admin))
    .map_err(|e| match Error::from(e) {
        Error::Conflict(_) => Error::invalid("email", "already a member"),
        other => other,
    })?;
    audit::store::record(
        &mut tx,
        Change {
            workspace_id: Some(ws.id),
            actor_id: Some(actor.id),
            action: "member.add",
            entity_type: "user",
            entity_id: user.id,
            before: None,
            after: Some(json!({"email": user.email, "admin": make_admin})),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

/// Replaces a member's roles on a product (workspace admins only).
pub async fn set_roles(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    user_id: i64,
    roles: &[Role],
) -> Result<()> {
    ctx.grants.require(Action::ManageRoles)?;
    let is_member: Option<i64> = on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar(
        "SELECT user_id FROM workspace_members WHERE workspace_id = $1 AND user_id = $2")
        .bind(ctx.workspace.id).bind(user_id).fetch_optional(&mut **c).await)?;
    if is_member.is_none() {
        return Err(Error::invalid("user", "not a member of this workspace"));
    }
    let before = roles_on(db, ctx.product.id, user_id).await?;
    let mut roles = roles.to_vec();
    roles.sort();
    roles.dedup();
    let mut tx = db.begin().await?;
    exec!(&mut tx.conn(), t => sqlx::query("DELETE FROM product_roles WHERE product_id = $1 AND user_id = $2")
        .bind(ctx.product.id).bind(user_id))?;
    for role in &roles {
        exec!(&mut tx.conn(), t => sqlx::query("INSERT INTO product_roles (product_id, user_id, role) VALUES ($1, $2, $3)")
            .bind(ctx.product.id).bind(user_id).bind(role.as_str()))?;
    }
    Change::by(actor, ctx, "roles.set", ("user", user_id))
        .before(&json!({"product": ctx.product.key, "roles": before}))
        .after(&json!({"product": ctx.product.key, "roles": roles}))
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
