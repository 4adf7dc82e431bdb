//! A CSV file as a table: the delimiter sniffed from the header (`,` `;` or tab), a spreadsheet's
//! preamble line (`Table 1;;;`) skipped, columns found by any of their names, and an account of
//! every column for the report.

use super::{Batch, Column};

/// The rows of a CSV file under its header row.
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// The 1-based line of the header in the file (2 when a preamble line came first).
    pub header_line: usize,
}

/// The delimiter of the first lines: the one that splits them into the most columns.
fn sniff(text: &str) -> u8 {
    let head: Vec<&str> = text.lines().take(3).collect();
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|&d| {
            head.iter()
                .map(|l| l.bytes().filter(|&b| b == d).count())
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(b',')
}

fn reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes())
}

/// A spreadsheet's title line (`Table 1;;;;`): one cell filled and the rest empty, above a
/// header that fills every cell.
fn is_preamble(row: &csv::StringRecord) -> bool {
    row.len() > 2 && row.iter().skip(1).all(|c| c.trim().is_empty())
}

impl Table {
    /// The header row alone (for detection), or none when the text is not CSV.
    pub fn header_of(text: &str) -> Option<Vec<String>> {
        let mut rows = reader(text, sniff(text)).into_records();
        let mut first = rows.next()?.ok()?;
        if is_preamble(&first) {
            first = rows.next()?.ok()?;
        }
        let h: Vec<String> = first.iter().map(|h| h.trim().to_string()).collect();
        (h.len() > 1).then_some(h)
    }

    /// Every row; blank rows are dropped, a row that is not CSV is an error naming its line.
    pub fn read(text: &str) -> Result<Table, String> {
        let mut rows = reader(text, sniff(text)).into_records();
        let mut header_line = 1;
        let mut header = match rows.next() {
            Some(Ok(h)) => h,
            Some(Err(e)) => return Err(format!("the header row is not CSV: {e}")),
            None => return Err("the file is empty".into()),
        };
        if is_preamble(&header) {
            header_line = 2;
            header = match rows.next() {
                Some(Ok(h)) => h,
                _ => return Err("the file has a title line and no header row".into()),
            };
        }
        let header: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
        let mut out = Vec::new();
        for row in rows {
            let row = row.map_err(|e| match e.position() {
                Some(p) => format!("line {}: {e}", p.line()),
                None => e.to_string(),
            })?;
            if row.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            out.push(row.iter().map(|c| c.trim().to_string()).collect());
        }
        Ok(Table {
            header,
            rows: out,
            header_line,
        })
    }

    /// The index of the first column called by any of `names` (case and spaces ignored).
    pub fn col(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| {
            self.header
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(n))
        })
    }

    /// Every column called by any of `names`, for repeated headers (Pivotal's `Comment`).
    pub fn cols(&self, names: &[&str]) -> Vec<usize> {
        (0..self.header.len())
            .filter(|&i| names.iter().any(|n| self.header[i].eq_ignore_ascii_case(n)))
            .collect()
    }

    /// A row's cell in column `c` ("" when the column or the cell is missing).
    pub fn cell(row: &[String], c: Option<usize>) -> &str {
        c.and_then(|c| row.get(c)).map_or("", String::as_str)
    }

    /// Lists each distinct header once: what it fills (from `used`: header → note) or why not.
    pub fn account(&self, batch: &mut Batch, used: &[(&str, &str)], not_mapped: &[(&str, &str)]) {
        let mut seen: Vec<&str> = Vec::new();
        for name in &self.header {
            if seen.contains(&name.as_str()) {
                continue;
            }
            seen.push(name);
            let same = self.cols(&[name]);
            let filled = self
                .rows
                .iter()
                .filter(|r| {
                    same.iter()
                        .any(|&j| r.get(j).is_some_and(|v| !v.is_empty()))
                })
                .count();
            let find = |list: &[(&str, &str)]| {
                list.iter()
                    .find(|(h, _)| h.eq_ignore_ascii_case(name))
                    .map(|(_, n)| n.to_string())
            };
            let column = |note: String| Column {
                name: name.clone(),
                columns: same.len(),
                filled,
                note,
            };
            match find(used) {
                Some(note) => batch.columns_used.push(column(note)),
                None if filled == 0 => batch
                    .columns_not_mapped
                    .push(column("empty in every row".into())),
                None => batch.columns_not_mapped.push(column(
                    find(not_mapped).unwrap_or_else(|| "no matching field in Throughline".into()),
                )),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolons_and_a_title_line_are_read() {
        let t =
            Table::read("Table 1;;;\nid;name;status\n1;\"a;b\";new\n\n2;c;done\n").expect("csv");
        assert_eq!(t.header, ["id", "name", "status"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0][1], "a;b");
        assert_eq!(t.header_line, 2);
        assert_eq!(t.col(&["NAME"]), Some(1));
    }

    #[test]
    fn commas_and_tabs_are_sniffed() {
        assert_eq!(Table::header_of("a,b,c\n1,2,3\n").map(|h| h.len()), Some(3));
        assert_eq!(Table::header_of("a\tb\n1\t2\n").map(|h| h.len()), Some(2));
        assert_eq!(Table::header_of("just words\n"), None);
    }
}
