//! The connection to the SMTP server, built once from the checked settings.

use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::Tls;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::config::smtp::{Security, Smtp};

/// How long one SMTP conversation may take before it counts as a failed attempt.
const TIMEOUT: Duration = Duration::from_secs(20);

/// The checked settings and a transport for them. Cheap to clone: the transport shares its pool.
#[derive(Clone)]
pub struct Mailer {
    pub smtp: Smtp,
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password.
        write!(
            f,
            "Mailer({}:{} {})",
            self.smtp.host,
            self.smtp.port,
            self.smtp.security.as_str()
        )
    }
}

impl Mailer {
    pub fn new(smtp: Smtp) -> anyhow::Result<Mailer> {
        let builder = match smtp.security {
            // Both relays verify the server's certificate against the bundled roots.
            Security::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host)?,
            Security::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)?,
            // Checked to be this machine: a test server or a local relay.
            Security::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host).tls(Tls::None)
            }
        };
        let mut builder = builder.port(smtp.port).timeout(Some(TIMEOUT));
        if let Some((user, password)) = &smtp.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Mailer {
            transport: builder.build(),
            smtp,
        })
    }

    /// Hands one message to the server; the error says what the server or the network said.
    pub async fn send(&self, message: lettre::Message) -> Result<(), String> {
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// Connects and greets the server (and upgrades to TLS, and logs in), sending nothing.
    pub async fn probe(&self) -> Result<(), String> {
        match self.transport.test_connection().await {
            Ok(true) => Ok(()),
            Ok(false) => Err("the server did not answer the greeting".into()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// An absolute link to `path` on this server, for a message.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.smtp.public_url)
    }
}
