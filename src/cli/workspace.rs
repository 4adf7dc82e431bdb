//! `throughline workspace|product|member ...`: set up a workspace from a terminal, with the
//! same rules as the API and pages (workspace admins add products and members and set roles;
//! a product's creator becomes its PM and PO).

use clap::{Args, Subcommand};

use super::flags::flag_err;
use super::item::{actor, Who};
use super::out::print_table;
use super::strategy::{print_json, On};
use crate::config::DbArgs;
use crate::db::Db;
use crate::workspace::{parse_roles, store, Member, Workspace};

// Who acts, where no workspace is named yet (no doc comment: clap would show it as the about
// text of `workspace list`).
#[derive(Args, Debug, Clone)]
pub struct Me {
    /// The account to act as.
    #[arg(long = "as", env = "THROUGHLINE_USER")]
    pub email: String,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

impl Me {
    async fn user(&self, db: &Db) -> anyhow::Result<crate::auth::store::User> {
        crate::auth::store::find_by_email(db, &self.email)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no account with e-mail {}", self.email))
    }
}

#[derive(Subcommand, Debug)]
pub enum WorkspaceCommand {
    /// Create a workspace; you become its admin.
    Create {
        #[command(flatten)]
        me: Me,
        /// Its address: 2–40 lowercase letters, digits or dashes, e.g. `acme`.
        #[arg(long)]
        slug: String,
        /// The name people see, e.g. "Acme Inc".
        #[arg(long)]
        name: String,
    },
    /// The workspaces you belong to.
    List(Me),
}

#[derive(Subcommand, Debug)]
pub enum ProductCommand {
    /// Add a product to the workspace (admins); you become its PM and PO.
    Create {
        #[command(flatten)]
        who: Who,
        /// 2–10 capital letters or digits that prefix its item keys (`ONB-42`); never changes.
        #[arg(long)]
        key: String,
        /// The name people see, e.g. "Onboarding".
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "")]
        description: String,
    },
    /// The workspace's products.
    List(Who),
}

#[derive(Subcommand, Debug)]
pub enum MemberCommand {
    /// Add an existing account to the workspace at once (admins). This is the operator's path,
    /// run with the database's own access on the server; through the web and the API, adding
    /// someone is an invitation they accept (`throughline invite` makes one here too).
    Add {
        #[command(flatten)]
        who: Who,
        /// The e-mail of the account to add (create it first with `throughline user add`).
        #[arg(long = "email", value_name = "EMAIL")]
        member: String,
        /// Make them a workspace admin too.
        #[arg(long)]
        admin: bool,
    },
    /// The workspace's members with their roles on each product.
    List(Who),
    /// Set a member's roles on a product (admins); they replace the roles held there.
    Roles {
        #[command(flatten)]
        on: On,
        /// The member's e-mail.
        #[arg(long = "email", value_name = "EMAIL")]
        member: String,
        /// pm, po, sm, dev or stakeholder; repeat for several.
        #[arg(long = "role", required_unless_present = "none")]
        roles: Vec<String>,
        /// Take away every role on the product.
        #[arg(long, conflicts_with = "roles")]
        none: bool,
    },
}

/// The workspace named by `-w`, for a member of it, with whether they administer it.
pub(super) async fn workspace(
    db: &Db,
    who: &Who,
) -> anyhow::Result<(crate::auth::store::User, Workspace, bool)> {
    let user = actor(db, who).await?;
    let (w, admin) = store::workspace_for(db, user.id, &who.workspace)
        .await
        .map_err(|e| anyhow::anyhow!("workspace {}: {e}", who.workspace))?;
    Ok((user, w, admin))
}

