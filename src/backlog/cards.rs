//! What a board card says beyond its row (UI.md, "Board"): who works on it, as initials, which
//! open items block it, and since when it is in its column. Read for all the cards of a board
//! in one query, whichever board (sprint or flow) shows them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::db::batch::{Arg, Read};
use crate::db::Db;
use crate::error::Result;
use crate::ids::{ItemId, SprintId};

/// Which cards a read decorates: items named by id, or every item that has been in a sprint
/// (a superset of its board's cards, known before the board is read, so that the board and
/// its decorations share one round trip).
#[derive(Clone, Copy, Debug)]
pub enum Cards<'a> {
    Ids(&'a [ItemId]),
    OfSprint(SprintId),
}

impl Cards<'_> {
    /// Whether there is certainly nothing to read.
    pub fn is_none(&self) -> bool {
        matches!(self, Cards::Ids(ids) if ids.is_empty())
    }

    /// `IN (…)` for an item's id, its marks numbered from `$first`, and their arguments.
    pub fn among(&self, first: usize) -> (String, Vec<Arg>) {
        match self {
            Cards::Ids(ids) => {
                let marks: Vec<String> = (first..first + ids.len())
                    .map(|i| format!("${i}"))
                    .collect();
                let args = ids.iter().map(|id| i64::from(*id).into()).collect();
                (format!("IN ({})", marks.join(",")), args)
            }
            Cards::OfSprint(id) => (
                format!("IN (SELECT item_id FROM sprint_items WHERE sprint_id = ${first})"),
                vec![i64::from(*id).into()],
            ),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct CardFacts {
    /// The assignee's name, and the initials the card shows for it.
    pub assignee: Option<String>,
    pub initials: String,
    /// The first item blocking it that is not done yet (lowest number), and how many do.
    pub first_blocker: Option<String>,
    pub blockers: i64,
    /// When it entered its status: its latest status event.
    pub entered: Option<DateTime<Utc>>,
}

impl CardFacts {
    pub fn blocked(&self) -> bool {
        self.blockers > 0
    }

    /// "ONB-3", or "ONB-3 and 2 more".
    pub fn blocked_by(&self) -> String {
        let first = self.first_blocker.clone().unwrap_or_default();
        match self.blockers {
            0 | 1 => first,
            n => format!("{first} and {} more", n - 1),
        }
    }

    /// Whole days in its column by `now` ("0 d" on its first day); none without a status event.
    pub fn days_in_column(&self, now: DateTime<Utc>) -> Option<i64> {
        self.entered.map(|t| (now - t).num_days().max(0))
    }
}

/// "Priya Raman" → "PR", "dev@example.com" → "D": the first letter of the first and the last
/// word of a name (an e-mail address counts as one word).
pub fn initials(name: &str) -> String {
    let words: Vec<&str> = name
        .split(|c: char| c.is_whitespace() || c == '@')
        .filter(|w| !w.is_empty())
        .collect();
    let first = |w: &str| w.chars().next().map(|c| c.to_uppercase().to_string());
    match words.as_slice() {
        [] => String::new(),
        [one] => first(one).unwrap_or_default(),
        [one, .., last] if !name.contains('@') => {
            first(one).unwrap_or_default() + &first(last).unwrap_or_default()
        }
        [one, ..] => first(one).unwrap_or_default(),
    }
}

/// The facts of the cards `ids`, by item id, in one query whatever their number.
pub async fn facts(db: &Db, ids: &[ItemId]) -> Result<HashMap<ItemId, CardFacts>> {
    Ok(facts_read(Cards::Ids(ids)).on(db).await?)
}

/// [`facts`] as a read that may share a round trip with others.
pub fn facts_read(cards: Cards) -> Read<HashMap<ItemId, CardFacts>> {
    if cards.is_none() {
        return Read::ready(HashMap::new());
    }
    let (among, args) = cards.among(1);
    let open_blockers = "FROM item_dependencies d JOIN items b ON b.id = d.blocker_id
        WHERE d.blocked_id = i.id AND b.status <> 'done'";
    // A blocker may be another product's: its own key, this product's first.
    let sql = format!(
        "SELECT i.id, u.name, (SELECT MAX(e.at) FROM item_status_events e WHERE e.item_id = i.id),
                (SELECT bp.key || '-' || CAST(b.number AS TEXT) FROM item_dependencies d
                   JOIN items b ON b.id = d.blocker_id JOIN products bp ON bp.id = b.product_id
                  WHERE d.blocked_id = i.id AND b.status <> 'done'
                  ORDER BY b.product_id <> (SELECT x.product_id FROM items x WHERE x.id = d.blocked_id),
                           bp.key, b.number LIMIT 1),
                (SELECT COUNT(*) {open_blockers})
         FROM items i LEFT JOIN users u ON u.id = i.assignee_id WHERE i.id {among}"
    );
    type Row = (
        ItemId,
        Option<String>,
        Option<DateTime<Utc>>,
        Option<String>,
        i64,
    );
    Read::query(sql, args, move |rows| {
        let mut out: HashMap<ItemId, CardFacts> = HashMap::new();
        for (id, name, entered, first, blockers) in rows.all::<Row>()? {
            out.insert(
                id,
                CardFacts {
                    initials: name.as_deref().map(initials).unwrap_or_default(),
                    assignee: name,
                    first_blocker: first,
                    blockers,
                    entered,
                },
            );
        }
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::initials;

    #[test]
    fn initials_take_the_first_and_last_word() {
        assert_eq!(initials("Priya Raman"), "PR");
        assert_eq!(initials("Dana van der Berg"), "DB");
        assert_eq!(initials("sam"), "S");
        assert_eq!(initials("dev@example.com"), "D");
        assert_eq!(initials("  "), "");
        assert_eq!(initials("élodie durand"), "ÉD");
    }
}
