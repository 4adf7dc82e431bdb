//! SQL for the instance: its settings (one versioned row, changed through the one guarded
//! write) and its admins. Changes are audited with no workspace.

use serde_json::json;

use super::{parse_domains, Settings, SettingsInput, Signup, WorkspaceCreation};
use crate::audit::{Change, Guarded, Load, Versioned};
use crate::auth::store::User;
use crate::db::{Conn, Db};
use crate::error::{Error, Result};
use crate::{exec, on};

impl Versioned for Settings {
    const NOUN: &'static str = "the instance's settings";
    fn version(&self) -> i64 {
        self.version
    }
}

impl Load for Settings {
    type Key = ();
    async fn load(c: &mut Conn<'_>, _: ()) -> Result<Self> {
        let row: (String, String, String, i64) = on!(c, t => sqlx::query_as(
            "SELECT workspace_creation, signup, allowed_domains, version
             FROM instance_settings WHERE id = 1")
            .fetch_one(&mut **t).await)?;
        Ok(from_row(row))
    }
}

fn from_row((creation, signup, domains, version): (String, String, String, i64)) -> Settings {
    Settings {
        workspace_creation: if creation == "admins" {
            WorkspaceCreation::Admins
        } else {
            WorkspaceCreation::Anyone
        },
        signup: if signup == "closed" {
            Signup::Closed
        } else {
            Signup::Invitation
        },
        // Stored already checked; a hand-edited row that no longer parses admits nobody new
        // rather than everybody.
        allowed_domains: parse_domains(&[domains]).unwrap_or_else(|_| vec!["invalid".into()]),
        version,
    }
}

pub async fn settings(db: &Db) -> Result<Settings> {
    let mut r = db.reader().await?;
    Settings::load(&mut r.conn(), ()).await
}

/// Changes the settings if they are still at `expected`; `actor` is None at the terminal.
pub async fn update(
    db: &Db,
    actor: Option<&User>,
    expected: i64,
    input: &SettingsInput,
) -> Result<Settings> {
    let (mut w, new) =
        Guarded::<Settings>::merging(db, (), expected, |old| old.merged(input)).await?;
    let n = exec!(&mut w.conn(), t => sqlx::query(
        "UPDATE instance_settings SET workspace_creation = $1, signup = $2, allowed_domains = $3,
                version = version + 1
         WHERE id = 1 AND version = $4")
        .bind(new.workspace_creation.as_str()).bind(new.signup.as_str())
        .bind(new.allowed_domains.join(",")).bind(expected));
    let after = Settings {
        version: expected + 1,
        ..new
    };
    w.commit(
        n?,
        Change::instance(actor.map(|a| a.id), "instance.settings", ("instance", 1)).after(&after),
    )
    .await?;
    Ok(after)
}

/// The instance's admins, by name.
pub async fn admins(db: &Db) -> Result<Vec<User>> {
    Ok(on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT id, email, name FROM users WHERE instance_admin ORDER BY name, id")
        .fetch_all(&mut **c).await)?)
}

/// Makes an account an admin of the instance, or no longer one; the last admin stays.
pub async fn set_admin(db: &Db, actor: Option<&User>, email: &str, admin: bool) -> Result<User> {
    let email = email.trim().to_lowercase();
    let mut tx = db.begin().await?;
    // Changes to the admins queue on the settings row, so two removals at once cannot each
    // see the other as the admin that remains (PostgreSQL reads committed rows per statement).
    exec!(&mut tx.conn(), t => sqlx::query("UPDATE instance_settings SET id = id WHERE id = 1"))?;
    let row: Option<(i64, String, String, bool, bool)> = on!(&mut tx.conn(), t => sqlx::query_as(
        "SELECT id, email, name, instance_admin, placeholder FROM users WHERE email = $1")
        .bind(&email).fetch_optional(&mut **t).await)?;
    let Some((id, email, name, was, placeholder)) = row else {
        return Err(Error::invalid("email", "no account has this e-mail"));
    };
    if placeholder {
        return Err(Error::invalid(
            "email",
            "that is a placeholder an import made; invite them first",
        ));
    }
    let user = User { id, email, name };
    if was == admin {
        return Ok(user);
    }
    if !admin {
        let others: i64 = on!(&mut tx.conn(), t => sqlx::query_scalar(
            "SELECT COUNT(*) FROM users WHERE instance_admin AND id <> $1")
            .bind(id).fetch_one(&mut **t).await)?;
        if others == 0 {
            return Err(Error::Conflict(
                "this is the instance's last admin; make another admin first".into(),
            ));
        }
    }
    exec!(&mut tx.conn(), t => sqlx::query("UPDATE users SET instance_admin = $1 WHERE id = $2")
        .bind(admin).bind(id))?;
    let action = if admin {
        "instance.admin.grant"
    } else {
        "instance.admin.revoke"
    };
    Change::instance(actor.map(|a| a.id), action, ("user", id))
        .before(&json!({ "instance_admin": was }))
        .after(&json!({ "instance_admin": admin, "email": user.email }))
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(user)
}

/// Whether any account can sign in yet (placeholders an import made cannot).
pub async fn has_accounts(db: &Db) -> Result<bool> {
    let n: i64 = on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE NOT placeholder").fetch_one(&mut **c).await)?;
    Ok(n > 0)
}
