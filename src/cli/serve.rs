//! `throughline serve`: migrate, optionally seed the demo, and serve HTTP until stopped.

use std::time::Instant;

use clap::Args;

use crate::config::{DbArgs, ServerSettings};
use crate::web::{router, AppState};

#[derive(Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub settings: ServerSettings,
    /// Seed a demo workspace on first start (when the database has no accounts).
    #[arg(long)]
    pub demo: bool,
}

pub async fn run(db_args: &DbArgs, args: ServeArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    init_logging(&args.settings.log);
    // A half-configured provider is a mistake to name now, not at someone's first sign-in.
    if let Some(why) = args.settings.oidc.incomplete() {
        anyhow::bail!(why);
    }
    crate::sso::Provider::configured(&args.settings.oidc).map_err(|e| anyhow::anyhow!("{e}"))?;
    let db = db_args.open(true).await?;
    let cut_short = crate::import::jobs::interrupted(&db).await?;
    if cut_short > 0 {
        tracing::warn!("{cut_short} import job(s) cut short by the last stop were marked failed");
    }
    if args.demo {
        if let Some(login) = crate::seed::demo_if_empty(&db).await? {
            println!(
                "demo workspace ready: sign in as {} with password {}",
                login.0, login.1
            );
        }
    }
    // An installation nobody can sign in to yet is claimed through a one-time link.
    let setup = if crate::instance::store::has_accounts(&db).await? {
        None
    } else {
        Some(crate::auth::random_secret(""))
    };
    let b = &args.settings.backups;
    let plan = crate::backup::schedule::Plan {
        dir: b.dir(db_args),
        every: b.backup_every.0,
        keep: b.backup_keep as usize,
    };
    let mailer = match args.settings.mail.check() {
        Ok(Some(smtp)) => Some(crate::mail::Mailer::new(smtp)?),
        Ok(None) => None,
        Err((key, e)) => anyhow::bail!("{key}: {e}"),
    };
    let state = AppState {
        db: db.clone(),
        metrics: crate::metrics_handle(),
        secure_cookies: args.settings.secure_cookies,
        backups: plan.clone(),
        setup: crate::state::SetupLink::new(setup.clone()),
        mail: mailer.clone(),
        oidc: crate::config::oidc::OidcSettings {
            public_url: args.settings.mail.public_url.clone(),
            ..args.settings.oidc.clone()
        },
        hashing: crate::passwords::Hashing::for_this_machine(),
        behind_proxy: args.settings.behind_proxy,
        metrics_token: args.settings.metrics_token.clone(),
    };
    // Webhook deliveries and e-mail wait in the database; every server process helps send them.
    let worker = crate::notify::worker::spawn(db.clone(), mailer);
    let backups = crate::backup::schedule::spawn(db.clone(), plan);
    let checkpoints = crate::db::checkpoint::spawn(&db);
    let listener = tokio::net::TcpListener::bind(args.settings.listen).await?;
    let addr = listener.local_addr()?;
    println!(
        "Throughline {} listening on http://{addr} (started in {} ms)",
        crate::config::VERSION,
        started.elapsed().as_millis()
    );
    if let Some(secret) = &setup {
        println!("{}", setup_notice(addr, secret));
    }
    // Peer addresses ride along for the sign-in limit (`auth::address`).
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await?;
    worker.abort();
    for task in backups.into_iter().chain(checkpoints) {
        task.abort();
    }
    db.close().await;
    Ok(())
}

/// What the first start says: the link that creates the first admin, and for how long it works.
fn setup_notice(addr: std::net::SocketAddr, secret: &str) -> String {
    let host = if addr.ip().is_unspecified() {
        format!("127.0.0.1:{}", addr.port())
    } else {
        addr.to_string()
    };
    format!(
        "No account exists yet. Open this one-time link to create the first admin, workspace and \
         product:\n  http://{host}/setup?token={secret}\n(it works until it is used or this \
         process stops; from another machine, use this server's address)"
    )
}

fn init_logging(log: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(log).unwrap_or_else(|e| {
        eprintln!("warning: log filter {log:?} is not valid ({e}); logging at info");
        tracing_subscriber::EnvFilter::new("info,sqlx=warn")
    });
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
