//! Pure mapping rules shared by every reader: types, statuses, points, labels and dates.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, SubsecRound, TimeZone, Utc};

use crate::points::Points;

/// Lower case, single spaces, no surrounding blanks: how source words are compared.
fn norm(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Whether a source's issue type is an epic (Jira's Epic in any language we know, Taiga's
/// epics): by default it becomes an initiative rather than an item.
pub fn is_epic(name: &str) -> bool {
    matches!(
        norm(name).as_str(),
        "epic" | "épica" | "epica" | "épico" | "эпик"
    )
}

/// A source's issue type → our kind, and whether the word is already ours (no label needed).
/// Localized names (Spanish, Russian) are known; anything else is a task.
pub fn map_type(name: &str) -> (&'static str, bool) {
    let n = norm(name);
    let kind = match n.as_str() {
        "story"
        | "user story"
        | "historia"
        | "historia de usuario"
        | "история"
        | "epic"
        | "épica"
        | "epica"
        | "épico"
        | "эпик"
        | "feature"
        | "new feature"
        | "improvement"
        | "mejora"
        | "nueva característica"
        | "улучшение" => "story",
        "bug" | "defect" | "recurring bug" | "error" | "fallo" | "defecto" | "баг" | "ошибка"
        | "дефект" => "bug",
        "spike" | "research" | "investigation" | "investigación" | "исследование" => {
            "spike"
        }
        _ => "task",
    };
    (kind, n == kind)
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Phase {
    Todo,
    InProgress,
    InReview,
    Done,
}

impl Phase {
    fn as_str(self) -> &'static str {
        match self {
            Phase::Todo => "todo",
            Phase::InProgress => "in_progress",
            Phase::InReview => "in_review",
            Phase::Done => "done",
        }
    }
}

fn status_by_name(n: &str) -> Option<Phase> {
    const REVIEW: [&str; 13] = [
        "review",
        "revisión",
        "revision",
        "qa",
        "test",
        "testing",
        "verif",
        "prueba",
        "staging",
        "проверк",
        "ревью",
        "тестир",
        "подтвержд",
    ];
    Some(match n {
        "done"
        | "closed"
        | "resolved"
        | "complete"
        | "completed"
        | "finished"
        | "released"
        | "cerrada"
        | "cerrado"
        | "resuelta"
        | "resuelto"
        | "hecho"
        | "hecha"
        | "listo"
        | "finalizado"
        | "finalizada"
        | "acabado"
        | "terminado"
        | "completado"
        | "готово"
        | "закрыт"
        | "закрыто"
        | "решено"
        | "сделано"
        | "выполнено"
        | "canceled"
        | "cancelled"
        | "won't do"
        | "duplicate"
        | "отклонен исполнителем"
        | "ст завершено" => Phase::Done,
        "to do"
        | "todo"
        | "open"
        | "reopened"
        | "backlog"
        | "new"
        | "selected for development"
        | "por hacer"
        | "tareas por hacer"
        | "pendiente"
        | "abierta"
        | "abierto"
        | "nuevo"
        | "nueva"
        | "a empezar"
        | "wishlist"
        | "к выполнению"
        | "открыт"
        | "открыто"
        | "triage"
        | "создано"
        | "новый"
        | "новая"
        | "отложен"
        | "в ожидании"
        | "готово к разработке" => Phase::Todo,
        "in progress"
        | "en curso"
        | "en progreso"
        | "doing"
        | "in development"
        | "development"
        | "en desarrollo"
        | "blocked"
        | "block"
        | "bloqueado"
        | "bloqueada"
        | "analyzing"
        | "fabricación"
        | "в работе"
        | "started"
        | "разработка"
        | "исправление"
        | "анализ"
        | "локализация" => Phase::InProgress,
        // "СТ": system testing, in Russian trackers.
        "ст" => Phase::InReview,
        _ if REVIEW.iter().any(|w| n.contains(w)) => Phase::InReview,
        _ => return None,
    })
}

fn status_by_category(n: &str) -> Option<Phase> {
    Some(match n {
        "done" | "hecho" | "listo" | "terminado" | "completado" | "готово" => Phase::Done,
        "in progress" | "en curso" | "en progreso" | "в работе" => Phase::InProgress,
        "to do" | "new" | "por hacer" | "nuevo" | "к выполнению" | "новый" => {
            Phase::Todo
        }
        _ => return None,
    })
}

/// A source status → ours. Jira's status category (To Do / In Progress / Done) decides when the
/// file has it, a review-like name refining In Progress; else the name; else a resolved item is
/// done and anything else still to do.
pub fn map_status(name: &str, category: Option<&str>, resolved: bool) -> &'static str {
    let by_name = status_by_name(&norm(name));
    let by_category = category.map(norm).as_deref().and_then(status_by_category);
    let phase = match (by_category, by_name) {
        (Some(Phase::InProgress), Some(Phase::InReview)) => Phase::InReview,
        (Some(c), _) => c,
        (None, Some(n)) => n,
        (None, None) if resolved => Phase::Done,
        (None, None) => Phase::Todo,
    };
    phase.as_str()
}