/// "ONB: pm, po; PAY: dev", or "–".
fn roles_text(m: &Member) -> String {
    if m.roles.is_empty() {
        return "–".into();
    }
    m.roles
        .iter()
        .map(|r| {
            let names: Vec<&str> = r.roles.iter().map(|x| x.as_str()).collect();
            format!("{}: {}", r.product, names.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn print_members(members: &[Member]) {
    let mut rows = vec![vec![
        "e-mail".to_string(),
        "name".into(),
        "account".into(),
        "roles".into(),
    ]];
    rows.extend(members.iter().map(|m| {
        vec![
            m.email.clone(),
            m.name.clone(),
            match (m.admin, m.placeholder) {
                (true, _) => "admin",
                (false, true) => "placeholder (cannot sign in)",
                (false, false) => "",
            }
            .into(),
            roles_text(m),
        ]
    }));
    print_table(&rows, &[]);
    if members.iter().any(|m| m.placeholder) {
        println!("placeholders sign in once invited: `throughline invite create --placeholder EMAIL_OR_NAME`");
    }
}

async fn member(db: &Db, workspace_id: i64, user_id: i64) -> anyhow::Result<Member> {
    store::members(db, workspace_id)
        .await
        .map_err(|e| flag_err(e, &[]))?
        .into_iter()
        .find(|m| m.user_id == user_id)
        .ok_or_else(|| anyhow::anyhow!("not a member of this workspace"))
}

pub async fn run_workspace(db_args: &DbArgs, c: WorkspaceCommand) -> anyhow::Result<()> {
    let db = db_args.open(false).await?;
    match c {
        WorkspaceCommand::Create { me, slug, name } => {
            let user = me.user(&db).await?;
            let w = store::create_workspace(&db, &user, &slug, &name)
                .await
                .map_err(|e| flag_err(e, &[("slug", "--slug"), ("name", "--name")]))?;
            if me.json {
                return print_json(&w);
            }
            println!(
                "created workspace {} ({}); you are its admin",
                w.slug, w.name
            );
        }
        WorkspaceCommand::List(me) => {
            let user = me.user(&db).await?;
            let list = store::workspaces_of(&db, user.id)
                .await
                .map_err(|e| flag_err(e, &[]))?;
            if me.json {
                return print_json(&list);
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|w| vec![w.slug.clone(), w.name.clone()])
                .collect();
            print_table(&rows, &[]);
        }
    }
    Ok(())
}

pub async fn run_product(db_args: &DbArgs, c: ProductCommand) -> anyhow::Result<()> {
    let db = db_args.open(false).await?;
    match c {
        ProductCommand::Create {
            who,
            key,
            name,
            description,
        } => {
            let (user, w, admin) = workspace(&db, &who).await?;
            let p = store::create_product(&db, &user, &w, admin, &key, &name, &description)
                .await
                .map_err(|e| flag_err(e, &[("key", "--key"), ("name", "--name")]))?;
            if who.json {
                return print_json(&p);
            }
            let roles: Vec<&str> = store::CREATOR_ROLES.iter().map(|r| r.as_str()).collect();
            println!(
                "created product {} ({}) in {}; you are its {}",
                p.key,
                p.name,
                w.slug,
                roles.join(" and ")
            );
        }
        ProductCommand::List(who) => {
            let (_, w, _) = workspace(&db, &who).await?;
            let list = store::products(&db, w.id)
                .await
                .map_err(|e| flag_err(e, &[]))?;
            if who.json {
                return print_json(&list);
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|p| vec![p.key.clone(), p.name.clone(), p.description.clone()])
                .collect();
            print_table(&rows, &[]);
        }
    }
    Ok(())
}

pub async fn run_member(db_args: &DbArgs, c: MemberCommand) -> anyhow::Result<()> {
    let db = db_args.open(false).await?;
    match c {
        MemberCommand::Add {
            who,
            member: email,
            admin,
        } => {
            let (user, w, is_admin) = workspace(&db, &who).await?;
            let added = store::add_member(&db, &user, &w, is_admin, &email, admin)
                .await
                .map_err(|e| flag_err(e, &[("email", "--email")]))?;
            let m = member(&db, w.id, added.id).await?;
            if who.json {
                return print_json(&m);
            }
            println!(
                "added {} <{}> to {}{}; give them roles with `throughline member roles`",
                m.name,
                m.email,
                w.slug,
                if m.admin { " as an admin" } else { "" }
            );
        }
        MemberCommand::List(who) => {
            let (_, w, _) = workspace(&db, &who).await?;
            let list = store::members(&db, w.id)
                .await
                .map_err(|e| flag_err(e, &[]))?;
            if who.json {
                return print_json(&list);
            }
            print_members(&list);
        }
        MemberCommand::Roles {
            on,
            member: email,
            roles,
            none,
        } => {
            let (user, ctx) = on.open(&db).await?;
            let roles = if none {
                Vec::new()
            } else {
                parse_roles(&roles).map_err(|e| flag_err(e, &[("roles", "--role")]))?
            };
            let target = crate::auth::store::find_by_email(&db, &email)
                .await?
                .ok_or_else(|| anyhow::anyhow!("--email: no account has the e-mail {email}"))?;
            store::set_roles(&db, &user, &ctx, target.id, &roles)
                .await
                .map_err(|e| flag_err(e, &[("user", "--email"), ("roles", "--role")]))?;
            let m = member(&db, ctx.workspace.id, target.id).await?;
            if on.who.json {
                return print_json(&m);
            }
            let held: Vec<&str> = m
                .roles
                .iter()
                .filter(|r| r.product == ctx.product.key)
                .flat_map(|r| r.roles.iter().map(|x| x.as_str()))
                .collect();
            if held.is_empty() {
                println!("{} holds no role on {}", m.email, ctx.product.key);
            } else {
                println!("{} is {} on {}", m.email, held.join(", "), ctx.product.key);
            }
        }
    }
    Ok(())
}
