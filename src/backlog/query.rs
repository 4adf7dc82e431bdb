//! Backlog query language: `status:todo points>=3 -label:wontfix "free text"` parsed into a
//! [`Query`] and compiled to a parameterised SQL boolean over `items i`.
//!
//! Fields: status, kind (type), points, label, parent, key, persona, is (ready, unready,
//! blocked, open, done), priority (a name, a tier number or `none`), tier (a number or
//! `none`), initiative (a name, an id or `none`), assignee (`me`, an e-mail or its handle, or
//! `none`), sprint (a name, `current` or `none`), and created / updated with a date
//! (`updated>=2026-11-01`). Terms side by side, or joined by `AND`, must all hold; `OR`
//! binds looser; `-` negates; parentheses group.

use std::fmt;

use crate::points::Points;

const MAX_LEN: usize = 2000;
// Bounds recursion in the parser and compiler so hostile input cannot overflow the stack.
const MAX_DEPTH: usize = 64;
const FIELDS: [&str; 17] = [
    "status",
    "kind",
    "type",
    "points",
    "label",
    "parent",
    "key",
    "is",
    "persona",
    "priority",
    "tier",
    "initiative",
    "assignee",
    "sprint",
    "created",
    "updated",
    "sort",
];
/// What `sort:` orders by (`sort:-points` descending), and its SQL.
const SORTS: [(&str, &str); 6] = [
    ("rank", "i.rank"),
    ("points", "i.points"),
    ("created", "i.created_at"),
    ("updated", "i.updated_at"),
    ("key", "i.number"),
    ("title", "LOWER(i.title)"),
];
/// Fields that compare with `<`, `<=`, `>`, `>=` as well as `:`.
const ORDERED: [&str; 3] = ["points", "created", "updated"];
const KINDS: [&str; 4] = ["story", "bug", "task", "spike"];

#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Int(i64),
    Text(String),
    Bool(bool),
    Time(chrono::DateTime<chrono::Utc>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Compiled {
    pub sql: String,
    pub params: Vec<SqlValue>,
    /// `ORDER BY` for a `sort:` term; `None` is backlog order (rank).
    pub order: Option<String>,
}

/// A parse or compile error; `start..end` is a byte range of the input (always on char boundaries).
#[derive(Debug, Clone, PartialEq)]
pub struct QueryError {
    pub message: String,
    pub start: usize,
    pub end: usize,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Put the span right after the offending item and before the hint, which reads better.
        let (s, e) = (self.start, self.end);
        match self.message.rfind("`: ") {
            Some(i) => {
                let (head, hint) = self.message.split_at(i + 1);
                write!(f, "{head} at {s}..{e}{hint}")
            }
            None => write!(f, "{} at {s}..{e}", self.message),
        }
    }
}

impl std::error::Error for QueryError {}

pub struct QueryContext<'a> {
    pub product_key: &'a str,
    /// The quarter tiers are read in (`2027-Q1`): today's.
    pub quarter: &'a str,
    /// Who `assignee:me` is.
    pub user_id: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

// Longest first so `>=` is not read as `>` followed by `=`; `=` precedes `:` for `CmpOp::sql`.
const OPS: [(&str, CmpOp); 6] = [
    (">=", CmpOp::Ge),
    ("<=", CmpOp::Le),
    (">", CmpOp::Gt),
    ("<", CmpOp::Lt),
    ("=", CmpOp::Eq),
    (":", CmpOp::Eq),
];

impl CmpOp {
    fn sql(self) -> &'static str {
        OPS.iter()
            .find(|(_, op)| *op == self)
            .map_or("=", |(s, _)| s)
    }
}

/// An item key such as `ONB-7`; the prefix is checked against the product at compile time.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemKey {
    pub prefix: String,
    pub number: i64,
}

