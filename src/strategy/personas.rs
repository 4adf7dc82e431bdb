//! Personas (S2) that stories name, and the product's vision (S0).

use serde_json::json;

use super::research_model::{Persona, PersonaInput, Vision, VisionInput};
use crate::audit::{Change, Guarded, Load, Versioned};
use crate::auth::store::User;
use crate::auth::Action;
use crate::db::{now, Conn, Db};
use crate::error::{Error, Result};
use crate::workspace::ProductCtx;
use crate::{exec, on};

impl Versioned for Persona {
    const NOUN: &'static str = "the persona";
    fn version(&self) -> i64 {
        self.version
    }
}

impl Load for Persona {
    /// (product, persona)
    type Key = (i64, i64);
    async fn load(c: &mut Conn<'_>, (product_id, id): Self::Key) -> Result<Self> {
        list_on(c, product_id)
            .await?
            .into_iter()
            .find(|p| p.id == id)
            .ok_or(Error::NotFound)
    }
}

impl Versioned for Vision {
    const NOUN: &'static str = "the product";
    fn version(&self) -> i64 {
        self.version
    }
}

impl Load for Vision {
    /// The product.
    type Key = i64;
    async fn load(c: &mut Conn<'_>, product_id: Self::Key) -> Result<Self> {
        Ok(on!(c, c => sqlx::query_as(
            "SELECT vision, target_segments, positioning, vision_version AS version FROM products WHERE id = $1")
            .bind(product_id).fetch_one(&mut **c).await)?)
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    name: String,
    segment: String,
    goals: String,
    pains: String,
    items: i64,
    version: i64,
}

pub async fn list(db: &Db, ctx: &ProductCtx) -> Result<Vec<Persona>> {
    ctx.grants.require(Action::ViewStrategy)?;
    list_on(&mut db.reader().await?.conn(), ctx.product.id).await
}

async fn list_on(c: &mut Conn<'_>, product_id: i64) -> Result<Vec<Persona>> {
    let rows: Vec<Row> = on!(c, c => sqlx::query_as(
        "SELECT pe.id, pe.name, pe.segment, pe.goals, pe.pains, pe.version,
                (SELECT COUNT(*) FROM items i WHERE i.persona_id = pe.id) AS items
         FROM personas pe WHERE pe.product_id = $1 ORDER BY pe.name")
        .bind(product_id).fetch_all(&mut **c).await)?;
    Ok(rows
        .into_iter()
        .map(|r| Persona {
            id: r.id,
            name: r.name,
            segment: r.segment,
            goals: r.goals,
            pains: r.pains,
            items: r.items,
            version: r.version,
        })
        .collect())
}

pub async fn get(db: &Db, ctx: &ProductCtx, id: i64) -> Result<Persona> {
    list(db, ctx)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(Error::NotFound)
}

fn fields(old: Option<&Persona>, p: &PersonaInput) -> Result<[String; 4]> {
    let name = match (&p.name, old) {
        (Some(n), _) => super::validate_title("name", n)?,
        (None, Some(o)) => o.name.clone(),
        (None, None) => return Err(Error::invalid("name", "required")),
    };
    let text = |field: &str, new: &Option<String>, old: Option<&String>| match (new, old) {
        (Some(v), _) => crate::backlog::validate_text(field, v, 5_000),
        (None, Some(o)) => Ok(o.clone()),
        (None, None) => Ok(String::new()),
    };
    Ok([
        name,
        text("segment", &p.segment, old.map(|o| &o.segment))?,
        text("goals", &p.goals, old.map(|o| &o.goals))?,
        text("pains", &p.pains, old.map(|o| &o.pains))?,
    ])
}

fn taken(e: sqlx::Error) -> Error {
    match Error::from(e) {
        Error::Conflict(_) => {
            Error::invalid("name", "another persona of this product has that name")
        }
        other => other,
    }
}

pub async fn create(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    input: PersonaInput,
) -> Result<Persona> {
    ctx.grants.require(Action::ManageStrategy)?;
    let [name, segment, goals, pains] = fields(None, &input)?;
    let mut tx = db.begin().await?;
    let at = now();
    let id: i64 = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "INSERT INTO personas (product_id, name, segment, goals, pains, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id")
        .bind(ctx.product.id).bind(&name).bind(&segment).bind(&goals).bind(&pains).bind(at).fetch_one(&mut **t).await)
        .map_err(taken)?;
    let after = json!({"name": name, "segment": segment, "goals": goals, "pains": pains});
    Change::by(actor, ctx, "persona.create", ("persona", id))
        .after(&after)
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    get(db, ctx, id).await
}

