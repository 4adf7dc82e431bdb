//! The committing steps of invitations, called alike by the API, the pages and the CLI: only
//! workspace admins invite, list and revoke; anyone holding a live link accepts it once. Each
//! change writes its audit row in its own transaction; bad input is refused before anything is
//! written.

use chrono::Duration;
use serde_json::json;

use super::store::{self, Row};
use super::{Invitation, InvitationInput, NewInvitation, RolesOn, State, TOKEN_PREFIX};
use crate::audit::Change;
use crate::auth::store::{claim_placeholder, insert_user, User};
use crate::auth::{hash_secret, random_secret, validate_email, validate_password, Role};
use crate::db::{now, Db};
use crate::error::{Error, Result};
use crate::mail::message::Letter;
use crate::mail::Mailer;
use crate::passwords::{Hashing, QUEUE_WAIT};
use crate::workspace::{parse_roles, validate_name, Product, ProductRoles, Workspace};

fn admins_only(admin: bool) -> Result<()> {
    if admin {
        Ok(())
    } else {
        Err(Error::forbidden("only workspace admins may invite people"))
    }
}

/// Roles per product key, as (product id, role); unknown products and roles name `roles`.
fn resolve_roles(products: &[Product], wanted: &[RolesOn]) -> Result<Vec<(i64, Role)>> {
    let mut out = Vec::new();
    for w in wanted {
        let key = w.product.trim().to_uppercase();
        let p = products.iter().find(|p| p.key == key).ok_or_else(|| {
            Error::invalid(
                "roles",
                format!("{:?} is not a product of this workspace", w.product),
            )
        })?;
        for r in parse_roles(&w.roles)? {
            if !out.contains(&(p.id, r)) {
                out.push((p.id, r));
            }
        }
    }
    Ok(out)
}

fn invitation(row: Row, roles: &[(i64, String, String)]) -> Invitation {
    let mut held: Vec<ProductRoles> = Vec::new();
    for (_, key, role) in roles.iter().filter(|r| r.0 == row.id) {
        let Some(role) = Role::parse(role) else {
            continue;
        };
        match held.iter_mut().find(|h| &h.product == key) {
            Some(h) => h.roles.push(role),
            None => held.push(ProductRoles {
                product: key.clone(),
                roles: vec![role],
            }),
        }
    }
    Invitation {
        status: row.state().as_str().to_string(),
        id: row.id,
        email: row.email,
        placeholder_user_id: row.placeholder_id,
        name: row.placeholder_name,
        roles: held,
        admin: row.admin,
        created_by: row.created_by,
        created_at: row.created_at,
        expires_at: row.expires_at,
    }
}

/// The placeholder to claim, as (id, e-mail), and the e-mail the invitation carries.
async fn target(
    db: &Db,
    ws: &Workspace,
    input: &InvitationInput,
) -> Result<(Option<(i64, String)>, Option<String>)> {
    let email = match input.email.as_deref().map(str::trim) {
        Some(e) if !e.is_empty() => Some(validate_email(e)?),
        _ => None,
    };
    let mut reader = db.reader().await?;
    let mut c = reader.conn();
    let placeholder = match (input.placeholder_user_id, &email) {
        (Some(id), _) => match store::account_by_id(&mut c, ws.id, id).await? {
            Some((id, _, mail, true, true)) => Some((id, mail)),
            Some((_, _, _, false, true)) => {
                return Err(Error::Conflict(
                    "that member can sign in already; there is no placeholder to claim".into(),
                ))
            }
            _ => {
                return Err(Error::invalid(
                    "placeholder_user_id",
                    "no placeholder of this workspace has that id",
                ))
            }
        },
        (None, Some(e)) => match store::account_by_email(&mut c, ws.id, e).await? {
            None => None,
            Some((id, _, mail, true, _)) => Some((id, mail)),
            Some((_, _, _, false, true)) => {
                return Err(Error::Conflict(format!(
                    "{e} is already a member of this workspace"
                )))
            }
            // Someone with an account: they accept by signing in (see `join`). The answer is
            // the same as for an address nobody has, so an invitation tells nobody who has one.
            Some((_, _, _, false, false)) => None,
        },
        (None, None) => {
            return Err(Error::invalid(
                "email",
                "give the e-mail of the person to invite, or a placeholder to claim",
            ))
        }
    };
    // A placeholder invited under a new e-mail: the address must not be someone else's.
    if let (Some((id, _)), Some(e)) = (&placeholder, &email) {
        if let Some((other, ..)) = store::account_by_email(&mut c, ws.id, e).await? {
            if other != *id {
                return Err(Error::Conflict(format!(
                    "another account has the e-mail {e}"
                )));
            }
        }
    }
    let email = email.or_else(|| {
        placeholder
            .as_ref()
            .and_then(|p| super::real_email(&p.1).map(String::from))
    });
    Ok((placeholder, email))
}

