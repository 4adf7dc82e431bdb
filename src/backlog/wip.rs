//! The flow board's WIP limits (E11) as a rule of the backlog: a product in flow may block a
//! column at its limit, and the block holds for every change of an item's status (the item API,
//! MCP, the CLI), not only for moves on the board. Only the flow board's move lets the Product
//! Owner go past a blocking limit, with a reason. The settings live on the product; the flow
//! room sets them and draws the board.

use serde::Serialize;

use crate::audit::{Load, Versioned};
use crate::db::{Conn, Tx};
use crate::error::{Error, Result};
use crate::on;

/// The columns a flow board limits: work in progress (PRODUCT.md, Definitions). To do is the
/// top of the ordered backlog and Done is where work leaves, so neither takes a limit.
pub const LIMITED: [&str; 2] = ["in_progress", "in_review"];

/// How a product works, and the limits of its flow board.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FlowSettings {
    /// sprints or flow.
    pub cadence: String,
    /// warn: a move over a limit goes ahead with a warning; block: it is refused unless the
    /// Product Owner overrides it with a reason.
    pub wip_mode: String,
    /// WIP limit of In progress, if any.
    pub wip_in_progress: Option<i64>,
    /// WIP limit of In review, if any.
    pub wip_in_review: Option<i64>,
    /// The flow settings' version: the ETag to send back in If-Match.
    pub version: i64,
}

impl FlowSettings {
    pub fn limit(&self, status: &str) -> Option<i64> {
        match status {
            "in_progress" => self.wip_in_progress,
            "in_review" => self.wip_in_review,
            _ => None,
        }
    }

    pub fn is_flow(&self) -> bool {
        self.cadence == "flow"
    }
}

impl Versioned for FlowSettings {
    const NOUN: &'static str = "the flow settings";
    fn version(&self) -> i64 {
        self.version
    }
}

impl Load for FlowSettings {
    type Key = i64;
    async fn load(c: &mut Conn<'_>, product_id: i64) -> Result<Self> {
        let (cadence, wip_mode, wip_in_progress, wip_in_review, version) = on!(c, t => sqlx::query_as::<_, (String, String, Option<i64>, Option<i64>, i64)>(
            "SELECT cadence, wip_mode, flow_wip_in_progress, flow_wip_in_review, flow_version FROM products WHERE id = $1")
            .bind(product_id).fetch_one(&mut **t).await)?;
        Ok(FlowSettings {
            cadence,
            wip_mode,
            wip_in_progress,
            wip_in_review,
            version,
        })
    }
}

/// The keys of the other cards in a column, inside a transaction: of the product, or of one
/// team's members (a team's board, with its own limits).
pub async fn holders(
    c: &mut Conn<'_>,
    product_id: i64,
    key: &str,
    status: &str,
    except: crate::ids::ItemId,
    team: Option<i64>,
) -> Result<Vec<String>> {
    let numbers: Vec<i64> = on!(c, t => sqlx::query_scalar(
        "SELECT number FROM items WHERE product_id = $1 AND status = $2 AND id <> $3
           AND ($4 IS NULL OR assignee_id IN (SELECT user_id FROM team_members WHERE team_id = $4))
         ORDER BY rank")
        .bind(product_id).bind(status).bind(except).bind(team).fetch_all(&mut **t).await)?;
    Ok(numbers.into_iter().map(|n| format!("{key}-{n}")).collect())
}

/// Inside a status change of item `id` to `status`: refuses it when the product runs in flow
/// and the column is at a blocking limit; over a warning limit it goes ahead, and the warning
/// (the board's own sentence, naming the limit and the cards that hold it) is returned for the
/// answer. The product is locked first, as the board's move does, so that two changes at once
/// cannot both take the last place under a limit.
pub async fn guard(
    tx: &mut Tx,
    product_id: i64,
    key: &str,
    id: crate::ids::ItemId,
    status: &str,
) -> Result<Option<String>> {
    if !LIMITED.contains(&status) {
        return Ok(None);
    }
    let s = FlowSettings::load(&mut tx.conn(), product_id).await?;
    if !s.is_flow() || s.limit(status).is_none() {
        return Ok(None);
    }
    super::store::lock_product(tx, product_id).await?;
    let held = holders(&mut tx.conn(), product_id, key, status, id, None).await?;
    match check_wip(&s, status, &held) {
        WipCheck::Block(why) => Err(Error::Conflict(why)),
        WipCheck::Warn(warning) => Ok(Some(warning)),
        WipCheck::Fits => Ok(None),
    }
}

/// What a WIP limit says of one move into a column.
#[derive(Clone, Debug, PartialEq)]
pub enum WipCheck {
    /// No limit, or room under it.
    Fits,
    /// Over the limit in warn mode: the move goes ahead with this warning.
    Warn(String),
    /// At the limit in block mode: refused, with the sentence naming the limit and its cards.
    Block(String),
}

/// Whether a card may enter `status`, which holds `holders` (other cards) now.
pub fn check_wip(s: &FlowSettings, status: &str, holders: &[String]) -> WipCheck {
    let Some(limit) = s.limit(status) else {
        return WipCheck::Fits;
    };
    let n = holders.len() as i64;
    if n < limit {
        return WipCheck::Fits;
    }
    let title = crate::backlog::status_title(status);
    let cards = holders.join(", ");
    if s.wip_mode == "block" {
        WipCheck::Block(format!(
            "{title} is at its WIP limit of {limit}, held by {cards}: finish one of them first, \
             or the Product Owner may override with a reason"
        ))
    } else {
        WipCheck::Warn(format!(
            "{title} now holds {} cards, over its WIP limit of {limit} ({cards} were there)",
            n + 1
        ))
    }
}
