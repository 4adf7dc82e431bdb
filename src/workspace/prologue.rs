//! What every request under a workspace asks first, in one statement: who the caller is (the
//! holder of an API token or the person of a session) and what the path names for them (the
//! product with their roles, or the workspace with whether they administer it).
//!
//! These were two statements sent side by side. On PostgreSQL each statement is a round trip,
//! so the caller's statement is left-joined to the path's rows instead, and a route may join
//! more of what its path names to them ([`ctx_with_read`]: an item's row, a board's sprint).
//! The caller still decides first: no caller, no rows; a path that is not theirs (or names
//! nothing) leaves the caller's row alone, the path's columns empty.

use std::sync::LazyLock;

use super::store::{member_of, Caller, CtxRow, CTX_BY_SESSION, CTX_BY_TOKEN};
use super::store::{MEMBER_BY_SESSION, MEMBER_BY_TOKEN};
use super::Workspace;
use crate::auth::store::{self as auth_store, Session, TokenHolder};
use crate::db::batch::{Arg, Read, Rows};

/// Who a prologue found for its caller: none for an unknown token or session, or a session past
/// its time.
pub enum Found {
    Holder(Option<TokenHolder>),
    Session(Option<Session>),
}

/// The rows of the product `key` of workspace `slug` with the caller's roles there
/// ([`super::store::ctx_of`] makes them a context), and the caller.
pub fn ctx_read(caller: Caller<'_>, slug: &str, key: &str) -> Read<(Found, Vec<CtxRow>)> {
    let sql = match caller {
        Caller::Token(_) => &TOKEN_AND_CTX,
        Caller::Session(_) => &SESSION_AND_CTX,
    };
    joined(
        caller,
        sql.as_str(),
        vec![slug.into(), key.to_uppercase().into()],
        |rows| {
            let found = rows
                .first::<WithProduct>()?
                .is_some_and(|r| r.w_id.is_some());
            Ok(if found { rows.all()? } else { Vec::new() })
        },
    )
}

/// The texts of a first statement that joins more of what the path names to the product's
/// row, for [`ctx_with_read`]: `columns` added to the caller's and the product's, from
/// `joins`, which may name the product's row as `c` (its id is `c.p_id`) and take arguments
/// from `$4`. One text for a token's holder and one for a session's person; made once.
pub fn ctx_sql_with(columns: &str, joins: &str) -> [String; 2] {
    [
        (auth_store::HOLDER_SQL, &*CTX_BY_TOKEN),
        (auth_store::SESSION_SQL, &*CTX_BY_SESSION),
    ]
    .map(|(caller, path)| {
        format!(
            "SELECT h.*, c.*, {columns} FROM ({caller}) h LEFT JOIN ({path}) c ON 1 = 1 {joins}"
        )
    })
}

/// What [`ctx_with_read`] answers: the caller, the product's context rows, and the more the
/// statement joined to them.
pub type CtxWith<T> = Read<(Found, (Vec<CtxRow>, T))>;

/// [`ctx_read`] with more of the path's in the same statement (the item a route names):
/// `sql` from [`ctx_sql_with`], `more` its arguments from `$4`, and `decode` what the joined
/// columns make. Its answer is for the caller to use only once the product is theirs.
pub fn ctx_with_read<T: Send + 'static>(
    caller: Caller<'_>,
    (slug, key): (&str, &str),
    sql: &'static LazyLock<[String; 2]>,
    more: Vec<Arg>,
    decode: fn(&Rows) -> sqlx::Result<T>,
) -> CtxWith<T> {
    let text = match caller {
        Caller::Token(_) => &sql[0],
        Caller::Session(_) => &sql[1],
    };
    let mut args = vec![slug.into(), key.to_uppercase().into()];
    args.extend(more);
    joined(caller, text, args, move |rows| {
        let found = rows
            .first::<WithProduct>()?
            .is_some_and(|r| r.w_id.is_some());
        let ctx = if found { rows.all()? } else { Vec::new() };
        Ok((ctx, decode(rows)?))
    })
}

/// The workspace `slug` and whether the caller administers it, if they are a member, and the
/// caller.
pub fn member_read(caller: Caller<'_>, slug: &str) -> Read<(Found, Option<(Workspace, bool)>)> {
    let sql = match caller {
        Caller::Token(_) => &TOKEN_AND_MEMBER,
        Caller::Session(_) => &SESSION_AND_MEMBER,
    };
    joined(caller, sql.as_str(), vec![slug.into()], member_of)
}

static TOKEN_AND_CTX: LazyLock<String> =
    LazyLock::new(|| caller_and(auth_store::HOLDER_SQL, &CTX_BY_TOKEN));
static SESSION_AND_CTX: LazyLock<String> =
    LazyLock::new(|| caller_and(auth_store::SESSION_SQL, &CTX_BY_SESSION));
static TOKEN_AND_MEMBER: LazyLock<String> =
    LazyLock::new(|| caller_and(auth_store::HOLDER_SQL, &MEMBER_BY_TOKEN));
static SESSION_AND_MEMBER: LazyLock<String> =
    LazyLock::new(|| caller_and(auth_store::SESSION_SQL, &MEMBER_BY_SESSION));

/// The caller's statement with the path's rows joined to its one row (both keyed by `$1`, the
/// hash; the caller's columns are named `h_…`, so no name is there twice).
fn caller_and(caller: &str, path: &str) -> String {
    format!("SELECT h.*, c.* FROM ({caller}) h LEFT JOIN ({path}) c ON 1 = 1")
}

/// Whether a row of the product's context, joined to the caller's, has the product.
#[derive(sqlx::FromRow)]
struct WithProduct {
    w_id: Option<i64>,
}

fn joined<T: Send + 'static>(
    caller: Caller<'_>,
    sql: &'static str,
    rest: Vec<Arg>,
    path: impl FnOnce(&Rows) -> sqlx::Result<T> + Send + 'static,
) -> Read<(Found, T)> {
    let (hash, token) = match caller {
        Caller::Token(hash) => (hash, true),
        Caller::Session(hash) => (hash, false),
    };
    let mut args = vec![Arg::from(hash)];
    args.extend(rest);
    Read::query(sql, args, move |rows| {
        let found = match token {
            true => Found::Holder(auth_store::holder_of(&rows)?),
            false => Found::Session(auth_store::session_of(&rows)?),
        };
        Ok((found, path(&rows)?))
    })
}
