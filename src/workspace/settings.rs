//! Versions of a product's settings groups. Each group (vision, Definition of Ready, tier
//! policy, advisor thresholds) has its own, so saving one never makes another's ETag stale.

use crate::db::{Db, Tx};
use crate::error::{Error, Result};
use crate::{exec, on};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
    Vision,
    ReadyRules,
    Tiers,
    Advisor,
}

impl Setting {
    fn column(self) -> &'static str {
        match self {
            Setting::Vision => "vision_version",
            Setting::ReadyRules => "rules_version",
            Setting::Tiers => "tiers_version",
            Setting::Advisor => "advisor_version",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Setting::Vision => "the product's vision",
            Setting::ReadyRules => "the Definition of Ready",
            Setting::Tiers => "the tier policy",
            Setting::Advisor => "the advisor's thresholds",
        }
    }
}

/// The current version of one settings group: its ETag.
pub async fn version(db: &Db, product_id: i64, s: Setting) -> Result<i64> {
    let sql = format!("SELECT {} FROM products WHERE id = $1", s.column());
    Ok(
        on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar(&sql).bind(product_id).fetch_one(&mut **c).await)?,
    )
}

/// Inside a write to one settings group: moves it to its next version, or refuses when it is
/// no longer at `expected` (someone else changed it since it was read).
pub async fn bump(tx: &mut Tx, product_id: i64, s: Setting, expected: i64) -> Result<()> {
    let col = s.column();
    let sql = format!("UPDATE products SET {col} = {col} + 1 WHERE id = $1 AND {col} = $2");
    let done = exec!(&mut tx.conn(), t => sqlx::query(&sql).bind(product_id).bind(expected)
    )?;
    if done == 1 {
        return Ok(());
    }
    let sql = format!("SELECT {col} FROM products WHERE id = $1");
    let now: i64 = on!(&mut tx.conn(), t => sqlx::query_scalar(&sql).bind(product_id).fetch_one(&mut **t).await)?;
    Err(Error::Stale {
        message: format!(
            "{} was changed by someone else; reload and apply your change again",
            s.noun()
        ),
        current: Box::new(serde_json::json!({ "version": now })),
        etag: Some(format!("\"{now}\"")),
    })
}