/// Invites someone (admins only); a newer invitation for the same person replaces the open one.
pub async fn create(
    db: &Db,
    actor: &User,
    ws: &Workspace,
    admin: bool,
    input: &InvitationInput,
) -> Result<NewInvitation> {
    admins_only(admin)?;
    let (placeholder, email) = target(db, ws, input).await?;
    let instance = crate::instance::store::settings(db).await?;
    instance.check_new_account(crate::auth::store::is_instance_admin(db, actor.id).await?)?;
    if let Some(e) = &email {
        instance.check_email("email", e)?;
    }
    let products = crate::workspace::store::products(db, ws.id).await?;
    let grants = resolve_roles(&products, &input.roles)?;
    let placeholder_id = placeholder.map(|p| p.0);
    let token = random_secret(TOKEN_PREFIX);
    let at = now();
    let mut tx = db.begin().await?;
    for old in store::open_for(&mut tx.conn(), ws.id, placeholder_id, email.as_deref()).await? {
        store::revoke(&mut tx.conn(), ws.id, old).await?;
        Change::by(actor, ws, "invitation.revoke", ("invitation", old))
            .reason(Some("replaced by a new invitation"))
            .record(&mut tx)
            .await?;
    }
    let insert = store::Insert {
        workspace_id: ws.id,
        email: email.as_deref(),
        placeholder_id,
        admin: input.admin,
        token_hash: &hash_secret(&token),
        created_by: actor.id,
        created_at: at,
        expires_at: at + Duration::days(super::VALID_DAYS),
    };
    let id = store::insert(&mut tx.conn(), &insert).await?;
    for (product_id, role) in &grants {
        store::insert_role(&mut tx.conn(), id, *product_id, role.as_str()).await?;
    }
    let row = store::one(&mut tx.conn(), ws.id, id)
        .await?
        .ok_or(Error::NotFound)?;
    let roles = store::roles(&mut tx.conn(), ws.id).await?;
    let inv = invitation(row, &roles);
    Change::by(actor, ws, "invitation.create", ("invitation", id))
        .after(&inv)
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(NewInvitation {
        invitation: inv,
        link: format!("/invite/{token}"),
        emailed: false,
    })
}

/// Refuses `send_email` before anything is written when it cannot be honoured: the server sends
/// no e-mail, or the invitation has no address to send to.
pub fn check_sending(input: &InvitationInput, mailer: Option<&Mailer>) -> Result<()> {
    if !input.send_email {
        return Ok(());
    }
    if mailer.is_none() {
        return Err(Error::invalid(
            "send_email",
            "this server does not send e-mail (an admin sets smtp_host); copy the link instead",
        ));
    }
    Ok(())
}

/// Invites someone and, when asked, puts an e-mail with the link in the outbox.
pub async fn create_and_send(
    db: &Db,
    mailer: Option<&Mailer>,
    actor: &User,
    ws: &Workspace,
    admin: bool,
    input: &InvitationInput,
) -> Result<NewInvitation> {
    check_sending(input, mailer)?;
    let mut created = create(db, actor, ws, admin, input).await?;
    if let (true, Some(m)) = (input.send_email, mailer) {
        created.emailed = email_link(db, m, actor, ws, &created).await?;
    }
    Ok(created)
}