/// `3`, `3.0`, `0,5` → points as written; blanks and junk → none.
pub fn parse_points(s: &str) -> Option<f64> {
    let p: f64 = s.trim().replace(',', ".").parse().ok()?;
    (p.is_finite() && p >= 0.0).then_some(p)
}

/// Our points run from 0 to 100 with two decimals, kept exactly (0.5, 18.5); a value with
/// more decimals is rounded to two (half away from zero); out of range → none.
pub fn round_points(p: f64) -> Option<Points> {
    let hundredths = (p * 100.0).round();
    (0.0..=10_000.0)
        .contains(&hundredths)
        .then(|| Points::from_hundredths(hundredths as i64))
}

/// A label in our alphabet: lower case, `-` for anything else, at most 40 bytes.
pub fn label_slug(s: &str) -> Option<String> {
    let mut out = String::new();
    for c in s.trim().to_lowercase().chars() {
        let c = if c.is_alphanumeric() || "-_.:/".contains(c) {
            c
        } else {
            '-'
        };
        if c == '-' && (out.is_empty() || out.ends_with('-')) {
            continue;
        }
        if out.len() + c.len_utf8() > 40 {
            break;
        }
        out.push(c);
    }
    let out = out.trim_end_matches('-').to_string();
    (!out.is_empty()).then_some(out)
}

fn month(s: &str) -> Option<u32> {
    if let Ok(n) = s.parse::<u32>() {
        return (1..=12).contains(&n).then_some(n);
    }
    let s = s.to_lowercase();
    const NAMES: [(&str, u32); 26] = [
        ("jan", 1),
        ("ene", 1),
        ("feb", 2),
        ("mar", 3),
        ("apr", 4),
        ("abr", 4),
        ("may", 5),
        ("jun", 6),
        ("jul", 7),
        ("aug", 8),
        ("ago", 8),
        ("sep", 9),
        ("set", 9),
        ("oct", 10),
        ("nov", 11),
        ("dec", 12),
        ("dic", 12),
        ("янв", 1),
        ("фев", 2),
        ("мар", 3),
        ("апр", 4),
        ("июн", 6),
        ("июл", 7),
        ("авг", 8),
        ("сен", 9),
        ("дек", 12),
    ];
    let head: String = s.chars().take(3).collect();
    NAMES.iter().find(|(n, _)| *n == head).map(|(_, m)| *m)
}

/// Jira's export dates: `04/nov/25 1:16 PM`, `15/Feb/26 4:37 PM`, `06-09-2024 13:55` (day
/// first), `2024-09-06 13:55` and ISO 8601. A time without a zone is taken as UTC.
/// The calendar day a file gives, in the file's own time zone (a sprint starting Monday 07:29
/// at -07:00 starts on that Monday, not on the UTC day); a bare `2016-04-11` as it is.
pub fn local_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M:%S%z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(s, f) {
            return Some(t.date_naive());
        }
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.date_naive());
    }
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d")
        .ok()
        .or_else(|| parse_date(s).map(|t| t.date_naive()))
}

pub fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    // Stored times have whole seconds (see `db::now`).
    parse_date_exact(s).map(|t| t.trunc_subsecs(0))
}