/// One validated term. Enum values are canonical; other text is kept as typed and lowercased
/// at compile time where the match is case-insensitive.
#[derive(Debug, Clone, PartialEq)]
pub enum Predicate {
    Text(String),
    Status(super::Status),
    Kind(String),
    /// `None` means `points:none`; bounds may be fractional (`points>=0.5`).
    Points(CmpOp, Option<Points>),
    Label(String),
    /// `None` means `parent:none`.
    Parent(Option<ItemKey>),
    Key(ItemKey),
    Ready(bool),
    Persona(String),
    /// Has an unfinished blocker (`is:blocked`), or none (`is:unblocked`).
    Blocked(bool),
    /// Not Done (`is:open`), or Done (`is:done`).
    Open(bool),
    /// The quarter's priority the item serves, by name, by tier, or none (unaligned).
    Priority(Aim),
    /// The item's initiative, by name or id, or none.
    Initiative(Aim),
    /// `me`, an e-mail or its handle (`priya`), or none.
    Assignee(Who),
    /// The sprint the item is in now: one by name, the running one, or none open.
    Sprint(Aim),
    /// `created` or `updated` compared with the start of a day.
    Date(&'static str, CmpOp, chrono::NaiveDate),
    /// `sort:points`, `sort:-updated`: orders the result (index into [`SORTS`], descending);
    /// filters nothing.
    Sort(usize, bool),
}

/// What a priority, initiative or sprint term names.
#[derive(Debug, Clone, PartialEq)]
pub enum Aim {
    Name(String),
    Number(i64),
    /// `sprint:current`.
    Current,
    None,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Who {
    Me,
    Named(String),
    None,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    /// The empty query: matches everything.
    All,
    /// `start..end` spans the term (without any `-`), for errors found at compile time.
    Pred {
        pred: Predicate,
        start: usize,
        end: usize,
    },
    Not(Box<Query>),
    And(Vec<Query>),
    Or(Vec<Query>),
}

#[derive(Debug, Clone)]
enum Tok {
    Open,
    Close,
    Or,
    /// Explicit conjunction; terms side by side are joined the same way.
    And,
    Not,
    Pred(Predicate),
}

/// A token and its byte span.
type Token = (Tok, usize, usize);

type Res<T> = Result<T, QueryError>;

fn err<T>(message: impl Into<String>, start: usize, end: usize) -> Res<T> {
    Err(QueryError {
        message: message.into(),
        start,
        end,
    })
}

fn is_stop(c: char) -> bool {
    c.is_whitespace() || c == '(' || c == ')'
}

/// Byte offset of the end of the bare run starting at `from`.
fn bare_end(src: &str, from: usize) -> usize {
    src[from..].find(is_stop).map_or(src.len(), |n| from + n)
}

fn lex(src: &str) -> Res<Vec<Token>> {
    let mut toks = Vec::new();
    let mut pos = 0;
    while let Some(c) = src[pos..].chars().next() {
        let next = pos + c.len_utf8();
        let tok = match c {
            c if c.is_whitespace() => None,
            '(' => Some(Tok::Open),
            ')' => Some(Tok::Close),
            '-' if src[next..].starts_with(|n: char| !n.is_whitespace()) => Some(Tok::Not),
            '-' => return err("`-` must be followed by a term", pos, next),
            _ => {
                let (tok, end) = term(src, pos)?;
                toks.push((tok, pos, end));
                pos = end;
                continue;
            }
        };
        toks.extend(tok.map(|t| (t, pos, next)));
        pos = next;
    }
    Ok(toks)
}

/// Lexes one term starting at `start` (not whitespace, a paren or `-`).
fn term(src: &str, start: usize) -> Res<(Tok, usize)> {
    let rest = &src[start..];
    if rest.starts_with('"') {
        let (text, end) = quoted(src, start)?;
        if text.is_empty() {
            return err("empty quoted phrase", start, end);
        }
        return Ok((Tok::Pred(Predicate::Text(text)), end));
    }
    let ident = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
    let ident = ident.unwrap_or(rest.len());
    // A leading digit means text such as `10:30`, not a field.
    let field_like = rest.starts_with(|c: char| c.is_ascii_alphabetic());
    let after = &rest[ident..];
    let op = OPS
        .into_iter()
        .find(|(s, _)| field_like && after.starts_with(s));
    let Some((op_text, op)) = op else {
        let end = bare_end(src, start);
        let tok = match &src[start..end] {
            "OR" => Tok::Or,
            "AND" => Tok::And,
            word => Tok::Pred(Predicate::Text(word.to_string())),
        };
        return Ok((tok, end));
    };
    let vs = start + ident + op_text.len();
    let (value, end) = if src[vs..].starts_with('"') {
        quoted(src, vs)?
    } else {
        let end = bare_end(src, vs);
        (src[vs..end].to_string(), end)
    };
    let name = rest[..ident].to_ascii_lowercase();
    if !FIELDS.contains(&name.as_str()) {
        let known = FIELDS.join(", ");
        let typed = &rest[..ident];
        let msg = format!("unknown field `{typed}`: known fields are {known}");
        return err(msg, start, start + ident);
    }
    if !ORDERED.contains(&name.as_str()) && op_text != ":" {
        let msg = format!("`{name}` only supports `{name}:value`, not `{op_text}`");
        return err(msg, start + ident, vs);
    }
    if value.is_empty() {
        return err(format!("`{name}{op_text}` needs a value"), start, end);
    }
    Ok((Tok::Pred(field(&name, op, value, vs, end)?), end))
}

/// Parses the quoted string opening at `open`; returns its unescaped text and end offset.
fn quoted(src: &str, open: usize) -> Res<(String, usize)> {
    let mut text = String::new();
    let mut chars = src[open + 1..].char_indices();
    while let Some((i, c)) = chars.next() {
        let next = open + 1 + i + 1; // `i` indexes an ASCII char whenever this is used
        match c {
            '"' => match src[next..].chars().next().filter(|c| !is_stop(*c)) {
                Some(c) => {
                    let msg = "expected a space after the closing quote";
                    return err(msg, next, next + c.len_utf8());
                }
                None => return Ok((text, next)),
            },
            '\\' if src[next..].starts_with(['"', '\\']) => {
                text.extend(chars.next().map(|(_, c)| c));
            }
            c => text.push(c),
        }
    }
    err("unterminated quote", open, open + 1)
}

fn field(name: &str, op: CmpOp, value: String, vs: usize, ve: usize) -> Res<Predicate> {
    let invalid = |what: &str, allowed: &str| {
        let msg = format!("invalid {what} `{value}`: expected one of {allowed}");
        err(msg, vs, ve)
    };
    let lower = value.to_lowercase();
    Ok(match name {
        "status" => match lower.replace('-', "_") {
            s if s == "ready" => Predicate::Ready(true),
            s => match super::Status::parse(&s) {
                Some(st) => Predicate::Status(st),
                None => return invalid("status", "todo, in_progress, in_review, done, ready"),
            },
        },
        "kind" | "type" if KINDS.contains(&lower.as_str()) => Predicate::Kind(lower),
        "kind" | "type" => return invalid(name, &KINDS.join(", ")),
        "points" if lower == "none" && op == CmpOp::Eq => Predicate::Points(op, None),
        "points" if lower == "none" => return err("`none` only works as `points:none`", vs, ve),
        "points" => match bound(&value) {
            Some(p) => Predicate::Points(op, Some(p)),
            None => {
                let msg = format!(
                    "points must be a number with at most two decimals (3, 0.5) or `none`, got `{value}`"
                );
                return err(msg, vs, ve);
            }
        },
        "label" => Predicate::Label(value),
        "parent" if lower == "none" => Predicate::Parent(None),
        "parent" => Predicate::Parent(Some(item_key(&value, vs, ve)?)),
        "key" => Predicate::Key(item_key(&value, vs, ve)?),
        "is" if lower == "ready" => Predicate::Ready(true),
        "is" if lower == "unready" => Predicate::Ready(false),
        "is" if lower == "blocked" => Predicate::Blocked(true),
        "is" if lower == "unblocked" => Predicate::Blocked(false),
        "is" if lower == "open" => Predicate::Open(true),
        "is" if lower == "done" => Predicate::Open(false),
        "is" => return invalid("is", "ready, unready, blocked, unblocked, open, done"),
        "priority" | "tier" => Predicate::Priority(match (lower.as_str(), value.parse::<i64>()) {
            ("none" | "unaligned", _) => Aim::None,
            (_, Ok(n)) if n >= 1 => Aim::Number(n),
            (_, Ok(_)) => {
                return err(
                    format!("{name} numbers start at 1 (the top priority), got `{value}`"),
                    vs,
                    ve,
                )
            }
            _ if name == "tier" => {
                return err(
                    format!(
                        "tier must be a number (1 = the top priority) or `none`, got `{value}`"
                    ),
                    vs,
                    ve,
                )
            }
            _ => Aim::Name(lower),
        }),
        "initiative" => Predicate::Initiative(match (lower.as_str(), value.parse::<i64>()) {
            ("none", _) => Aim::None,
            (_, Ok(n)) => Aim::Number(n),
            _ => Aim::Name(lower),
        }),
        "assignee" => Predicate::Assignee(match lower.as_str() {
            "me" => Who::Me,
            "none" | "nobody" => Who::None,
            _ => Who::Named(lower),
        }),
        "sprint" => Predicate::Sprint(match lower.as_str() {
            "current" => Aim::Current,
            "none" => Aim::None,
            _ => Aim::Name(lower),
        }),
        "created" | "updated" => {
            let Ok(day) = value.parse::<chrono::NaiveDate>() else {
                return err(
                    format!("{name} needs a date like 2026-11-01, got `{value}`"),
                    vs,
                    ve,
                );
            };
            Predicate::Date(
                if name == "created" {
                    "created"
                } else {
                    "updated"
                },
                op,
                day,
            )
        }
        "sort" => {
            let (desc, by) = match lower.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, lower.as_str()),
            };
            match SORTS.iter().position(|(n, _)| *n == by) {
                Some(i) => Predicate::Sort(i, desc),
                None => {
                    let names: Vec<&str> = SORTS.iter().map(|s| s.0).collect();
                    return invalid(
                        "sort",
                        &format!("{} (with - for descending)", names.join(", ")),
                    );
                }
            }
        }
        _ => Predicate::Persona(value),
    })
}

