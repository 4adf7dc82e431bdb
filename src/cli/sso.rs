//! `throughline sso …`: the sign-in providers the admin page keeps, and the switch for local
//! passwords. At the server's terminal, which always may turn passwords back on: the way back
//! in when no provider signs anyone in any more (audited with no actor).

use clap::{Subcommand, ValueEnum};

use crate::config::DbArgs;

#[derive(Subcommand, Debug)]
pub enum SsoCommand {
    /// The providers people sign in with (from the admin page; the configured one is not
    /// stored) and whether local passwords work.
    List,
    /// Turn sign-in with local passwords on or off.
    Passwords {
        /// `on` or `off`.
        state: Switch,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Switch {
    On,
    Off,
}

pub async fn run(db: &DbArgs, c: SsoCommand) -> anyhow::Result<()> {
    let db = db.open(false).await?;
    match c {
        SsoCommand::List => {
            let pw = crate::sso::store::passwords(&db).await?;
            println!(
                "local passwords: {}",
                if pw.local_passwords { "on" } else { "off" }
            );
            for p in crate::sso::store::stored(&db).await? {
                println!(
                    "{}\t{}\t{}\tclient {}",
                    p.slug, p.name, p.issuer, p.client_id
                );
            }
        }
        SsoCommand::Passwords { state } => {
            let on = matches!(state, Switch::On);
            crate::sso::store::set_passwords(&db, None, None, on).await?;
            println!("local passwords are {}", if on { "on" } else { "off" });
        }
    }
    Ok(())
}