/// E-mails a new invitation's link to its address; false when it has none that mail reaches
/// (a placeholder invited without one).
pub async fn email_link(
    db: &Db,
    mailer: &Mailer,
    actor: &User,
    ws: &Workspace,
    created: &NewInvitation,
) -> Result<bool> {
    let Some(to) = created
        .invitation
        .email
        .as_deref()
        .filter(|e| crate::mail::deliverable(e))
    else {
        return Ok(false);
    };
    let letter = Letter {
        subject: format!("{} invited you to {} on Throughline", actor.name, ws.name),
        greeting: match &created.invitation.name {
            Some(n) => format!("Hello {n},"),
            None => "Hello,".into(),
        },
        lines: vec![
            format!(
                "{} ({}) invited you to join the workspace {} on Throughline, where your team keeps its product strategy and backlog.",
                actor.name, actor.email, ws.name
            ),
            format!(
                "Open the link to choose your password and join. It works once, until {}.",
                created.invitation.expires_at.format("%Y-%m-%d %H:%M UTC")
            ),
        ],
        entries: Vec::new(),
        action: Some(("Accept the invitation".into(), mailer.link(&created.link))),
        why: format!(
            "You get this e-mail because {} invited {to}. If you do not know them, ignore it.",
            actor.email
        ),
        unsubscribe: None,
    };
    let out = letter.write("invitation", None, to)?;
    let mut tx = db.begin().await?;
    crate::mail::outbox::enqueue(&mut tx.conn(), &out, now()).await?;
    tx.commit().await?;
    Ok(true)
}

/// The workspace's invitations still open (admins only), expired ones included, newest first.
pub async fn list(db: &Db, ws: &Workspace, admin: bool) -> Result<Vec<Invitation>> {
    admins_only(admin)?;
    let mut reader = db.reader().await?;
    let rows = store::open(&mut reader.conn(), ws.id).await?;
    let roles = store::roles(&mut reader.conn(), ws.id).await?;
    Ok(rows.into_iter().map(|r| invitation(r, &roles)).collect())
}

