//! Story points, exact: an estimate such as 3, 0.5 or Taiga's 18.5, and every sum of them.
//!
//! A value is a whole count of hundredths of a point, stored as such in `BIGINT` columns on
//! both databases. Integers keep sums exact (0.1 + 0.2 is 0.3, never 0.30000000000000004),
//! make SQLite and PostgreSQL agree to the last digit on `SUM`, comparisons and sorting, and
//! let the migration keep every existing whole estimate by multiplying it by 100. A binary
//! float (`REAL`/`DOUBLE PRECISION`) would hold 0.5 exactly but not 0.1 or 0.3, and the two
//! databases may add floats in a different order; `NUMERIC` has no portable SQLite form.
//!
//! Outside the database a value is a plain number of points: JSON writes 3 for a whole value
//! (so every answer about whole points reads as before) and 0.5 otherwise; JSON numbers,
//! command-line arguments and form fields ("0.5", "3", "18.25") parse into it. An estimate
//! runs from 0 to 100 with at most two decimals ([`Points::estimate`]); sums and differences
//! of estimates use the same type without that bound.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

/// Hundredths in one point.
const SCALE: i64 = 100;
/// The largest estimate, in points.
pub const MAX_ESTIMATE: i64 = 100;
/// Sums read back from stored JSON stay well inside `i64` and exact in an `f64`.
const MAX_ABS: f64 = 1e12;

/// The sentence every refused estimate carries.
pub const ESTIMATE_RULE: &str =
    "points run from 0 to 100 with at most two decimals, such as 3, 0.5 or 18.5";

/// An exact number of story points (a count of hundredths of a point).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, sqlx::Type)]
#[sqlx(transparent)]
pub struct Points(i64);

impl Points {
    pub const ZERO: Points = Points(0);

    /// A whole number of points.
    pub const fn whole(n: i64) -> Points {
        Points(n * SCALE)
    }

    /// The value stored in the database: hundredths of a point.
    pub const fn from_hundredths(h: i64) -> Points {
        Points(h)
    }

    pub const fn hundredths(self) -> i64 {
        self.0
    }

    /// For charts, means and shares; never for storing or adding.
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / SCALE as f64
    }

    pub fn is_whole(self) -> bool {
        self.0 % SCALE == 0
    }

    /// `Some(n)` when the value is the whole number n.
    pub fn as_whole(self) -> Option<i64> {
        self.is_whole().then_some(self.0 / SCALE)
    }

    /// A number with at most two decimals, as JSON or a spreadsheet holds it; `None` when it
    /// has more decimals, is not finite or is absurdly large.
    pub fn from_f64(x: f64) -> Option<Points> {
        if !x.is_finite() || x.abs() > MAX_ABS {
            return None;
        }
        let h = (x * SCALE as f64).round();
        // Decimal fractions such as 0.29 are not exact in binary: allow that rounding only.
        ((x * SCALE as f64 - h).abs() < 1e-6).then_some(Points(h as i64))
    }

    /// The value as an estimate of one item: 0 to 100 with at most two decimals.
    pub fn estimate(self) -> Result<Points> {
        if (0..=MAX_ESTIMATE * SCALE).contains(&self.0) {
            Ok(self)
        } else {
            Err(Error::invalid("points", ESTIMATE_RULE))
        }
    }

    /// Parses an estimate from text ("3", "0.5", "18.25"), naming `field` when it is refused.
    pub fn parse_estimate(field: &str, text: &str) -> Result<Points> {
        text.parse::<Points>()
            .ok()
            .and_then(|p| p.estimate().ok())
            .ok_or_else(|| Error::invalid(field, format!("{ESTIMATE_RULE}; got {text:?}")))
    }

    /// An optional estimate from a form field or a CSV cell: blank means none.
    pub fn parse_optional(field: &str, text: &str) -> Result<Option<Points>> {
        let t = text.trim();
        if t.is_empty() {
            Ok(None)
        } else {
            Points::parse_estimate(field, t).map(Some)
        }
    }
}

/// A non-negative decimal with at most two decimals: `3`, `0.5`, `18.25`, `.5`, `2.`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsePointsError;

impl fmt::Display for ParsePointsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(ESTIMATE_RULE)
    }
}

impl std::error::Error for ParsePointsError {}

impl FromStr for Points {
    type Err = ParsePointsError;

