//! `throughline doctor`: checks the data directory, the database, the migrations, the clock,
//! the backups and the SMTP server, one line each with what to fix; exits non-zero when a check fails.

use clap::Args;

use crate::config::file::Loaded;
use crate::config::{BackupSettings, DbArgs};
use crate::doctor::probe::{self, Setup};

#[derive(Args, Debug)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub backups: BackupSettings,
    #[command(flatten)]
    pub mail: crate::config::smtp::MailSettings,
    /// Print the checks as JSON.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(db: &DbArgs, a: DoctorArgs, file: Option<&Loaded>) -> anyhow::Result<()> {
    let setup = Setup {
        target: db.target()?,
        config_file: file.map(|f| format!("{} (found by {})", f.path.display(), f.found_by)),
        backup_dir: a.backups.dir(db),
        backup_every: a.backups.backup_every.0,
        mail: a.mail.clone(),
    };
    let checks = probe::run(&setup).await;
    let failed = crate::doctor::report_failed(&checks);
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({"ok": failed == 0, "checks": checks})
            )?
        );
    } else {
        super::config::print_checks(&checks);
    }
    if failed > 0 {
        anyhow::bail!(
            "{} failed; see fix: above",
            super::out::count(failed as i64, "check", "checks")
        );
    }
    Ok(())
}
