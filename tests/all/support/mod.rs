//! Test harness: each test gets its own database (SQLite file, or a fresh PostgreSQL database
//! when TEST_DATABASE_URL is set) and its own server on a free port.
#![allow(dead_code)]

pub mod cli;
pub mod oidc;
pub mod scrum;
pub mod session;
pub mod web;

use std::net::SocketAddr;

use reqwest::{Client, Method, RequestBuilder, Response};
use serde_json::{json, Value};
use throughline::auth::store as accounts;
use throughline::auth::Role;
use throughline::db::{Db, Target};
use throughline::web::{router, AppState};

pub struct TestApp {
    pub addr: SocketAddr,
    /// The server's mailer, when it sends e-mail (`spawn_app_with_smtp`).
    pub mail: Option<throughline::mail::Mailer>,
    pub db: Db,
    pub target: Target,
    pub client: Client,
    _dir: tempfile::TempDir,
}

pub async fn test_target(dir: &std::path::Path) -> Target {
    match std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        Some(admin_url) => {
            let name = format!(
                "tl_{}",
                throughline::auth::random_secret("")[..16].to_lowercase()
            );
            let admin = sqlx::PgPool::connect(&admin_url)
                .await
                .expect("connect to TEST_DATABASE_URL");
            sqlx::query(&format!(
                "CREATE DATABASE {name} TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'"
            ))
            .execute(&admin)
            .await
            .expect("create test database");
            admin.close().await;
            let mut url = url::Url::parse(&admin_url).expect("url");
            url.set_path(&name);
            Target::Postgres(url.to_string())
        }
        None => Target::Sqlite(dir.join("test.db")),
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(throughline::state::SetupLink::default(), None).await
}

/// A server whose first-run setup link has the secret `setup`, as `serve` on an empty
/// database has.
pub async fn spawn_app_with_setup(setup: &str) -> TestApp {
    spawn_app_with(
        throughline::state::SetupLink::new(Some(setup.to_string())),
        None,
    )
    .await
}

/// A server that sends e-mail through the SMTP server at `smtp` (`127.0.0.1:PORT`, no
/// encryption), with links to its own address.
pub async fn spawn_app_with_smtp(smtp: std::net::SocketAddr) -> TestApp {
    spawn_app_configured(
        throughline::state::SetupLink::default(),
        Some(smtp),
        Default::default(),
    )
    .await
}

/// A server with this single sign-on configuration (`THROUGHLINE_OIDC_*`, `public_url`).
pub async fn spawn_app_with_oidc(oidc: throughline::config::oidc::OidcSettings) -> TestApp {
    spawn_app_configured(throughline::state::SetupLink::default(), None, oidc).await
}

async fn spawn_app_with(
    setup: throughline::state::SetupLink,
    smtp: Option<std::net::SocketAddr>,
) -> TestApp {
    spawn_app_configured(setup, smtp, Default::default()).await
}

async fn spawn_app_configured(
    setup: throughline::state::SetupLink,
    smtp: Option<std::net::SocketAddr>,
    oidc: throughline::config::oidc::OidcSettings,
) -> TestApp {
    spawn_app_tuned(setup, smtp, oidc, |_| {}).await
}

/// A server whose settings `tune` adjusts (secure cookies, a metrics token).
pub async fn spawn_app_with_state(tune: impl FnOnce(&mut AppState)) -> TestApp {
    spawn_app_tuned(Default::default(), None, Default::default(), tune).await
}