fn parse_date_exact(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%z") {
        return Some(t.with_timezone(&Utc));
    }
    // Jira's XML and mail-like dates: `Mon, 15 Sep 2025 18:42:35 +0100`.
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Some(t.with_timezone(&Utc));
    }
    if let Some(t) = words_date(s) {
        return Some(t);
    }
    let (date, rest) = s.split_once([' ', 'T']).unwrap_or((s, ""));
    let parts: Vec<&str> = date.split(['/', '-', '.']).collect();
    let [a, b, c] = parts[..] else {
        return None;
    };
    let (y, m, d) = if a.len() == 4 {
        (a.parse::<i32>().ok()?, month(b)?, c.parse::<u32>().ok()?)
    } else {
        let y: i32 = c.parse().ok()?;
        let y = if c.len() <= 2 { 2000 + y } else { y };
        (y, month(b)?, a.parse::<u32>().ok()?)
    };
    let date = NaiveDate::from_ymd_opt(y, m, d)?;
    let time = parse_time(rest)?;
    Some(Utc.from_utc_datetime(&NaiveDateTime::new(date, time)))
}

/// Dates written with the month's name first or weekday first, as JavaScript and Plane print
/// them: `Tue Aug 23 2022 13:54:01 GMT+0000 (GMT)`, `Sun, 20 Apr 2025 10:17:06 UTC+0000`,
/// `Jun 29, 2014`; the time is UTC.
fn words_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.split(" (").next().unwrap_or(s);
    let words: Vec<&str> = s
        .split([' ', ','])
        .filter(|w| !w.is_empty())
        .filter(|w| !(w.starts_with("GMT") || w.starts_with("UTC")))
        .collect();
    const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let words: &[&str] = match words.split_first() {
        Some((w, rest)) if WEEKDAYS.contains(&w.to_lowercase().as_str()) => rest,
        _ => &words,
    };
    let (m, d, y, rest) = match words {
        [a, b, c, rest @ ..] if a.parse::<u32>().is_err() => {
            (month(a)?, b.parse().ok()?, c.parse().ok()?, rest)
        }
        [a, b, c, rest @ ..] => (month(b)?, a.parse().ok()?, c.parse().ok()?, rest),
        _ => return None,
    };
    if !(1970..=2200).contains(&y) {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(y, m, d)?;
    let time = parse_time(&rest.join(" "))?;
    Some(Utc.from_utc_datetime(&NaiveDateTime::new(date, time)))
}

/// A date written month first (`4/17/16`, as Asana's US export writes them).
pub fn parse_date_month_first(s: &str) -> Option<DateTime<Utc>> {
    let (date, rest) = s.trim().split_once(' ').unwrap_or((s.trim(), ""));
    let parts: Vec<&str> = date.split('/').collect();
    let [m, d, y] = parts[..] else {
        return parse_date(s);
    };
    let y: i32 = y.parse().ok()?;
    let y = if y < 100 { 2000 + y } else { y };
    let date = NaiveDate::from_ymd_opt(y, m.parse().ok()?, d.parse().ok()?)?;
    let time = parse_time(rest)?;
    Some(Utc.from_utc_datetime(&NaiveDateTime::new(date, time)))
}

