//! The sign-in limit (issue 16): counted before the password is checked, per address and per
//! account, and never against an address the account signed in from before. Requests come
//! from different loopback addresses (127.0.0.x) to stand for different machines.

use crate::support::{spawn_app, TestApp, PASSWORD};

use reqwest::{Client, Response};

/// A client whose connections come from `from` (a 127.0.0.x address).
fn client_from(from: &str) -> Client {
    Client::builder()
        .local_address(from.parse::<std::net::IpAddr>().unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// One sign-in through the form from `from`, with the form's CSRF cookie made up (the form
/// checks only that cookie and field agree).
async fn try_sign_in(app: &TestApp, from: &str, email: &str, password: &str) -> Response {
    sign_in_at(app.url("/login"), from, email, password).await
}

async fn sign_in_at(login: String, from: &str, email: &str, password: &str) -> Response {
    client_from(from)
        .post(login)
        .header("cookie", "tl_login=made-up-csrf")
        .form(&[
            ("csrf", "made-up-csrf"),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .unwrap()
}

/// Runs the requests at the same time and answers their responses.
async fn all_at_once<F>(requests: impl Iterator<Item = F>) -> Vec<Response>
where
    F: std::future::Future<Output = Response> + Send + 'static,
{
    let mut set = tokio::task::JoinSet::new();
    for r in requests {
        set.spawn(r);
    }
    set.join_all().await
}

async fn statuses(responses: Vec<Response>) -> (usize, usize, Vec<u16>) {
    let mut wrong = 0;
    let mut limited = 0;
    let mut other = Vec::new();
    for r in responses {
        match r.status().as_u16() {
            422 => wrong += 1,
            429 => {
                let wait: u64 = r.headers()["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!(wait > 0, "Retry-After says when");
                limited += 1;
            }
            s => other.push(s),
        }
    }
    (wrong, limited, other)
}

#[tokio::test]
async fn parallel_guesses_at_one_account_are_held_to_five() {
    let app = spawn_app().await;
    let victim = app.user("Victim").await;
    let guesses = (0..40).map(|i| {
        let (login, email) = (app.url("/login"), victim.email.clone());
        async move { sign_in_at(login, "127.0.0.2", &email, &format!("guess number {i}")).await }
    });
    let (wrong, limited, other) = statuses(all_at_once(guesses).await).await;
    assert!(other.is_empty(), "{other:?}");
    assert_eq!(
        wrong, 5,
        "five guesses are checked, however many arrive at once"
    );
    assert_eq!(wrong + limited, 40);
    // The right password from that address is held back too (the address is over its limit).
    let r = try_sign_in(&app, "127.0.0.2", &victim.email, PASSWORD).await;
    assert_eq!(r.status(), 429);
}

#[tokio::test]
async fn parallel_guesses_from_one_address_are_held_to_ten_whatever_the_accounts() {
    let app = spawn_app().await;
    let guesses = (0..40).map(|i| {
        let login = app.url("/login");
        async move {
            let email = format!("nobody{i}@example.com");
            sign_in_at(login, "127.0.0.3", &email, "not the password").await
        }
    });
    let (wrong, limited, other) = statuses(all_at_once(guesses).await).await;
    assert!(other.is_empty(), "{other:?}");
    assert_eq!(
        wrong, 10,
        "ten guesses are checked, however many arrive at once"
    );
    assert_eq!(wrong + limited, 40);
    // Another machine is not held back by this one.
    let someone = app.user("Someone").await;
    let r = try_sign_in(&app, "127.0.0.4", &someone.email, PASSWORD).await;
    assert_eq!(r.status(), 303);
}

#[tokio::test]
async fn guesses_from_elsewhere_never_lock_the_owner_out_where_they_signed_in_before() {
    let app = spawn_app().await;
    let owner = app.user("Owner").await;
    let r = try_sign_in(&app, "127.0.0.5", &owner.email, PASSWORD).await;
    assert_eq!(r.status(), 303, "the owner signs in from home once");
    // Guessers spread over two machines, staying under each machine's own limit.
    for from in ["127.0.0.6", "127.0.0.7"] {
        for _ in 0..6 {
            try_sign_in(&app, from, &owner.email, "a wrong guess").await;
        }
    }
    let r = try_sign_in(&app, "127.0.0.8", &owner.email, PASSWORD).await;
    assert_eq!(
        r.status(),
        429,
        "a new machine waits out the account's back-off"
    );
    let page = r.text().await.unwrap();
    assert!(
        page.contains("too many sign-in attempts; try again in"),
        "{page}"
    );
    let r = try_sign_in(&app, "127.0.0.5", &owner.email, PASSWORD).await;
    assert_eq!(r.status(), 303, "home is never locked out");
}

#[tokio::test]
async fn unknown_and_known_e_mails_are_answered_alike() {
    let app = spawn_app().await;
    let known = app.user("Known").await;
    for (from, email) in [
        ("127.0.0.9", known.email.as_str()),
        ("127.0.0.10", "nobody@example.com"),
    ] {
        let mut seen = Vec::new();
        for _ in 0..6 {
            let r = try_sign_in(&app, from, email, "a wrong guess").await;
            seen.push(r.status().as_u16());
        }
        assert_eq!(seen, [422, 422, 422, 422, 422, 429], "{email}");
    }
}

#[tokio::test]
async fn tries_older_than_every_window_are_forgotten() {
    let app = spawn_app().await;
    // 63 tries two hours old, so that the next try is the 64th, which also prunes.
    let old = chrono::Utc::now() - chrono::Duration::hours(2);
    for i in 0..63 {
        throughline::with_pool!(&app.db.write, p => sqlx::query(
            "INSERT INTO login_attempts (email, at, success, address, refused)
             VALUES ($1, $2, FALSE, '127.0.0.9', FALSE)")
            .bind(format!("old{i}@example.com")).bind(old).execute(p).await.map(|r| r.rows_affected()))
        .unwrap();
    }
    let r = try_sign_in(&app, "127.0.0.8", "someone@example.com", "wrong-password").await;
    assert_eq!(r.status().as_u16(), 422);
    let left: Vec<String> = throughline::with_pool!(&app.db.read, p => sqlx::query_scalar(
        "SELECT email FROM login_attempts").fetch_all(p).await)
    .unwrap();
    assert_eq!(left, vec!["someone@example.com".to_string()]);
}
