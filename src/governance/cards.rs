//! What a board shows on each card beyond its row, the same on the sprint board and the flow
//! board: the trace chip (its tier and initiative) and the card's facts (assignee, blockers,
//! days in its column). Read for all the cards of a board at once: two queries, one round trip.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::tiers::{traces_read, ItemTrace};
use crate::backlog::cards::{facts_read, CardFacts, Cards};
use crate::backlog::Trace;
use crate::db::batch::Read;
use crate::db::Db;
use crate::error::Result;
use crate::ids::ItemId;
use crate::workspace::ProductCtx;

#[derive(Default)]
pub struct CardDecor {
    traces: HashMap<ItemId, ItemTrace>,
    facts: HashMap<ItemId, CardFacts>,
    no_trace: ItemTrace,
    no_facts: CardFacts,
    /// The moment the board was read, for the days in column.
    pub now: DateTime<Utc>,
}

impl CardDecor {
    pub async fn load(db: &Db, ctx: &ProductCtx, ids: &[ItemId]) -> Result<CardDecor> {
        Ok(CardDecor::load_read(ctx, Cards::Ids(ids)).on(db).await?)
    }

    /// [`CardDecor::load`] as a read that may share a round trip with others.
    pub fn load_read(ctx: &ProductCtx, cards: Cards) -> Read<CardDecor> {
        traces_read(ctx.product.id, cards)
            .and(facts_read(cards))
            .map(|(traces, facts)| {
                Ok(CardDecor {
                    traces,
                    facts,
                    now: Utc::now(),
                    ..CardDecor::default()
                })
            })
    }

    /// By reference, as the templates' loops hold their ids.
    pub fn trace(&self, item_id: &ItemId) -> Trace<'_> {
        self.traces.get(item_id).unwrap_or(&self.no_trace).chip()
    }

    pub fn facts(&self, item_id: &ItemId) -> &CardFacts {
        self.facts.get(item_id).unwrap_or(&self.no_facts)
    }
}
