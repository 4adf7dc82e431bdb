//! Retrospectives (E9): went well / to improve / ideas, limited votes, and action items that
//! become backlog tasks; the next retrospective opens with the previous one's actions.

pub mod store;

use serde::Serialize;

use crate::error::{Error, Result};

pub const KINDS: [(&str, &str); 3] = [
    ("went_well", "Went well"),
    ("to_improve", "To improve"),
    ("idea", "Ideas"),
];

pub fn validate_kind(kind: &str) -> Result<&'static str> {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(k, _)| *k)
        .ok_or_else(|| Error::invalid("kind", "use went_well, to_improve or idea"))
}

pub fn validate_vote_limit(n: i64) -> Result<i64> {
    if !(1..=20).contains(&n) {
        return Err(Error::invalid(
            "vote_limit",
            "each person gets 1 to 20 votes",
        ));
    }
    Ok(n)
}

/// A member may vote once per entry, up to the retrospective's limit in all.
pub fn may_vote(used: i64, limit: i64, already_on_entry: bool) -> std::result::Result<(), String> {
    if already_on_entry {
        return Err("you already voted for this entry".into());
    }
    if used >= limit {
        return Err(format!(
            "you have used all {limit} of your votes; take one back first"
        ));
    }
    Ok(())
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = RetroEntry)]
pub struct Entry {
    pub id: i64,
    /// went_well, to_improve or idea.
    pub kind: String,
    pub body: String,
    pub author: String,
    pub votes: i64,
    /// The caller voted for it.
    pub mine: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Action {
    pub id: i64,
    /// The backlog task it became.
    pub key: String,
    pub title: String,
    pub owner: String,
    /// The task's status: the action's progress.
    pub status: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Previous {
    #[schema(value_type = i64)]
    pub sprint_id: crate::ids::SprintId,
    pub sprint: String,
    pub actions: Vec<Action>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Retro {
    #[schema(value_type = i64)]
    pub sprint_id: crate::ids::SprintId,
    pub sprint: String,
    pub vote_limit: i64,
    pub votes_left: i64,
    /// Most voted first within each kind.
    pub entries: Vec<Entry>,
    pub actions: Vec<Action>,
    /// The previous sprint's retrospective actions, to review first.
    pub previous: Option<Previous>,
    pub version: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn votes_are_limited_per_person_and_once_per_entry() {
        assert!(may_vote(0, 3, false).is_ok());
        assert!(may_vote(2, 3, false).is_ok());
        assert!(may_vote(3, 3, false).unwrap_err().contains("all 3"));
        assert!(may_vote(1, 3, true).is_err());
        assert!(validate_kind("idea").is_ok() && validate_kind("rant").is_err());
        assert!(validate_vote_limit(0).is_err() && validate_vote_limit(5).is_ok());
    }
}