/// `1:16 PM`, `13:55`, `9:05:30 a. m.`, or nothing (midnight).
fn parse_time(s: &str) -> Option<NaiveTime> {
    let s = s.trim();
    if s.is_empty() {
        return NaiveTime::from_hms_opt(0, 0, 0);
    }
    let (clock, meridiem) = s.split_once(' ').unwrap_or((s, ""));
    let meridiem: String = meridiem
        .chars()
        .filter(|c| c.is_alphabetic())
        .collect::<String>()
        .to_lowercase();
    let mut nums = clock.split(':').map(|p| p.parse::<u32>().ok());
    let mut h = nums.next()??;
    let m = nums.next().flatten().unwrap_or(0);
    let sec = nums.next().flatten().unwrap_or(0);
    match meridiem.as_str() {
        "pm" if h < 12 => h += 12,
        "am" if h == 12 => h = 0,
        "" | "am" | "pm" => {}
        _ => return None,
    }
    NaiveTime::from_hms_opt(h, m, sec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_map_in_any_language() {
        assert_eq!(map_type("Story"), ("story", true));
        assert_eq!(map_type("Historia"), ("story", false));
        assert_eq!(map_type("Epic"), ("story", false));
        assert_eq!(map_type("Bug"), ("bug", true));
        assert_eq!(map_type("Баг"), ("bug", false));
        assert_eq!(map_type("Sub-task"), ("task", false));
        assert_eq!(map_type("Subtarea"), ("task", false));
        assert_eq!(map_type("Task"), ("task", true));
        assert_eq!(map_type("Spike"), ("spike", true));
        assert_eq!(map_type("Test"), ("task", false));
    }

    #[test]
    fn statuses_follow_the_category_then_the_name() {
        assert_eq!(
            map_status("Blocked", Some("In Progress"), false),
            "in_progress"
        );
        assert_eq!(
            map_status("Code Review", Some("In Progress"), false),
            "in_review"
        );
        assert_eq!(
            map_status("Verified by solvit", Some("Done"), false),
            "done"
        );
        assert_eq!(map_status("Backlog", Some("To Do"), false), "todo");
        assert_eq!(
            map_status("Tareas por hacer", Some("Por hacer"), false),
            "todo"
        );
        assert_eq!(map_status("En curso", None, false), "in_progress");
        assert_eq!(map_status("ACABADO", None, false), "done");
        assert_eq!(map_status("Test", None, false), "in_review");
        assert_eq!(map_status("Closed", None, false), "done");
        assert_eq!(map_status("A RECIBIR", None, true), "done");
        assert_eq!(map_status("A RECIBIR", None, false), "todo");
    }

    #[test]
    fn points_round_and_stay_in_range() {
        assert_eq!(parse_points(" 3.0 "), Some(3.0));
        assert_eq!(parse_points("0,5"), Some(0.5));
        assert_eq!(parse_points(""), None);
        assert_eq!(parse_points("-1"), None);
        let p = |s: &str| s.parse::<Points>().ok();
        assert_eq!(round_points(0.5), p("0.5"));
        assert_eq!(round_points(18.5), p("18.5"));
        assert_eq!(round_points(0.29), p("0.29"));
        assert_eq!(round_points(2.4), p("2.4"));
        assert_eq!(round_points(100.0), p("100"));
        assert_eq!(round_points(0.125), p("0.13"));
        assert_eq!(round_points(2105.0), None);
    }

    #[test]
    fn labels_fit_our_alphabet() {
        assert_eq!(label_slug("Store-Info").as_deref(), Some("store-info"));
        assert_eq!(
            label_slug("jira-status:Verified by solvit").as_deref(),
            Some("jira-status:verified-by-solvit")
        );
        assert_eq!(label_slug("  C++ / UI  ").as_deref(), Some("c-/-ui"));
        assert_eq!(label_slug("!!!"), None);
        assert!(label_slug(&"á".repeat(50)).is_some_and(|l| l.len() <= 40));
    }

    #[test]
    fn jira_dates_parse() {
        let at = |s: &str| parse_date(s).map(|d| d.format("%Y-%m-%d %H:%M").to_string());
        assert_eq!(at("04/nov/25 1:16 PM").as_deref(), Some("2025-11-04 13:16"));
        assert_eq!(at("03/dic/25 9:53 AM").as_deref(), Some("2025-12-03 09:53"));
        assert_eq!(
            at("15/Feb/26 12:05 AM").as_deref(),
            Some("2026-02-15 00:05")
        );
        assert_eq!(at("06-09-2024 13:55").as_deref(), Some("2024-09-06 13:55"));
        assert_eq!(at("2024-09-06 13:55").as_deref(), Some("2024-09-06 13:55"));
        assert_eq!(
            at("2021-09-08T05:10:00.000+0200").as_deref(),
            Some("2021-09-08 03:10")
        );
        assert_eq!(
            at("9/ago/21 5:10 p. m.").as_deref(),
            Some("2021-08-09 17:10")
        );
        assert_eq!(
            at("Mon, 15 Sep 2025 18:42:35 +0100").as_deref(),
            Some("2025-09-15 17:42")
        );
        assert_eq!(
            at("Tue Aug 23 2022 13:54:01 GMT+0000 (GMT)").as_deref(),
            Some("2022-08-23 13:54")
        );
        assert_eq!(
            at("Sun, 20 Apr 2025 10:17:06 UTC+0000").as_deref(),
            Some("2025-04-20 10:17")
        );
        assert_eq!(at("Jun 29, 2014").as_deref(), Some("2014-06-29 00:00"));
        assert_eq!(
            at("2016-10-31T20:07:30+0000").as_deref(),
            Some("2016-10-31 20:07")
        );
        assert_eq!(
            parse_date_month_first("4/17/16").map(|d| d.format("%Y-%m-%d").to_string()),
            Some("2016-04-17".into())
        );
        assert_eq!(at(""), None);
        assert_eq!(at("yesterday"), None);
        assert_eq!(at("31/feb/25 1:00 PM"), None);
    }
}