/// A points bound: a number with at most two decimals, signed (`points>-1` is allowed).
fn bound(value: &str) -> Option<Points> {
    match value.strip_prefix('-') {
        Some(rest) => rest.parse::<Points>().ok().map(|p| -p),
        None => value.parse().ok(),
    }
}

fn item_key(value: &str, vs: usize, ve: usize) -> Res<ItemKey> {
    let key = value.rsplit_once('-').and_then(|(prefix, num)| {
        let digits = !num.is_empty() && num.bytes().all(|b| b.is_ascii_digit());
        let number = num.parse::<i64>().ok().filter(|n| digits && *n > 0)?;
        let prefix = prefix.to_string();
        (!prefix.is_empty()).then_some(ItemKey { prefix, number })
    });
    let msg = || format!("expected an item key like ONB-7, got `{value}`");
    key.map_or_else(|| err(msg(), vs, ve), Ok)
}

/// Parses a query; the empty (or all-whitespace) query is [`Query::All`].
pub fn parse(input: &str) -> Res<Query> {
    if input.len() > MAX_LEN {
        let len = input.len();
        return err(
            format!("query is too long ({len} bytes, limit {MAX_LEN})"),
            0,
            len,
        );
    }
    let toks = lex(input)?;
    if toks.is_empty() {
        return Ok(Query::All);
    }
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
        len: input.len(),
    };
    let q = p.or_expr()?;
    match p.toks.get(p.pos) {
        Some(&(_, start, end)) => err("unmatched `)`", start, end),
        None => Ok(q),
    }
}

fn join(mut qs: Vec<Query>, wrap: fn(Vec<Query>) -> Query) -> Query {
    match qs.len() {
        1 => qs.remove(0),
        _ => wrap(qs),
    }
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    depth: usize,
    len: usize,
}

impl Parser {
    /// Whether the next token cannot start a term.
    fn at_boundary(&self) -> bool {
        let next = self.toks.get(self.pos);
        matches!(next, None | Some((Tok::Or | Tok::Close, ..)))
    }

    fn err_here<T>(&self, msg: &str) -> Res<T> {
        let next = self.toks.get(self.pos);
        let (start, end) = next.map_or((self.len, self.len), |t| (t.1, t.2));
        err(msg, start, end)
    }

