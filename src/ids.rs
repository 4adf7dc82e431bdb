//! Typed ids. In the database every id is an integer; in the code an item's id, a sprint's and
//! an initiative's are different types, so a function that takes two of them side by side
//! (`set_initiative_in(tx, ctx, item, initiative)`) cannot be called with them swapped.
//!
//! Each binds and decodes as the integer it wraps on both databases (`sqlx(transparent)`), and
//! serialises as that integer, so no stored value and no API answer changes.

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, sqlx::Type,
        )]
        #[serde(transparent)]
        #[sqlx(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }
    };
}

id!(
    /// A backlog item (story, bug, task or spike).
    ItemId
);
id!(
    /// A sprint of a team.
    SprintId
);
id!(
    /// An initiative of the strategy (S6).
    InitiativeId
);