    fn from_str(s: &str) -> std::result::Result<Points, ParsePointsError> {
        let s = s.trim();
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        let digits = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
        if (whole.is_empty() && frac.is_empty())
            || !digits(whole)
            || !digits(frac)
            || frac.len() > 2
            || whole.len() > 12
        {
            return Err(ParsePointsError);
        }
        let w: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| ParsePointsError)?
        };
        let f: i64 = format!("{frac:0<2}")
            .parse()
            .map_err(|_| ParsePointsError)?;
        Ok(Points(w * SCALE + f))
    }
}

/// `3`, `0.5`, `18.25`, `-1.5`; `{:+}` writes the sign of a change (`+0.5`).
impl fmt::Display for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 {
            "-"
        } else if f.sign_plus() {
            "+"
        } else {
            ""
        };
        let (w, r) = (self.0.abs() / SCALE, self.0.abs() % SCALE);
        let text = match r {
            0 => format!("{sign}{w}"),
            r if r % 10 == 0 => format!("{sign}{w}.{}", r / 10),
            r => format!("{sign}{w}.{r:02}"),
        };
        f.pad(&text)
    }
}

/// A mean or a capacity (not itself an exact number of points) with at most two decimals and
/// no trailing zeros: 12.333… → "12.33", 12.5 → "12.5", 12.0 → "12".
pub fn show(x: f64) -> String {
    let s = format!("{x:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

impl Serialize for Points {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self.as_whole() {
            Some(n) => s.serialize_i64(n),
            None => s.serialize_f64(self.as_f64()),
        }
    }
}

impl<'de> Deserialize<'de> for Points {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Points, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Points;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number of points such as 3, 0.5 or 18.5")
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> std::result::Result<Points, E> {
                n.checked_mul(SCALE)
                    .filter(|h| (h.abs() as f64) <= MAX_ABS * SCALE as f64)
                    .map(Points)
                    .ok_or_else(|| E::custom(ESTIMATE_RULE))
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> std::result::Result<Points, E> {
                i64::try_from(n)
                    .map_err(|_| E::custom(ESTIMATE_RULE))
                    .and_then(|n| self.visit_i64(n))
            }
            fn visit_f64<E: serde::de::Error>(self, x: f64) -> std::result::Result<Points, E> {
                Points::from_f64(x).ok_or_else(|| E::custom(ESTIMATE_RULE))
            }
        }
        d.deserialize_any(V)
    }
}

impl utoipa::PartialSchema for Points {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::Number)
            .description(Some(
                "Story points, exact to two decimals: a whole number when whole (3), else a \
                 decimal (0.5, 18.25). An item's estimate runs from 0 to 100.",
            ))
            .examples([serde_json::json!(0.5)])
            .into()
    }
}

impl utoipa::ToSchema for Points {}

impl Add for Points {
    type Output = Points;
    fn add(self, o: Points) -> Points {
        Points(self.0 + o.0)
    }
}

impl Sub for Points {
    type Output = Points;
    fn sub(self, o: Points) -> Points {
        Points(self.0 - o.0)
    }
}

impl Neg for Points {
    type Output = Points;
    fn neg(self) -> Points {
        Points(-self.0)
    }
}

impl AddAssign for Points {
    fn add_assign(&mut self, o: Points) {
        self.0 += o.0;
    }
}

impl SubAssign for Points {
    fn sub_assign(&mut self, o: Points) {
        self.0 -= o.0;
    }
}

impl Sum for Points {
    fn sum<I: Iterator<Item = Points>>(it: I) -> Points {
        Points(it.map(|p| p.0).sum())
    }
}

impl<'a> Sum<&'a Points> for Points {
    fn sum<I: Iterator<Item = &'a Points>>(it: I) -> Points {
        it.copied().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Points {
        s.parse().unwrap()
    }