    fn or_expr(&mut self) -> Res<Query> {
        let mut alts = vec![self.and_expr()?];
        while let Some(&(Tok::Or, start, end)) = self.toks.get(self.pos) {
            self.pos += 1;
            if self.at_boundary() {
                return err("`OR` needs a term on each side", start, end);
            }
            alts.push(self.and_expr()?);
        }
        Ok(join(alts, Query::Or))
    }

    fn and_expr(&mut self) -> Res<Query> {
        let mut terms = Vec::new();
        while !self.at_boundary() {
            if let Some(&(Tok::And, start, end)) = self.toks.get(self.pos) {
                self.pos += 1;
                if terms.is_empty() || self.at_boundary() {
                    return err("`AND` needs a term on each side", start, end);
                }
                if matches!(self.toks.get(self.pos), Some((Tok::And, ..))) {
                    return err("`AND` needs a term on each side", start, end);
                }
                continue;
            }
            terms.push(self.unary()?);
        }
        match self.toks.get(self.pos) {
            _ if !terms.is_empty() => Ok(join(terms, Query::And)),
            Some((Tok::Or, ..)) => self.err_here("`OR` needs a term on each side"),
            Some((Tok::Close, ..)) if self.depth == 0 => self.err_here("unmatched `)`"),
            _ => self.err_here("expected a term"),
        }
    }

    fn unary(&mut self) -> Res<Query> {
        let Some((tok, start, end)) = self.toks.get(self.pos).cloned() else {
            return self.err_here("expected a term");
        };
        self.pos += 1;
        if let Tok::Pred(pred) = tok {
            return Ok(Query::Pred { pred, start, end });
        }
        if self.depth >= MAX_DEPTH {
            return err("query is nested too deeply", start, end);
        }
        self.depth += 1;
        let q = match tok {
            Tok::Not if self.at_boundary() => {
                return err("`-` must be followed by a term", start, end)
            }
            Tok::Not => Query::Not(Box::new(self.unary()?)),
            Tok::Open => {
                if let Some(&(Tok::Close, _, close_end)) = self.toks.get(self.pos) {
                    return err("empty parentheses", start, close_end);
                }
                let q = self.or_expr()?;
                if !matches!(self.toks.get(self.pos), Some((Tok::Close, ..))) {
                    return err("unclosed `(`", start, end);
                }
                self.pos += 1;
                q
            }
            _ => return err("expected a term", start, end),
        };
        self.depth -= 1;
        Ok(q)
    }
}

/// Escapes `text` for `LIKE ... ESCAPE '\'`.
fn like_escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Lowercases and escapes `text` for `LIKE ... ESCAPE '\'` as a substring match.
fn like_pattern(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

struct Emitter<'a> {
    product_key: &'a str,
    quarter: &'a str,
    user_id: i64,
    params: Vec<SqlValue>,
    first: usize,
}

/// The initiative an item serves: its own, or its parent's when it has none.
const ITEM_INITIATIVE: &str =
    "COALESCE(i.initiative_id, (SELECT par.initiative_id FROM items par WHERE par.id = i.parent_id))";

