//! The audit log's filter as people and scripts give it (`?actor=&action=&since=&until=`), the
//! same for the API, the page and its export.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use serde::Deserialize;

use super::store::Filter;
use crate::error::{Error, Result};

/// Every part optional; an empty one is no filter.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct FilterParams {
    /// Only changes by this account (its e-mail).
    pub actor: Option<String>,
    /// Only this action, as recorded (`item.update`).
    pub action: Option<String>,
    /// From this day on (`YYYY-MM-DD`, UTC).
    pub since: Option<String>,
    /// Up to and including this day (`YYYY-MM-DD`, UTC).
    pub until: Option<String>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn day(field: &str, v: &Option<String>) -> Result<Option<NaiveDate>> {
    given(v)
        .map(|s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| Error::invalid(field, format!("{s:?} is not a day like 2026-11-30")))
        })
        .transpose()
}

impl FilterParams {
    /// The filter these ask for, or the first part that is wrong.
    pub fn filter(&self) -> Result<Filter> {
        let since = day("since", &self.since)?;
        let until = day("until", &self.until)?;
        if let (Some(s), Some(u)) = (since, until) {
            if s > u {
                return Err(Error::invalid("until", "ends before `since` begins"));
            }
        }
        let midnight =
            |d: NaiveDate| Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default());
        Ok(Filter {
            actor: given(&self.actor).map(str::to_lowercase),
            action: given(&self.action).map(str::to_string),
            since: since.map(midnight),
            until: until.map(|d| midnight(d) + Duration::days(1)),
        })
    }

    /// The same filter as a query string (`actor=…&since=…`), for links that keep it.
    pub fn query(&self) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("actor", &self.actor),
            ("action", &self.action),
            ("since", &self.since),
            ("until", &self.until),
        ] {
            if let Some(v) = given(v) {
                out.append_pair(k, v);
            }
        }
        out.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(since: &str, until: &str) -> FilterParams {
        FilterParams {
            since: Some(since.into()),
            until: Some(until.into()),
            ..FilterParams::default()
        }
    }

    #[test]
    fn days_are_whole_and_inclusive() {
        let f = params("2026-11-01", "2026-11-30").filter().unwrap();
        assert_eq!(f.since.unwrap().to_rfc3339(), "2026-11-01T00:00:00+00:00");
        assert_eq!(f.until.unwrap().to_rfc3339(), "2026-12-01T00:00:00+00:00");
        assert!(FilterParams::default().filter().unwrap().since.is_none());
    }

    #[test]
    fn a_bad_day_or_order_names_its_field() {
        let field = |p: FilterParams| match p.filter() {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(params("2026-13-01", "")), "since");
        assert_eq!(field(params("2026-11-02", "2026-11-01")), "until");
    }

    #[test]
    fn the_query_keeps_what_was_given() {
        let p = FilterParams {
            actor: Some("Ada@Example.com".into()),
            action: Some(" ".into()),
            ..FilterParams::default()
        };
        assert_eq!(p.query(), "actor=Ada%40Example.com");
        assert_eq!(
            p.filter().unwrap().actor.as_deref(),
            Some("ada@example.com")
        );
    }
}
