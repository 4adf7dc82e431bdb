//! The four statuses of a backlog item (PRODUCT.md E1), typed wherever a status travels through
//! the code (a card move, a review's outcome, a query); the database, the API and the pages keep
//! their snake_case names.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    Todo,
    InProgress,
    InReview,
    Done,
}

impl Status {
    /// In board order.
    pub const ALL: [Status; 4] = [
        Status::Todo,
        Status::InProgress,
        Status::InReview,
        Status::Done,
    ];

    /// The name stored and answered.
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Todo => "todo",
            Status::InProgress => "in_progress",
            Status::InReview => "in_review",
            Status::Done => "done",
        }
    }

    /// The name people read.
    pub const fn title(self) -> &'static str {
        match self {
            Status::Todo => "To do",
            Status::InProgress => "In progress",
            Status::InReview => "In review",
            Status::Done => "Done",
        }
    }

    /// A status by its stored name, without allocating (a page asks once per row).
    pub fn from_stored(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// A status as people and files write it: any case, `-` or `_` between the words.
    pub fn parse(s: &str) -> Option<Status> {
        let s = s.trim().to_lowercase().replace('-', "_");
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Answered by its stored name, as in the API and the audit.
impl serde::Serialize for Status {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl PartialEq<Status> for String {
    fn eq(&self, other: &Status) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Status> for str {
    fn eq(&self, other: &Status) -> bool {
        self == other.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::Status;

    #[test]
    fn a_status_reads_as_people_write_it_and_answers_its_stored_name() {
        assert_eq!(Status::parse(" In-Progress "), Some(Status::InProgress));
        assert_eq!(Status::parse("done"), Some(Status::Done));
        assert_eq!(Status::parse("ready"), None);
        assert_eq!(Status::from_stored("in_review"), Some(Status::InReview));
        assert_eq!(Status::from_stored("In review"), None);
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert!(*"in_review" == Status::InReview);
        let stored: String = "done".into();
        assert!(stored != Status::Todo && stored == Status::Done);
    }
}