impl Emitter<'_> {
    /// `lhs` followed by a fresh placeholder bound to `value`.
    fn bind(&mut self, lhs: &str, value: SqlValue) -> String {
        let n = self.first + self.params.len();
        self.params.push(value);
        format!("{lhs} ${n}")
    }

    fn emit(&mut self, q: &Query) -> Res<String> {
        Ok(match q {
            Query::All => "1=1".to_string(),
            Query::Pred { pred, start, end } => self.pred(pred, *start, *end)?,
            Query::Not(inner) => format!("NOT ({})", self.emit(inner)?),
            Query::And(qs) => self.group(qs, " AND ", "1=1")?,
            Query::Or(qs) => self.group(qs, " OR ", "1=0")?,
        })
    }

    // Always parenthesised so the caller can splice the result after `AND`.
    fn group(&mut self, qs: &[Query], sep: &str, empty: &str) -> Res<String> {
        let parts = qs.iter().map(|q| self.emit(q)).collect::<Res<Vec<_>>>()?;
        Ok(if parts.is_empty() {
            empty.to_string()
        } else {
            format!("({})", parts.join(sep))
        })
    }

    fn in_product(&self, field: &str, key: &ItemKey, s: usize, e: usize) -> Res<i64> {
        let (prefix, n, product) = (&key.prefix, key.number, self.product_key);
        if prefix.eq_ignore_ascii_case(product) {
            return Ok(key.number);
        }
        let msg = format!("{field}:{prefix}-{n} is not in product {product}");
        err(msg, s, e)
    }

    fn pred(&mut self, pred: &Predicate, s: usize, e: usize) -> Res<String> {
        use SqlValue::{Bool, Int, Text};
        Ok(match pred {
            Predicate::Text(t) => {
                let title = self.bind("LOWER(i.title) LIKE", Text(like_pattern(t)));
                let desc = self.bind("LOWER(i.description) LIKE", Text(like_pattern(t)));
                format!("({title} ESCAPE '\\' OR {desc} ESCAPE '\\')")
            }
            Predicate::Status(v) => self.bind("i.status =", Text(v.as_str().to_string())),
            Predicate::Kind(v) => self.bind("i.kind =", Text(v.clone())),
            Predicate::Points(_, None) => "i.points IS NULL".to_string(),
            // Points are stored in hundredths, so the bound is too: exact on both databases.
            Predicate::Points(op, Some(p)) => {
                self.bind(&format!("i.points {}", op.sql()), Int(p.hundredths()))
            }
            Predicate::Label(l) => {
                let sql =
                    "EXISTS (SELECT 1 FROM item_labels l WHERE l.item_id = i.id AND l.label =";
                // Labels are stored lowercased (`validate_labels`): `label:API` must find "api".
                self.bind(sql, Text(l.to_lowercase())) + ")"
            }
            Predicate::Parent(None) => "i.parent_id IS NULL".to_string(),
            Predicate::Parent(Some(k)) => {
                let n = self.in_product("parent", k, s, e)?;
                let sql = "i.parent_id = (SELECT p.id FROM items p \
                           WHERE p.product_id = i.product_id AND p.number =";
                self.bind(sql, Int(n)) + ")"
            }
            Predicate::Key(k) => self.bind("i.number =", Int(self.in_product("key", k, s, e)?)),
            Predicate::Ready(r) => self.bind("i.ready =", Bool(*r)),
            Predicate::Persona(p) => self.bind("LOWER(i.persona) =", Text(p.to_lowercase())),
            Predicate::Blocked(b) => format!(
                "{}EXISTS (SELECT 1 FROM item_dependencies d JOIN items bl ON bl.id = d.blocker_id \
                 WHERE d.blocked_id = i.id AND bl.status <> 'done')",
                if *b { "" } else { "NOT " }
            ),
            Predicate::Open(true) => "i.status <> 'done'".to_string(),
            Predicate::Open(false) => "i.status = 'done'".to_string(),
            Predicate::Priority(aim) => self.priority(aim),
            Predicate::Initiative(aim) => match aim {
                Aim::None => format!("{ITEM_INITIATIVE} IS NULL"),
                Aim::Number(n) => self.bind(&format!("{ITEM_INITIATIVE} ="), Int(*n)),
                Aim::Name(t) => {
                    let sql = format!(
                        "{ITEM_INITIATIVE} IN (SELECT ini.id FROM initiatives ini \
                         WHERE ini.product_id = i.product_id AND LOWER(ini.title) ="
                    );
                    self.bind(&sql, Text(t.clone())) + ")"
                }
                Aim::Current => "1=0".to_string(),
            },
            Predicate::Assignee(who) => match who {
                Who::None => "i.assignee_id IS NULL".to_string(),
                Who::Me => self.bind("i.assignee_id =", Int(self.user_id)),
                Who::Named(w) => {
                    // An e-mail, or the handle before its `@`, as in @mentions.
                    let exact = self.bind("LOWER(u.email) =", Text(w.clone()));
                    let handle =
                        self.bind("LOWER(u.email) LIKE", Text(format!("{}@%", like_escape(w))));
                    format!("i.assignee_id IN (SELECT u.id FROM users u WHERE {exact} OR {handle} ESCAPE '\\')")
                }
            },
            Predicate::Sprint(aim) => {
                let open = "SELECT si.item_id FROM sprint_items si JOIN sprints sp ON sp.id = si.sprint_id \
                            WHERE si.removed_at IS NULL AND sp.product_id = i.product_id";
                match aim {
                    Aim::Current => format!("i.id IN ({open} AND sp.state = 'active')"),
                    Aim::None => format!("i.id NOT IN ({open} AND sp.state <> 'closed')"),
                    Aim::Name(n) => {
                        self.bind(
                            &format!("i.id IN ({open} AND LOWER(sp.name) ="),
                            Text(n.clone()),
                        ) + ")"
                    }
                    Aim::Number(n) => {
                        self.bind(&format!("i.id IN ({open} AND sp.id ="), Int(*n)) + ")"
                    }
                }
            }
            Predicate::Date(field, op, day) => self.date(field, *op, *day),
            Predicate::Sort(..) => "1=1".to_string(),
        })
    }

    fn priority(&mut self, aim: &Aim) -> String {
        use SqlValue::{Int, Text};
        let q = self.bind("pi.quarter =", Text(self.quarter.to_string()));
        let served = format!(
            "SELECT 1 FROM priority_initiatives pi JOIN priorities pr ON pr.id = pi.priority_id \
             WHERE {q} AND pi.initiative_id = {ITEM_INITIATIVE}"
        );
        match aim {
            Aim::None | Aim::Current => format!("NOT EXISTS ({served})"),
            Aim::Name(t) => {
                self.bind(
                    &format!("EXISTS ({served} AND LOWER(pr.title) ="),
                    Text(t.clone()),
                ) + ")"
            }
            Aim::Number(n) => {
                let tier =
                    "(SELECT COUNT(*) FROM priorities p2 WHERE p2.product_id = pr.product_id \
                            AND p2.quarter = pr.quarter AND p2.rank <= pr.rank) =";
                self.bind(&format!("EXISTS ({served} AND {tier}"), Int(*n)) + ")"
            }
        }
    }

    /// `created`/`updated` against whole days: `>D` is after day D, `<=D` up to its end,
    /// `:D` within it.
    fn date(&mut self, field: &str, op: CmpOp, day: chrono::NaiveDate) -> String {
        use SqlValue::Time;
        let start = |d: chrono::NaiveDate| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        let next = day.succ_opt().unwrap_or(day);
        let col = format!("i.{field}_at");
        match op {
            CmpOp::Gt => self.bind(&format!("{col} >="), Time(start(next))),
            CmpOp::Ge => self.bind(&format!("{col} >="), Time(start(day))),
            CmpOp::Lt => self.bind(&format!("{col} <"), Time(start(day))),
            CmpOp::Le => self.bind(&format!("{col} <"), Time(start(next))),
            CmpOp::Eq => {
                let from = self.bind(&format!("{col} >="), Time(start(day)));
                let to = self.bind(&format!("{col} <"), Time(start(next)));
                format!("({from} AND {to})")
            }
        }
    }
}