async fn spawn_app_tuned(
    setup: throughline::state::SetupLink,
    smtp: Option<std::net::SocketAddr>,
    oidc: throughline::config::oidc::OidcSettings,
    tune: impl FnOnce(&mut AppState),
) -> TestApp {
    let dir = tempfile::tempdir().expect("tempdir");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let mail = smtp.map(|smtp| {
        let settings = throughline::config::smtp::MailSettings {
            smtp_host: Some(smtp.ip().to_string()),
            smtp_port: Some(smtp.port()),
            smtp_security: throughline::config::smtp::Security::None,
            smtp_from: Some("Throughline <throughline@example.com>".into()),
            public_url: Some(format!("http://{addr}")),
            ..Default::default()
        };
        let checked = settings.check().expect("mail settings").expect("a host");
        throughline::mail::Mailer::new(checked).expect("mailer")
    });
    let target = test_target(dir.path()).await;
    let db = Db::connect(&target, true).await.expect("connect");
    db.migrate().await.expect("migrate");
    let mut state = AppState {
        db: db.clone(),
        metrics: throughline::metrics_handle(),
        secure_cookies: false,
        backups: throughline::backup::schedule::Plan {
            dir: dir.path().join("backups"),
            every: None,
            keep: 7,
        },
        setup,
        mail: mail.clone(),
        oidc,
        // As many hashing threads as the server would have, but a patient queue: the tests run
        // in parallel on a busy machine, and a sign-in told to come back (503) after the
        // server's 3 s would fail a test about something else. The flood test keeps the 3 s.
        hashing: throughline::passwords::Hashing::new(
            throughline::passwords::Hashing::threads_for_this_machine(),
            std::time::Duration::from_secs(60),
        ),
        behind_proxy: false,
        metrics_token: None,
    };
    tune(&mut state);
    // As `serve` does: peer addresses for the sign-in limit.
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    TestApp {
        addr,
        mail,
        db,
        target,
        client,
        _dir: dir,
    }
}

/// A user with an API token.
#[derive(Clone)]
pub struct Caller {
    pub id: i64,
    pub email: String,
    pub token: String,
}

pub const PASSWORD: &str = "correct horse battery";

/// The `tli_…` secret of a new invitation's `link`.
pub fn invitation_token(invitation: &Value) -> String {
    let link = invitation["link"].as_str().expect("a link");
    link.rsplit('/').next().expect("a token").to_string()
}