/// Withdraws an open invitation (admins only): its link then shows that it was withdrawn.
pub async fn revoke(db: &Db, actor: &User, ws: &Workspace, admin: bool, id: i64) -> Result<()> {
    admins_only(admin)?;
    let mut tx = db.begin().await?;
    let row = store::one(&mut tx.conn(), ws.id, id)
        .await?
        .ok_or(Error::NotFound)?;
    match row.state() {
        State::Accepted => {
            return Err(Error::Conflict(
                "this invitation has been accepted already".into(),
            ))
        }
        State::Revoked => {
            return Err(Error::Conflict(
                "this invitation was revoked already".into(),
            ))
        }
        State::Pending | State::Expired => {}
    }
    store::revoke(&mut tx.conn(), ws.id, id).await?;
    let inv = invitation(row, &[]);
    Change::by(actor, ws, "invitation.revoke", ("invitation", id))
        .before(&inv)
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// An invitation a link opens, with its workspace.
pub struct Opened {
    pub row: Row,
    pub workspace: Workspace,
}

impl Opened {
    /// The e-mail the account will have when it is known already (the invitation's, or the
    /// placeholder's real one): the person accepting cannot change it.
    pub fn fixed_email(&self) -> Option<String> {
        self.row.email.clone().or_else(|| {
            self.row
                .placeholder_email
                .as_deref()
                .and_then(super::real_email)
                .map(String::from)
        })
    }
}

/// The invitation a link's secret opens, in whatever state; an unknown secret is NotFound.
pub async fn open(db: &Db, token: &str) -> Result<Opened> {
    if !token.starts_with(TOKEN_PREFIX) || token.len() > 100 {
        return Err(Error::NotFound);
    }
    let mut reader = db.reader().await?;
    let row = store::by_token_hash(&mut reader.conn(), &hash_secret(token))
        .await?
        .ok_or(Error::NotFound)?;
    let workspace = store::workspace(&mut reader.conn(), row.workspace_id).await?;
    Ok(Opened { row, workspace })
}

/// What the person accepting gives.
#[derive(Clone, Debug, Default)]
pub struct Acceptance {
    pub name: String,
    pub email: String,
    pub password: String,
}

/// Accepts an invitation: the placeholder it claims becomes an account that signs in (same id,
/// so its imported history stays), or a new account is made; either joins the workspace with the
/// invited roles. A used, revoked or expired link is refused (409), as is a second acceptance.
pub async fn accept(
    db: &Db,
    hashing: &Hashing,
    token: &str,
    a: &Acceptance,
) -> Result<(User, Workspace)> {
    let opened = open(db, token).await?;
    if let Some(why) = opened.row.state().refusal() {
        return Err(Error::Conflict(why.into()));
    }
    // Someone with an account accepts by signing in (`join`), never by making a second one.
    if row_needs_sign_in(db, &opened).await? {
        return Err(Error::Conflict(SIGN_IN_FIRST.into()));
    }
    let name = validate_name("name", &a.name)?;
    let email = match opened.fixed_email() {
        Some(e) => e,
        None => validate_email(&a.email)?,
    };
    validate_password(&a.password)?;
    // The instance's rules as they are now, not as they were when the link was made.
    let instance = crate::instance::store::settings(db).await?;
    instance.check_email("email", &email)?;
    let inviter_admin = match opened.row.created_by {
        Some(id) => crate::auth::store::is_instance_admin(db, id).await?,
        None => false,
    };
    instance.check_new_account(inviter_admin)?;
    let hash = hashing.hash(&a.password).await?;
    let Opened { row, workspace: ws } = opened;
    let mut tx = db.begin().await?;
    let user_id = match row.placeholder_id {
        Some(id) => {
            if claim_placeholder(&mut tx.conn(), id, &email, &name, &hash).await? != 1 {
                return Err(Error::Conflict(
                    "this account can sign in already; sign in with its e-mail and password".into(),
                ));
            }
            id
        }
        None => insert_user(&mut tx.conn(), &email, &name, &hash).await?,
    };
    if store::accept(&mut tx.conn(), row.id, user_id).await? != 1 {
        let why = State::Accepted.refusal().unwrap_or_default();
        return Err(Error::Conflict(why.into()));
    }
    crate::workspace::store::join(&mut tx.conn(), ws.id, user_id).await?;
    if row.admin {
        store::make_admin(&mut tx.conn(), ws.id, user_id).await?;
    }
    let grants = store::grants(&mut tx.conn(), row.id).await?;
    for (product_id, role) in &grants {
        store::grant_role(&mut tx.conn(), *product_id, user_id, role).await?;
    }
    let user = User {
        id: user_id,
        email,
        name,
    };
    if row.placeholder_id.is_some() {
        // Other workspaces' links for the same placeholder can no longer set it up.
        for (other, other_ws) in store::open_for_placeholder(&mut tx.conn(), user_id).await? {
            store::revoke(&mut tx.conn(), other_ws, other).await?;
            let mut change = Change::by(&user, &ws, "invitation.revoke", ("invitation", other))
                .reason(Some("the account was set up through another invitation"));
            change.workspace_id = Some(other_ws);
            change.record(&mut tx).await?;
        }
    }
    Change::by(&user, &ws, "invitation.accept", ("invitation", row.id))
        .after(&json!({
            "user_id": user.id,
            "email": user.email,
            "name": user.name,
            "claimed_placeholder": row.placeholder_id.is_some(),
            "admin": row.admin,
        }))
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    Ok((user, ws))
}

/// What the acceptance form says when the address has an account already.
pub const SIGN_IN_FIRST: &str =
    "this address has an account here: sign in with it, then open this link again to join";

/// Whether the invitation is for an address that has an account (not a placeholder to claim).
async fn row_needs_sign_in(db: &Db, opened: &Opened) -> Result<bool> {
    if opened.row.placeholder_id.is_some() {
        return Ok(false);
    }
    let Some(email) = opened.fixed_email() else {
        return Ok(false);
    };
    Ok(crate::auth::store::find_by_email(db, &email)
        .await?
        .is_some())
}

/// Accepts an invitation as the signed-in `user`, whose e-mail must be the invited one: they
/// join the workspace with the invited roles. A used, revoked or expired link is refused (409),
/// as is an invitation for someone else or one that claims a placeholder (accepted by its form).
pub async fn join(db: &Db, token: &str, user: &User) -> Result<Workspace> {
    let Opened { row, workspace: ws } = open(db, token).await?;
    if let Some(why) = row.state().refusal() {
        return Err(Error::Conflict(why.into()));
    }
    let invited = row.email.as_deref().map(str::to_lowercase);
    if row.placeholder_id.is_some() || invited.as_deref() != Some(user.email.as_str()) {
        return Err(Error::Conflict(
            "this invitation is for another e-mail address; sign in as that address to accept it"
                .into(),
        ));
    }
    crate::instance::store::settings(db)
        .await?
        .check_email("email", &user.email)?;
    let mut tx = db.begin().await?;
    if store::accept(&mut tx.conn(), row.id, user.id).await? != 1 {
        let why = State::Accepted.refusal().unwrap_or_default();
        return Err(Error::Conflict(why.into()));
    }
    if !crate::workspace::store::join(&mut tx.conn(), ws.id, user.id).await? {
        return Err(Error::Conflict(format!(
            "you are a member of {} already",
            ws.name
        )));
    }
    if row.admin {
        store::make_admin(&mut tx.conn(), ws.id, user.id).await?;
    }
    for (product_id, role) in &store::grants(&mut tx.conn(), row.id).await? {
        store::grant_role(&mut tx.conn(), *product_id, user.id, role).await?;
    }
    Change::by(user, &ws, "invitation.accept", ("invitation", row.id))
        .after(&json!({
            "user_id": user.id,
            "email": user.email,
            "name": user.name,
            "claimed_placeholder": false,
            "admin": row.admin,
        }))
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(ws)
}

/// `user add` for an address a placeholder holds: the placeholder becomes that account (name
/// and password set, mark removed), keeping its history; its open invitations are withdrawn.
/// Answers the account and the workspaces it belongs to, or None when no placeholder has the
/// address. Nobody is signed in at a terminal, so the audit rows have no actor.
pub async fn claim_by_email(
    db: &Db,
    email: &str,
    name: &str,
    password: &str,
) -> Result<Option<(User, Vec<String>)>> {
    let email = validate_email(email)?;
    let mut reader = db.reader().await?;
    let Some(id) = store::placeholder_by_email(&mut reader.conn(), &email).await? else {
        return Ok(None);
    };
    drop(reader);
    let name = validate_name("name", name)?;
    validate_password(password)?;
    // At a terminal nobody else waits on the gate: a gate of its own suffices.
    let hash = Hashing::new(1, QUEUE_WAIT).hash(password).await?;
    let mut tx = db.begin().await?;
    if claim_placeholder(&mut tx.conn(), id, &email, &name, &hash).await? != 1 {
        return Ok(None);
    }
    for (inv, ws) in store::open_for_placeholder(&mut tx.conn(), id).await? {
        store::revoke(&mut tx.conn(), ws, inv).await?;
        record_unattended(&mut tx, ws, "invitation.revoke", ("invitation", inv), None).await?;
    }
    let workspaces = store::workspaces_of(&mut tx.conn(), id).await?;
    let after = json!({"email": email, "name": name, "placeholder": false});
    for (ws, _) in &workspaces {
        record_unattended(&mut tx, *ws, "user.claim", ("user", id), Some(&after)).await?;
    }
    tx.commit().await?;
    let user = User { id, email, name };
    Ok(Some((user, workspaces.into_iter().map(|w| w.1).collect())))
}

async fn record_unattended(
    tx: &mut crate::db::Tx,
    workspace_id: i64,
    action: &str,
    (entity_type, entity_id): (&str, i64),
    after: Option<&serde_json::Value>,
) -> Result<()> {
    Change {
        workspace_id: Some(workspace_id),
        actor_id: None,
        action,
        entity_type,
        entity_id,
        before: None,
        after: after.cloned(),
        reason: Some("throughline user add"),
    }
    .record(tx)
    .await?;
    Ok(())
}
