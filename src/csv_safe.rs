//! Cells of the CSV files we write, made safe to open in a spreadsheet: a cell that begins with
//! `=`, `+`, `-`, `@`, a tab or a carriage return would be read as a formula (OWASP's "CSV
//! injection"), so it gets a leading `'`, which spreadsheets show as text. Our importers take the
//! `'` off again, so a file we write reads back to the same values.

use std::borrow::Cow;

const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `s` must be guarded to be written: it would run as a formula, or it looks like a
/// guarded cell itself (so that reading it back is exact).
fn needs_guard(s: &str) -> bool {
    s.starts_with(TRIGGERS) || value(s) != s
}

/// The cell as written to a file.
pub fn cell(s: &str) -> Cow<'_, str> {
    if needs_guard(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// The value a guarded cell stood for: `'=1+1` → `=1+1`; any other cell unchanged.
pub fn value(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_read_back() {
        for s in ["=SUM(A1:A9)", "+1", "-2", "@cmd", "\tx", "\rx"] {
            let written = cell(s);
            assert!(written.starts_with('\''), "{s:?}");
            assert_eq!(value(&written), s);
        }
        for s in ["'=x", "''=x", "'plain"] {
            assert_eq!(value(&cell(s)), s);
        }
        for s in ["plain", "'quoted by hand", "1-2", ""] {
            assert_eq!(cell(s), s);
            assert_eq!(value(s), s);
        }
    }
}