impl TestApp {
    /// The test's own folder, where the server's backups go (`backups/`).
    pub fn folder(&self) -> &std::path::Path {
        self._dir.path()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn user(&self, name: &str) -> Caller {
        let email = format!("{}@example.com", name.to_lowercase());
        let u = accounts::create_user(&self.db, &email, name, PASSWORD)
            .await
            .expect("user");
        let token = accounts::create_token(&self.db, u.id, "test", false)
            .await
            .expect("token");
        Caller {
            id: u.id,
            email,
            token,
        }
    }

    pub fn req(&self, who: &Caller, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(&who.token)
    }

    pub async fn get(&self, who: &Caller, path: &str) -> Response {
        self.req(who, Method::GET, path).send().await.expect("send")
    }

    pub async fn post(&self, who: &Caller, path: &str, body: Value) -> Response {
        self.req(who, Method::POST, path)
            .json(&body)
            .send()
            .await
            .expect("send")
    }

    pub async fn patch(&self, who: &Caller, path: &str, version: i64, body: Value) -> Response {
        self.req(who, Method::PATCH, path)
            .header("If-Match", format!("\"{version}\""))
            .json(&body)
            .send()
            .await
            .expect("send")
    }

    /// A workspace `acme` owned by `owner` with product `ONB`, where `owner` is PM and PO.
    pub async fn workspace(&self) -> Caller {
        let owner = self.user("Owner").await;
        let r = self
            .post(
                &owner,
                "/api/v1/workspaces",
                json!({"slug": "acme", "name": "Acme"}),
            )
            .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
        let r = self
            .post(
                &owner,
                "/api/v1/workspaces/acme/products",
                json!({"key": "ONB", "name": "Onboarding"}),
            )
            .await;
        assert_eq!(r.status(), 201);
        self.roles(&owner, &owner, "ONB", &["pm", "po", "dev"])
            .await;
        owner
    }

    /// A new account `name`, invited into `acme` by `owner` and accepting, with `roles` on ONB.
    pub async fn member(&self, owner: &Caller, name: &str, roles: &[&str]) -> Caller {
        let u = self.user(name).await;
        self.invite_and_accept(owner, &u, json!({"email": u.email}))
            .await;
        self.roles(owner, &u, "ONB", roles).await;
        u
    }

    /// `admin` adds `who` to `acme` (`body` of `POST …/members`), and `who` accepts.
    pub async fn invite_and_accept(&self, admin: &Caller, who: &Caller, body: Value) {
        let r = self
            .post(admin, "/api/v1/workspaces/acme/members", body)
            .await;
        assert_eq!(r.status(), 202, "{}", r.text().await.unwrap_or_default());
        let invitation: Value = r.json().await.expect("json");
        let r = self
            .post(
                who,
                "/api/v1/invitations/accept",
                json!({"token": invitation_token(&invitation)}),
            )
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    }

    pub async fn roles(&self, admin: &Caller, who: &Caller, product: &str, roles: &[&str]) {
        let r = self
            .req(
                admin,
                Method::PUT,
                &format!(
                    "/api/v1/workspaces/acme/products/{product}/roles/{}",
                    who.id
                ),
            )
            .json(&json!({"roles": roles}))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), 204, "{}", r.text().await.unwrap_or_default());
    }

    /// Creates an item and returns its JSON.
    pub async fn item(&self, who: &Caller, body: Value) -> Value {
        let r = self
            .post(who, "/api/v1/workspaces/acme/products/ONB/items", body)
            .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
        r.json().await.expect("json")
    }

    /// An initiative of ONB titled `title`; its JSON.
    pub async fn initiative(&self, who: &Caller, title: &str) -> Value {
        let r = self
            .post(
                who,
                "/api/v1/workspaces/acme/products/ONB/initiatives",
                json!({"title": title}),
            )
            .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
        r.json().await.expect("json")
    }

    pub async fn story(&self, who: &Caller, title: &str) -> Value {
        self.item(who, json!({"title": title})).await
    }

    pub async fn order(&self, who: &Caller) -> Vec<String> {
        let v: Value = self
            .get(who, "/api/v1/workspaces/acme/products/ONB/items?limit=500")
            .await
            .json()
            .await
            .expect("json");
        v["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["key"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Links an item to an initiative (or unlinks it, with `Value::Null`); must succeed.
    pub async fn link_initiative(&self, who: &Caller, key: &str, initiative: &Value) {
        let r = self
            .req(
                who,
                Method::PUT,
                &format!("/api/v1/workspaces/acme/items/{key}/initiative"),
            )
            .json(&serde_json::json!({"initiative": initiative}))
            .send()
            .await
            .expect("link the initiative");
        assert_eq!(r.status(), 200, "link {key} to {initiative}");
    }

    /// A story at the bottom of ONB's backlog, linked to `initiative`; its key.
    pub async fn story_in(&self, who: &Caller, title: &str, initiative: &Value) -> String {
        let key = self.story(who, title).await["key"]
            .as_str()
            .expect("the new story's key")
            .to_string();
        self.link_initiative(who, &key, initiative).await;
        key
    }

    /// ONB's current ETag (its version), which settings changes send back in If-Match.
    pub async fn product_etag(&self, who: &Caller) -> String {
        let r = self
            .get(who, "/api/v1/workspaces/acme/products/ONB/tiers")
            .await;
        assert_eq!(r.status(), 200, "read ONB's tier settings");
        r.headers()["etag"].to_str().expect("an ETag").to_string()
    }

    /// The PM's tier policy of ONB (`advisory` or `strict`), with a 20 % allowance.
    pub async fn set_tier_policy(&self, who: &Caller, policy: &str) -> Response {
        let etag = self.product_etag(who).await;
        self.req(
            who,
            Method::PUT,
            "/api/v1/workspaces/acme/products/ONB/tiers",
        )
        .header("If-Match", etag)
        .json(&serde_json::json!({"tier_policy": policy, "unaligned_allowance_pct": 20}))
        .send()
        .await
        .expect("set the tier policy")
    }

    pub async fn show(&self, who: &Caller, key: &str) -> Value {
        self.get(who, &format!("/api/v1/workspaces/acme/items/{key}"))
            .await
            .json()
            .await
            .expect("json")
    }
}

pub fn all_roles() -> [Role; 5] {
    Role::ALL
}