    #[test]
    fn text_parses_to_hundredths() {
        assert_eq!(p("3").hundredths(), 300);
        assert_eq!(p("0.5").hundredths(), 50);
        assert_eq!(p("18.5").hundredths(), 1850);
        assert_eq!(p("0.25").hundredths(), 25);
        assert_eq!(p(" 2.05 ").hundredths(), 205);
        assert_eq!(p(".5").hundredths(), 50);
        assert_eq!(p("7.").hundredths(), 700);
        assert_eq!(p("0").hundredths(), 0);
        for bad in [
            "", ".", "-1", "+3", "1.234", "0.005", "1e2", "NaN", "inf", "3 pts", "½", "1,5", "--",
        ] {
            assert!(bad.parse::<Points>().is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn estimates_run_from_0_to_100() {
        assert!(Points::parse_estimate("points", "100").is_ok());
        assert!(Points::parse_estimate("points", "0").is_ok());
        assert!(Points::parse_estimate("points", "99.99").is_ok());
        for bad in ["100.01", "101", "1.999", "-0.5", "x"] {
            let e = Points::parse_estimate("points", bad).unwrap_err();
            assert!(
                matches!(&e, Error::Invalid { field, message } if field == "points" && message.contains("at most two decimals")),
                "{bad}: {e:?}"
            );
        }
        assert!(Points::whole(-1).estimate().is_err());
        assert!(Points::whole(101).estimate().is_err());
        assert_eq!(Points::parse_optional("points", "  ").unwrap(), None);
        assert_eq!(
            Points::parse_optional("points", "0.5").unwrap(),
            Some(p("0.5"))
        );
    }

    #[test]
    fn display_is_the_shortest_exact_form() {
        assert_eq!(p("3").to_string(), "3");
        assert_eq!(p("3.00").to_string(), "3");
        assert_eq!(p("0.5").to_string(), "0.5");
        assert_eq!(p("0.50").to_string(), "0.5");
        assert_eq!(p("18.5").to_string(), "18.5");
        assert_eq!(p("0.25").to_string(), "0.25");
        assert_eq!(p("0.05").to_string(), "0.05");
        assert_eq!((-p("1.5")).to_string(), "-1.5");
        assert_eq!(format!("{:+}", p("0.5")), "+0.5");
        assert_eq!(format!("{:+}", -p("2")), "-2");
        assert_eq!(format!("{:>5}", p("0.5")), "  0.5");
    }

    #[test]
    fn sums_are_exact() {
        let tenths: Points = std::iter::repeat_n(p("0.1"), 3).sum();
        assert_eq!(tenths, p("0.3"));
        assert_eq!(p("18.5") + p("0.5") - p("1"), p("18"));
        assert_eq!([p("0.25"), p("0.25")].iter().sum::<Points>(), p("0.5"));
    }

    #[test]
    fn json_writes_whole_values_as_integers() {
        let j = |x: Points| serde_json::to_string(&x).unwrap();
        assert_eq!(j(p("3")), "3");
        assert_eq!(j(p("0")), "0");
        assert_eq!(j(p("0.5")), "0.5");
        assert_eq!(j(p("18.5")), "18.5");
        assert_eq!(j(p("0.29")), "0.29");
        assert_eq!(j(p("0.01")), "0.01");
        assert_eq!(j(Points::from_hundredths(123_456_789)), "1234567.89");
        assert_eq!(
            serde_json::to_value(Some(p("2.5"))).unwrap(),
            serde_json::json!(2.5)
        );
    }

    #[test]
    fn json_reads_numbers_with_two_decimals() {
        let r = |s: &str| serde_json::from_str::<Points>(s);
        assert_eq!(r("3").unwrap(), p("3"));
        assert_eq!(r("3.0").unwrap(), p("3"));
        assert_eq!(r("0.5").unwrap(), p("0.5"));
        assert_eq!(r("0.29").unwrap(), p("0.29"));
        assert_eq!(r("18.5").unwrap(), p("18.5"));
        assert_eq!(r("250").unwrap(), p("250"));
        for bad in ["0.125", "\"3\"", "true", "1e300", "null"] {
            assert!(r(bad).is_err(), "{bad} read");
        }
        let e = r("0.125").unwrap_err().to_string();
        assert!(e.contains("at most two decimals"), "{e}");
        // Every value of two decimals goes through JSON and back unchanged.
        for h in 0..=10_000 {
            let x = Points::from_hundredths(h);
            assert_eq!(r(&serde_json::to_string(&x).unwrap()).unwrap(), x);
            assert_eq!(x.to_string().parse::<Points>().unwrap(), x);
        }
    }

    #[test]
    fn means_show_at_most_two_decimals() {
        assert_eq!(show(37.0 / 3.0), "12.33");
        assert_eq!(show(12.5), "12.5");
        assert_eq!(show(12.0), "12");
        assert_eq!(show(0.0), "0");
        assert_eq!(show(-0.001), "0");
        assert_eq!(show(2.0 / 3.0), "0.67");
    }
}