impl Query {
    /// Compiles to SQL numbering placeholders from `$first_param`. The result is atomic or
    /// parenthesised, so it is safe to splice after `AND`.
    pub fn compile(&self, ctx: &QueryContext, first_param: usize) -> Result<Compiled, QueryError> {
        let mut out = Emitter {
            product_key: ctx.product_key,
            quarter: ctx.quarter,
            user_id: ctx.user_id,
            params: Vec::new(),
            first: first_param,
        };
        let sql = out.emit(self)?;
        Ok(Compiled {
            sql,
            params: out.params,
            order: self.order()?,
        })
    }

    /// The `ORDER BY` a `sort:` term asks for: at most one, and only as a term of the whole
    /// query (not under `-` or `OR`, where it would mean nothing).
    fn order(&self) -> Res<Option<String>> {
        fn walk<'q>(q: &'q Query, top: bool, found: &mut Vec<(&'q Predicate, usize, usize, bool)>) {
            match q {
                Query::Pred {
                    pred: p @ Predicate::Sort(..),
                    start,
                    end,
                } => found.push((p, *start, *end, top)),
                Query::Not(inner) => walk(inner, false, found),
                Query::And(qs) => qs.iter().for_each(|x| walk(x, top, found)),
                Query::Or(qs) => qs.iter().for_each(|x| walk(x, false, found)),
                _ => {}
            }
        }
        let mut found = Vec::new();
        walk(self, true, &mut found);
        match found.as_slice() {
            [] => Ok(None),
            [(_, s, e, false), ..] => err(
                "`sort:` applies to the whole query, not under `-` or `OR`",
                *s,
                *e,
            ),
            [_, (_, s, e, _), ..] => err("only one `sort:` per query", *s, *e),
            [(Predicate::Sort(i, desc), ..)] => {
                let col = SORTS[*i].1;
                let dir = if *desc { "DESC" } else { "ASC" };
                // Items without a value (no points) last either way; rank breaks ties.
                Ok((*i != 0 || *desc).then(|| format!("({col} IS NULL), {col} {dir}, i.rank")))
            }
            _ => Ok(None),
        }
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, Query::All)
    }
}

