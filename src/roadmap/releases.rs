//! Go-to-market (S10): releases, separate from sprints, with the backlog items and initiatives
//! they ship; launches tied to a release with a checklist by function and a readiness figure.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{Change, Guarded, Load, Versioned};
use crate::auth::store::User;
use crate::auth::Action;
use crate::db::{now, Conn, Db, Tx};
use crate::error::{Error, Result};
use crate::ids::ItemId;
use crate::strategy::parse_date;
use crate::workspace::ProductCtx;
use crate::{exec, on};

pub const FUNCTIONS: [&str; 5] = ["marketing", "sales_enablement", "docs", "support", "legal"];

/// Percent of a launch's checklist that is done; none for an empty checklist.
pub fn readiness(done: usize, total: usize) -> Option<i64> {
    (total > 0).then(|| (done * 100 / total) as i64)
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Task {
    pub id: i64,
    /// marketing, sales_enablement, docs, support or legal.
    pub function: String,
    pub title: String,
    pub owner: String,
    pub due_on: String,
    pub done: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Launch {
    pub id: i64,
    pub name: String,
    pub target_date: String,
    pub tasks: Vec<Task>,
    pub readiness: Option<i64>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Release {
    pub id: i64,
    pub name: String,
    pub target_date: String,
    /// planned or released.
    pub status: String,
    pub items: Vec<String>,
    pub initiatives: Vec<i64>,
    pub launches: Vec<Launch>,
    pub version: i64,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseInput {
    pub name: Option<String>,
    /// `YYYY-MM-DD`.
    pub target_date: Option<String>,
    pub status: Option<String>,
    /// Replaces the backlog items it ships (keys).
    pub items: Option<Vec<String>>,
    /// Replaces the initiatives it ships.
    pub initiatives: Option<Vec<i64>>,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LaunchInput {
    pub name: String,
    pub target_date: String,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskInput {
    pub function: String,
    pub title: String,
    #[serde(default)]
    pub owner: String,
    pub due_on: String,
}

impl Versioned for Release {
    const NOUN: &'static str = "the release";
    fn version(&self) -> i64 {
        self.version
    }
}

impl Load for Release {
    /// (product id, product key, release id)
    type Key = (i64, String, i64);
    async fn load(c: &mut Conn<'_>, (pid, key, id): Self::Key) -> Result<Self> {
        list_on(c, pid, &key)
            .await?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or(Error::NotFound)
    }
}

fn key_of(ctx: &ProductCtx, id: i64) -> (i64, String, i64) {
    (ctx.product.id, ctx.product.key.clone(), id)
}

pub async fn list(db: &Db, ctx: &ProductCtx) -> Result<Vec<Release>> {
    ctx.grants.require(Action::ViewStrategy)?;
    list_on(
        &mut db.reader().await?.conn(),
        ctx.product.id,
        &ctx.product.key,
    )
    .await
}

async fn list_on(c: &mut Conn<'_>, pid: i64, key: &str) -> Result<Vec<Release>> {
    let rows: Vec<(i64, String, String, String, i64)> = on!(c, c => sqlx::query_as(
        "SELECT id, name, target_date, status, version FROM releases WHERE product_id = $1 ORDER BY target_date, id")
        .bind(pid).fetch_all(&mut **c).await)?;
    let links: Vec<(String, i64, i64)> = on!(c, c => sqlx::query_as(
        "SELECT 'item', ri.release_id, i.number FROM release_items ri JOIN items i ON i.id = ri.item_id JOIN releases r ON r.id = ri.release_id WHERE r.product_id = $1
         UNION ALL
         SELECT 'initiative', rn.release_id, rn.initiative_id FROM release_initiatives rn JOIN releases r ON r.id = rn.release_id WHERE r.product_id = $1
         ORDER BY 3").bind(pid).fetch_all(&mut **c).await)?;
    let launches: Vec<(i64, i64, String, String)> = on!(c, c => sqlx::query_as(
        "SELECT l.id, l.release_id, l.name, l.target_date FROM launches l JOIN releases r ON r.id = l.release_id WHERE r.product_id = $1 ORDER BY l.target_date, l.id")
        .bind(pid).fetch_all(&mut **c).await)?;
    let tasks: Vec<(i64, Task)> = on!(c, c => sqlx::query_as::<_, (i64, i64, String, String, String, String, bool)>(
        "SELECT t.launch_id, t.id, t.function, t.title, t.owner, t.due_on, t.done FROM launch_tasks t JOIN launches l ON l.id = t.launch_id
         JOIN releases r ON r.id = l.release_id WHERE r.product_id = $1 ORDER BY t.function, t.due_on, t.id")
        .bind(pid).fetch_all(&mut **c).await)?
        .into_iter()
        .map(|(l, id, function, title, owner, due_on, done)| (l, Task { id, function, title, owner, due_on, done }))
        .collect();
    Ok(rows
        .into_iter()
        .map(|(id, name, target_date, status, version)| Release {
            items: links
                .iter()
                .filter(|l| l.0 == "item" && l.1 == id)
                .map(|l| format!("{key}-{}", l.2))
                .collect(),
            initiatives: links
                .iter()
                .filter(|l| l.0 == "initiative" && l.1 == id)
                .map(|l| l.2)
                .collect(),
            launches: launches
                .iter()
                .filter(|l| l.1 == id)
                .map(|l| {
                    let t: Vec<Task> = tasks
                        .iter()
                        .filter(|t| t.0 == l.0)
                        .map(|t| t.1.clone())
                        .collect();
                    Launch {
                        readiness: readiness(t.iter().filter(|t| t.done).count(), t.len()),
                        id: l.0,
                        name: l.2.clone(),
                        target_date: l.3.clone(),
                        tasks: t,
                    }
                })
                .collect(),
            id,
            name,
            target_date,
            status,
            version,
        })
        .collect())
}

pub async fn get(db: &Db, ctx: &ProductCtx, id: i64) -> Result<Release> {
    ctx.grants.require(Action::ViewStrategy)?;
    Release::load(&mut db.reader().await?.conn(), key_of(ctx, id)).await
}

fn day(field: &str, v: &str) -> Result<String> {
    Ok(parse_date(field, v)?.format("%Y-%m-%d").to_string())
}

/// A release's name, target date and status after `r`.
fn merge(old: Option<&Release>, r: &ReleaseInput) -> Result<[String; 3]> {
    let name = match (&r.name, old) {
        (Some(n), _) => crate::strategy::validate_title("name", n)?,
        (None, Some(o)) => o.name.clone(),
        (None, None) => return Err(Error::invalid("name", "required")),
    };
    let target_date = match (&r.target_date, old) {
        (Some(d), _) => day("target_date", d)?,
        (None, Some(o)) => o.target_date.clone(),
        (None, None) => return Err(Error::invalid("target_date", "required")),
    };
    let status = match (r.status.as_deref(), old) {
        (Some(s @ ("planned" | "released")), _) => s.to_string(),
        (Some(_), _) => return Err(Error::invalid("status", "must be planned or released")),
        (None, Some(o)) => o.status.clone(),
        (None, None) => "planned".into(),
    };
    Ok([name, target_date, status])
}

/// The items and initiatives `r` names, checked to be of this product.
async fn links_of(tx: &mut Tx, ctx: &ProductCtx, r: &ReleaseInput) -> Result<Vec<ItemId>> {
    let mut item_ids = Vec::new();
    for k in r.items.iter().flatten() {
        let row = crate::backlog::store::row_in_product(
            &mut tx.conn(),
            ctx.product.id,
            &ctx.product.key,
            &k.trim().to_uppercase(),
        )
        .await
        .map_err(|_| Error::invalid("items", format!("no item {k} in {}", ctx.product.key)))?;
        item_ids.push(row.id);
    }
    for n in r.initiatives.iter().flatten() {
        let found: Option<i64> = on!(&mut tx.conn(), t => sqlx::query_scalar("SELECT id FROM initiatives WHERE id = $1 AND product_id = $2")
            .bind(n).bind(ctx.product.id).fetch_optional(&mut **t).await)?;
        found.ok_or_else(|| {
            Error::invalid("initiatives", format!("no initiative {n} in this product"))
        })?;
    }
    item_ids.sort_unstable();
    item_ids.dedup();
    Ok(item_ids)
}

/// Replaces the release's items and initiatives with those `r` names (each list only if given).
async fn set_links(
    c: &mut Conn<'_>,
    rid: i64,
    r: &ReleaseInput,
    item_ids: &[ItemId],
) -> Result<()> {
    if r.items.is_some() {
        exec!(c, t => sqlx::query("DELETE FROM release_items WHERE release_id = $1").bind(rid))?;
        for i in item_ids {
            exec!(c, t => sqlx::query("INSERT INTO release_items (release_id, item_id) VALUES ($1, $2)").bind(rid).bind(i))?;
        }
    }
    if let Some(ns) = &r.initiatives {
        exec!(c, t => sqlx::query("DELETE FROM release_initiatives WHERE release_id = $1").bind(rid))?;
        let mut ns = ns.clone();
        ns.sort_unstable();
        ns.dedup();
        for n in &ns {
            exec!(c, t => sqlx::query("INSERT INTO release_initiatives (release_id, initiative_id) VALUES ($1, $2)").bind(rid).bind(n))?;
        }
    }
    Ok(())
}

fn taken(e: sqlx::Error) -> Error {
    match Error::from(e) {
        Error::Conflict(_) => {
            Error::invalid("name", "another release of this product has that name")
        }
        other => other,
    }
}

/// Creates (`id` none) or updates a release if `version` is still current.
pub async fn save(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    id: Option<(i64, i64)>,
    r: ReleaseInput,
) -> Result<Release> {
    ctx.grants.require(Action::ManageStrategy)?;
    let audited = |[name, target_date, status]: &[String; 3]| json!({"name": name, "target_date": target_date, "status": status, "items": r.items, "initiatives": r.initiatives});
    let rid = match id {
        None => {
            let f = merge(None, &r)?;
            let mut tx = db.begin().await?;
            let item_ids = links_of(&mut tx, ctx, &r).await?;
            let [name, target_date, status] = &f;
            let rid: i64 = on!(&mut tx.conn(), t => sqlx::query_scalar(
                "INSERT INTO releases (product_id, name, target_date, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id")
                .bind(ctx.product.id).bind(name).bind(target_date).bind(status).bind(now()).fetch_one(&mut **t).await).map_err(taken)?;
            set_links(&mut tx.conn(), rid, &r, &item_ids).await?;
            Change::by(actor, ctx, "release.create", ("release", rid))
                .after(&audited(&f))
                .record(&mut tx)
                .await?;
            tx.commit().await?;
            rid
        }
        Some((id, version)) => {
            let (mut w, f) = Guarded::<Release>::merging(db, key_of(ctx, id), version, |old| {
                merge(Some(old), &r)
            })
            .await?;
            let item_ids = links_of(w.tx(), ctx, &r).await?;
            let [name, target_date, status] = &f;
            let n = exec!(&mut w.conn(), t => sqlx::query(
                "UPDATE releases SET name = $1, target_date = $2, status = $3, updated_at = $4, version = version + 1
                 WHERE id = $5 AND product_id = $6 AND version = $7")
                .bind(name).bind(target_date).bind(status).bind(now()).bind(id).bind(ctx.product.id).bind(version))
                .map_err(taken)?;
            if n == 1 {
                set_links(&mut w.conn(), id, &r, &item_ids).await?;
            }
            let change =
                Change::by(actor, ctx, "release.update", ("release", id)).after(&audited(&f));
            w.commit(n, change).await?;
            id
        }
    };
    get(db, ctx, rid).await
}

pub async fn add_launch(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    release: i64,
    l: &LaunchInput,
) -> Result<Release> {
    ctx.grants.require(Action::ManageStrategy)?;
    get(db, ctx, release).await?;
    let name = crate::strategy::validate_title("name", &l.name)?;
    let target = day("target_date", &l.target_date)?;
    let mut tx = db.begin().await?;
    let id: i64 = on!(&mut tx.conn(), t => sqlx::query_scalar("INSERT INTO launches (release_id, name, target_date, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(release).bind(&name).bind(&target).bind(now()).fetch_one(&mut **t).await)?;
    Change::by(actor, ctx, "launch.create", ("launch", id))
        .after(&json!({"release": release, "name": name, "target_date": target}))
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    get(db, ctx, release).await
}

/// The launch's release, if the launch belongs to this product.
async fn release_of_launch(db: &Db, ctx: &ProductCtx, launch: i64) -> Result<i64> {
    on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar::<_, i64>(
        "SELECT r.id FROM launches l JOIN releases r ON r.id = l.release_id WHERE l.id = $1 AND r.product_id = $2")
        .bind(launch).bind(ctx.product.id).fetch_optional(&mut **c).await)?
        .ok_or(Error::NotFound)
}

pub async fn add_task(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    launch: i64,
    t: &TaskInput,
) -> Result<Release> {
    ctx.grants.require(Action::ManageStrategy)?;
    let release = release_of_launch(db, ctx, launch).await?;
    let function = t.function.trim().to_lowercase().replace([' ', '-'], "_");
    if !FUNCTIONS.contains(&function.as_str()) {
        return Err(Error::invalid(
            "function",
            format!("must be one of {}", FUNCTIONS.join(", ")),
        ));
    }
    let title = crate::strategy::validate_title("title", &t.title)?;
    let owner = crate::backlog::validate_text("owner", &t.owner, 200)?;
    let due = day("due_on", &t.due_on)?;
    let mut tx = db.begin().await?;
    let id: i64 = on!(&mut tx.conn(), x => sqlx::query_scalar("INSERT INTO launch_tasks (launch_id, function, title, owner, due_on) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(launch).bind(&function).bind(&title).bind(&owner).bind(&due).fetch_one(&mut **x).await)?;
    Change::by(actor, ctx, "launch.task", ("launch", launch))
        .after(&json!({"task": id, "function": function, "title": title, "owner": owner, "due_on": due}))
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    get(db, ctx, release).await
}

pub async fn set_task_done(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    task: i64,
    done: bool,
) -> Result<Release> {
    ctx.grants.require(Action::ManageStrategy)?;
    let launch: i64 = on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar::<_, i64>("SELECT launch_id FROM launch_tasks WHERE id = $1").bind(task).fetch_optional(&mut **c).await)?
        .ok_or(Error::NotFound)?;
    let release = release_of_launch(db, ctx, launch).await?;
    let mut tx = db.begin().await?;
    exec!(&mut tx.conn(), t => sqlx::query("UPDATE launch_tasks SET done = $1 WHERE id = $2").bind(done).bind(task))?;
    Change::by(actor, ctx, "launch.task_done", ("launch", launch))
        .after(&json!({"task": task, "done": done}))
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    get(db, ctx, release).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn readiness_is_the_done_share_of_the_checklist() {
        assert_eq!(super::readiness(0, 0), None);
        assert_eq!(super::readiness(1, 3), Some(33));
        assert_eq!(super::readiness(4, 4), Some(100));
    }
}