pub async fn update(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    id: i64,
    version: i64,
    input: PersonaInput,
) -> Result<Persona> {
    ctx.grants.require(Action::ManageStrategy)?;
    let (mut w, [name, segment, goals, pains]) =
        Guarded::<Persona>::merging(db, (ctx.product.id, id), version, |old| {
            fields(Some(old), &input)
        })
        .await?;
    let n = exec!(&mut w.conn(), c => sqlx::query(
        "UPDATE personas SET name = $1, segment = $2, goals = $3, pains = $4, updated_at = $5, version = version + 1
         WHERE id = $6 AND product_id = $7 AND version = $8")
        .bind(&name).bind(&segment).bind(&goals).bind(&pains).bind(now()).bind(id).bind(ctx.product.id).bind(version))
        .map_err(taken)?;
    let after = json!({"name": name, "segment": segment, "goals": goals, "pains": pains});
    w.commit(
        n,
        Change::by(actor, ctx, "persona.update", ("persona", id)).after(&after),
    )
    .await?;
    get(db, ctx, id).await
}

/// Names the persona a story is for (or none); the item's free-text persona stays as written.
pub async fn set_item_persona(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    key: &str,
    persona: Option<i64>,
) -> Result<crate::backlog::Item> {
    let edit = super::item_edit::ItemEdit {
        persona: Some(persona),
        ..Default::default()
    };
    super::item_edit::edit_item(db, actor, ctx, key, None, edit).await
}

pub async fn vision(db: &Db, ctx: &ProductCtx) -> Result<Vision> {
    ctx.grants.require(Action::ViewStrategy)?;
    Vision::load(&mut db.reader().await?.conn(), ctx.product.id).await
}

/// The vision after `input`, at the version the write gives it.
fn merge_vision(old: &Vision, input: &VisionInput, version: i64) -> Result<Vision> {
    let text = |field: &str, v: &Option<String>, o: &String, max| match v {
        Some(v) => crate::backlog::validate_text(field, v, max),
        None => Ok(o.clone()),
    };
    Ok(Vision {
        vision: text("vision", &input.vision, &old.vision, 2_000)?,
        target_segments: text(
            "target_segments",
            &input.target_segments,
            &old.target_segments,
            1_000,
        )?,
        positioning: text("positioning", &input.positioning, &old.positioning, 500)?,
        version: version + 1,
    })
}

/// The PM's vision statement, target segments and positioning line; guarded by the product's version.
pub async fn set_vision(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    version: i64,
    input: VisionInput,
) -> Result<Vision> {
    ctx.grants.require(Action::ManageStrategy)?;
    let (mut w, new) = Guarded::<Vision>::merging(db, ctx.product.id, version, |old| {
        merge_vision(old, &input, version)
    })
    .await?;
    let n = exec!(&mut w.conn(), c => sqlx::query(
        "UPDATE products SET vision = $1, target_segments = $2, positioning = $3, vision_version = vision_version + 1 WHERE id = $4 AND vision_version = $5")
        .bind(&new.vision).bind(&new.target_segments).bind(&new.positioning).bind(ctx.product.id).bind(version))?;
    let change = Change::by(actor, ctx, "product.vision", ("product", ctx.product.id)).after(&new);
    w.commit(n, change).await?;
    Ok(new)
}