/// Compiles a user's query, turning parse errors into a field error that points at the token.
/// Tiers are this quarter's; `assignee:me` is the caller.
pub fn compile_query(
    q: &str,
    ctx: &crate::workspace::ProductCtx,
) -> crate::error::Result<Compiled> {
    let parsed = parse(q).map_err(|e| crate::error::Error::invalid("q", e.to_string()))?;
    let quarter = crate::calendar::Quarter::of(crate::calendar::today()).to_string();
    let qc = QueryContext {
        product_key: &ctx.product.key,
        quarter: &quarter,
        user_id: ctx.user_id,
    };
    parsed
        .compile(&qc, 4)
        .map_err(|e| crate::error::Error::invalid("q", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use SqlValue::{Bool, Int, Text};

    const CTX: QueryContext<'static> = QueryContext {
        product_key: "ONB",
        quarter: "2027-Q1",
        user_id: 7,
    };

    fn run(input: &str, first: usize) -> Res<Compiled> {
        parse(input).and_then(|q| q.compile(&CTX, first))
    }

    fn params(input: &str) -> Vec<SqlValue> {
        run(input, 1)
            .unwrap_or_else(|e| panic!("{input:?}: {e}"))
            .params
    }

    fn check(input: &str, sql: &str, params: &[SqlValue]) {
        let c = run(input, 1).unwrap_or_else(|e| panic!("{input:?}: {e}"));
        assert_eq!(
            (c.sql.as_str(), c.params.as_slice()),
            (sql, params),
            "{input:?}"
        );
    }

    fn txt(s: &str) -> SqlValue {
        Text(s.to_string())
    }

    #[test]
    fn empty_matches_everything() {
        for input in ["", "  \t\n"] {
            assert!(parse(input).expect("parses").is_empty());
            check(input, "1=1", &[]);
        }
        assert!(!parse("bug").expect("parses").is_empty());
    }

    #[test]
    fn fields() {
        check("status:todo", "i.status = $1", &[txt("todo")]);
        check("STATUS:In-Progress", "i.status = $1", &[txt("in_progress")]);
        check("status:in-review", "i.status = $1", &[txt("in_review")]);
        check("status:ready", "i.ready = $1", &[Bool(true)]);
        check("kind:Story", "i.kind = $1", &[txt("story")]);
        check("type:spike", "i.kind = $1", &[txt("spike")]);
        check("is:ready", "i.ready = $1", &[Bool(true)]);
        check("Is:Unready", "i.ready = $1", &[Bool(false)]);
        for op in [">=", ">", "<", "<=", "="] {
            let want = format!("i.points {op} $1");
            check(&format!("points{op}3"), &want, &[Int(300)]);
            check(&format!("points{op}0.5"), &want, &[Int(50)]);
        }
        check("points:3", "i.points = $1", &[Int(300)]);
        check("points>=18.5", "i.points >= $1", &[Int(1850)]);
        check("points<.25", "i.points < $1", &[Int(25)]);
        check("points:none", "i.points IS NULL", &[]);
        let label = "EXISTS (SELECT 1 FROM item_labels l WHERE l.item_id = i.id AND l.label = $1)";
        check("label:API", label, &[txt("api")]);
        check(r#"label:"Needs design""#, label, &[txt("needs design")]);
        check("label:日本", label, &[txt("日本")]);
        let persona = "LOWER(i.persona) = $1";
        check("persona:Admin", persona, &[txt("admin")]);
    }

    #[test]
    fn parent_and_key() {
        let c = run("parent:onb-7", 3).expect("compiles");
        let want = "i.parent_id = (SELECT p.id FROM items p WHERE p.product_id = i.product_id \
                    AND p.number = $3)";
        assert_eq!((c.sql.as_str(), c.params), (want, vec![Int(7)]));
        check("parent:NONE", "i.parent_id IS NULL", &[]);
        check("key:ONB-12", "i.number = $1", &[Int(12)]);
    }

    #[test]
    fn free_text_and_quoting() {
        let want = "(LOWER(i.title) LIKE $1 ESCAPE '\\' \
                    OR LOWER(i.description) LIKE $2 ESCAPE '\\')";
        check("Login", want, &[txt("%login%"), txt("%login%")]);
        let p = params(r#""Say \"Hi\" \\ 50%_off\n""#);
        assert_eq!(p[0], txt(r#"%say "hi" \\ 50\%\_off\\n%"#));
        assert_eq!(params("10:30 a-b")[2..], [txt("%a-b%"), txt("%a-b%")]);
        assert_eq!(params("or"), params("\"OR\""));
    }

    #[test]
    fn negation_or_and_grouping() {
        let c = run("-label:wontfix -is:ready -\"x\"", 1).expect("compiles");
        let (sql, n) = (&c.sql, c.params.len());
        assert!(sql.starts_with("(NOT (EXISTS (") && n == 4, "{sql}");
        assert!(
            sql.contains(" AND NOT (i.ready = $2) AND NOT ((LOWER"),
            "{sql}"
        );
        let q = parse("status:todo kind:bug OR -(label:x OR points>3)").expect("parses");
        let Query::Or(alts) = &q else { panic!("{q:?}") };
        assert!(matches!(&alts[0], Query::And(v) if v.len() == 2));
        assert!(matches!(&alts[1], Query::Not(inner) if matches!(**inner, Query::Or(_))));
        let sql = q.compile(&CTX, 2).expect("compiles").sql;
        assert!(sql.starts_with("((i.status = $2 AND i.kind = $3) OR NOT ((EXISTS"));
        assert!(sql.ends_with("OR i.points > $5)))"), "{sql}");
        check("(((points:1)))", "i.points = $1", &[Int(100)]);
        check("--is:ready", "NOT (NOT (i.ready = $1))", &[Bool(true)]);
        check("-(-points:none)", "NOT (NOT (i.points IS NULL))", &[]);
    }

    #[test]
    fn errors() {
        // Each case is `input | start..end | expected message fragment`.
        let cases = [
            "prio:high | 0..4 | unknown field `prio`: known fields are status, kind, type",
            "status:open | 7..11 | expected one of todo, in_progress, in_review, done, ready",
            "kind:epic | 5..9 | invalid kind `epic`: expected one of story, bug, task, spike",
            "is:soon | 3..7 | invalid is `soon`: expected one of ready, unready",
            "points>none | 7..11 | `none` only works as `points:none`",
            "points:3.555 | 7..12 | points must be a number with at most two decimals (3, 0.5) or `none`, got `3.555`",
            "points>=1e2 | 8..11 | points must be a number with at most two decimals (3, 0.5) or `none`, got `1e2`",
            "points>= | 0..8 | `points>=` needs a value",
            "x label: | 2..8 | `label:` needs a value",
            "label:\"\" | 0..8 | `label:` needs a value",
            "label>=a | 5..7 | `label` only supports `label:value`, not `>=`",
            "parent:OTHER-7 | 0..14 | parent:OTHER-7 is not in product ONB",
            "a key:X-1 | 2..9 | key:X-1 is not in product ONB",
            "a \"unterminated \\\" | 2..3 | unterminated quote",
            "label:\"é | 6..7 | unterminated quote",
            "\"a\"b | 3..4 | expected a space after the closing quote",
            "\"\" | 0..2 | empty quoted phrase",
            "a - b | 2..3 | `-` must be followed by a term",
            "a -) | 2..3 | `-` must be followed by a term",
            "a ) | 2..3 | unmatched `)`",
            ") a | 0..1 | unmatched `)`",
            "(a OR b | 0..1 | unclosed `(`",
            "a ( ) | 2..5 | empty parentheses",
            "OR a | 0..2 | `OR` needs a term on each side",
            "a OR | 2..4 | `OR` needs a term on each side",
            "a OR OR b | 2..4 | `OR` needs a term on each side",
            "(a OR) b | 3..5 | `OR` needs a term on each side",
        ];
        let mut cases = cases.map(String::from).to_vec();
        for k in ["ONB", "ONB-", "-7", "ONB-x", "ONB-0", "ONB-+7"] {
            cases.push(format!(
                "key:{k} | 4..{} | item key like ONB-7",
                4 + k.len()
            ));
        }
        let deep = "(".repeat(100);
        cases.push(format!("{deep} | 64..65 | query is nested too deeply"));
        let long = "é".repeat(1001);
        cases.push(format!(
            "{long} | 0..2002 | query is too long (2002 bytes, limit 2000)"
        ));
        for case in &cases {
            let [input, span, needle] = case.splitn(3, " | ").collect::<Vec<_>>()[..] else {
                panic!("bad case {case}")
            };
            let e = run(input, 1).expect_err(input);
            assert_eq!(format!("{}..{}", e.start, e.end), span, "{input:?}: {e}");
            assert!(e.message.contains(needle), "{input:?}: {e}");
        }
        let e = run("prio:high", 1).expect_err("fails").to_string();
        let want = "unknown field `prio` at 0..4: known fields are status, kind, type, points";
        assert!(e.starts_with(want), "{e}");
    }

    fn placeholders(sql: &str) -> Vec<usize> {
        let after_dollar = sql.split('$').skip(1);
        let digits = after_dollar.map(|s| s.chars().take_while(char::is_ascii_digit).collect());
        digits.map(|d: String| d.parse().unwrap_or(0)).collect()
    }

    fn word() -> impl Strategy<Value = String> {
        // 12+ letters: longer than any identifier or keyword in the generated SQL.
        "[a-zA-Z]{12,16}"
    }

    fn term() -> impl Strategy<Value = String> {
        let fixed = "status:in-review status:ready kind:Spike type:bug points:none parent:ONB-7 \
                     parent:none key:onb-12 is:unready is:ready";
        let fixed: Vec<String> = fixed.split_whitespace().map(String::from).collect();
        let ops = prop::sample::select(vec![">=", ">", "<", "<=", "=", ":"]);
        let leaf = prop_oneof![
            word().prop_map(|w| format!("label:{w}")),
            word().prop_map(|w| format!("Label:\"{w} \\\" x\"")),
            word().prop_map(|w| format!("persona:{w}")),
            word().prop_map(|w| format!("\"{w}\"")),
            word(),
            (ops, -500i64..10_000)
                .prop_map(|(op, h)| format!("points{op}{}", Points::from_hundredths(h))),
            prop::sample::select(fixed),
        ];
        (any::<bool>(), leaf).prop_map(|(neg, t)| if neg { format!("-{t}") } else { t })
    }

    fn query() -> impl Strategy<Value = String> {
        term().prop_recursive(4, 32, 4, |inner| {
            let terms = || prop::collection::vec(inner.clone(), 1..4);
            prop_oneof![
                terms().prop_map(|v| v.join(" ")),
                terms().prop_map(|v| v.join(" OR ")),
                inner.clone().prop_map(|q| format!("-( {q})")),
                inner.clone().prop_map(|q| format!("({q} )")),
            ]
        })
    }

    proptest! {
        #[test]
        fn never_panics(input in any::<String>()) {
            let _ = run(&input, 1);
        }

        #[test]
        fn never_panics_on_query_like_input(input in "[-a-zA-Z0-9:<>=()\"\\\\ é]{0,60}") {
            let _ = run(&input, 1);
        }

        #[test]
        fn placeholders_match_params(input in query(), first in 1usize..20) {
            let c = run(&input, first).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let want: Vec<usize> = (first..first + c.params.len()).collect();
            prop_assert_eq!(placeholders(&c.sql), want);
        }

        #[test]
        fn values_never_in_sql(input in query()) {
            let c = run(&input, 1).map_err(|e| TestCaseError::fail(e.to_string()))?;
            for w in input.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| w.len() >= 12) {
                prop_assert!(!c.sql.contains(w) && !c.sql.contains(&w.to_lowercase()));
            }
        }
    }

    #[test]
    fn strategy_people_sprints_and_dates() {
        // PRODUCT.md's own example parses, with the priority's name lowercased.
        assert_eq!(
            params(r#"status:ready points>=3 priority:"Onboarding" label:api"#),
            vec![
                Bool(true),
                Int(300),
                txt("2027-Q1"),
                txt("onboarding"),
                txt("api")
            ]
        );
        assert_eq!(params("tier:2"), vec![txt("2027-Q1"), Int(2)]);
        assert_eq!(params("tier:none"), vec![txt("2027-Q1")]);
        assert_eq!(params("assignee:me"), vec![Int(7)]);
        assert_eq!(params("sprint:\"Sprint 5\""), vec![txt("sprint 5")]);
        check("is:blocked AND is:open", "(EXISTS (SELECT 1 FROM item_dependencies d JOIN items bl ON bl.id = d.blocker_id WHERE d.blocked_id = i.id AND bl.status <> 'done') AND i.status <> 'done')", &[]);
        let day = |s: &str| {
            let d: chrono::NaiveDate = s.parse().expect("date");
            SqlValue::Time(d.and_hms_opt(0, 0, 0).expect("midnight").and_utc())
        };
        assert_eq!(params("updated>2026-11-01"), vec![day("2026-11-02")]);
        assert_eq!(params("created<=2026-11-01"), vec![day("2026-11-02")]);
        assert_eq!(
            params("created:2026-11-01"),
            vec![day("2026-11-01"), day("2026-11-02")]
        );
        let order = |q: &str| run(q, 1).expect("compiles").order;
        assert_eq!(order("status:todo"), None);
        assert_eq!(order("sort:rank"), None);
        assert_eq!(
            order("sort:-points bug").as_deref(),
            Some("(i.points IS NULL), i.points DESC, i.rank")
        );
        for bad in [
            "-sort:key",
            "sort:key OR bug",
            "sort:key sort:title",
            "sort:colour",
        ] {
            assert!(run(bad, 1).is_err(), "{bad}");
        }
        for bad in [
            "AND status:todo",
            "status:todo AND",
            "a AND AND b",
            "tier:0",
            "tier:top",
            "updated>soon",
            "label>x",
        ] {
            assert!(run(bad, 1).is_err(), "{bad}");
        }
    }
}
