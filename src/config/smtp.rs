//! Outgoing e-mail: the SMTP server, how to reach it, the sender, and the public address that
//! links in messages point at. Mail is off until `smtp_host` is set.

use clap::{Args, ValueEnum};

/// How the connection to the SMTP server is protected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain connection upgraded with STARTTLS (port 587); refused if the server cannot.
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a server on this machine (127.0.0.1), e.g. in tests.
    None,
}

impl Security {
    pub fn as_str(self) -> &'static str {
        match self {
            Security::Starttls => "starttls",
            Security::Tls => "tls",
            Security::None => "none",
        }
    }
}

/// The SMTP settings shared by `serve`, `config` and `doctor`.
#[derive(Args, Clone, Debug, Default)]
pub struct MailSettings {
    /// SMTP server that sends Throughline's e-mail; without it no e-mail is sent.
    #[arg(long, env = "THROUGHLINE_SMTP_HOST")]
    pub smtp_host: Option<String>,
    /// SMTP port [default: 587 for starttls, 465 for tls, 25 for none].
    #[arg(long, env = "THROUGHLINE_SMTP_PORT")]
    pub smtp_port: Option<u16>,
    /// starttls, tls, or none (none only for a server on 127.0.0.1).
    #[arg(
        long,
        env = "THROUGHLINE_SMTP_SECURITY",
        value_enum,
        default_value = "starttls"
    )]
    pub smtp_security: Security,
    /// SMTP user name, when the server wants one.
    #[arg(long, env = "THROUGHLINE_SMTP_USERNAME")]
    pub smtp_username: Option<String>,
    /// SMTP password (never printed by `config show`).
    #[arg(long, env = "THROUGHLINE_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,
    /// The sender, e.g. "Throughline <pm@example.com>".
    #[arg(long, env = "THROUGHLINE_SMTP_FROM")]
    pub smtp_from: Option<String>,
    /// The address people reach this server at, e.g. https://pm.example.com; links in e-mail use it.
    #[arg(long, env = "THROUGHLINE_PUBLIC_URL")]
    pub public_url: Option<String>,
}

/// Settings that passed [`MailSettings::check`]: everything a message and a connection need.
#[derive(Clone, Debug)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub credentials: Option<(String, String)>,
    pub from: String,
    /// Without a trailing slash.
    pub public_url: String,
}

impl MailSettings {
    pub fn port(&self) -> u16 {
        self.smtp_port.unwrap_or(match self.smtp_security {
            Security::Starttls => 587,
            Security::Tls => 465,
            Security::None => 25,
        })
    }

    /// None when mail is off (no host); otherwise the checked settings, or the first problem as
    /// (key, what is wrong).
    pub fn check(&self) -> Result<Option<Smtp>, (&'static str, String)> {
        let Some(host) = self
            .smtp_host
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())
        else {
            return Ok(None);
        };
        if self.smtp_security == Security::None && !is_loopback(host) {
            return Err((
                "smtp_security",
                format!("\"none\" sends mail unencrypted and is allowed only for a server on 127.0.0.1, not {host}; use starttls or tls"),
            ));
        }
        let from = self
            .smtp_from
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .ok_or((
                "smtp_from",
                "set the sender, e.g. \"Throughline <pm@example.com>\"".to_string(),
            ))?;
        if from.parse::<lettre::message::Mailbox>().is_err() {
            return Err((
                "smtp_from",
                format!("{from:?} is not an address like \"Throughline <pm@example.com>\""),
            ));
        }
        let public_url = self
            .public_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .ok_or(("public_url", "set the address people reach this server at, e.g. https://pm.example.com; links in e-mail use it".to_string()))?;
        match url::Url::parse(public_url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
            _ => {
                return Err((
                    "public_url",
                    format!("{public_url:?} is not an http:// or https:// address"),
                ))
            }
        }
        let credentials = match (&self.smtp_username, &self.smtp_password) {
            (Some(u), Some(p)) if !u.is_empty() => Some((u.clone(), p.clone())),
            (Some(u), None) if !u.is_empty() => {
                return Err((
                    "smtp_password",
                    format!("smtp_username is {u:?} but no password is set"),
                ))
            }
            _ => None,
        };
        Ok(Some(Smtp {
            host: host.to_string(),
            port: self.port(),
            security: self.smtp_security,
            credentials,
            from: from.to_string(),
            public_url: public_url.trim_end_matches('/').to_string(),
        }))
    }
}

/// A name or address of this machine's loopback interface.
pub fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(host: &str, security: Security) -> MailSettings {
        MailSettings {
            smtp_host: Some(host.into()),
            smtp_security: security,
            smtp_from: Some("Throughline <pm@example.com>".into()),
            public_url: Some("https://pm.example.com/".into()),
            ..Default::default()
        }
    }

    #[test]
    fn mail_is_off_without_a_host() {
        assert!(MailSettings::default().check().unwrap().is_none());
    }

    #[test]
    fn unencrypted_smtp_is_only_for_this_machine() {
        let e = settings("smtp.example.com", Security::None)
            .check()
            .unwrap_err();
        assert_eq!(e.0, "smtp_security");
        let ok = settings("127.0.0.1", Security::None)
            .check()
            .unwrap()
            .unwrap();
        assert_eq!(
            (ok.port, ok.public_url.as_str()),
            (25, "https://pm.example.com")
        );
        assert_eq!(
            settings("smtp.example.com", Security::Tls)
                .check()
                .unwrap()
                .unwrap()
                .port,
            465
        );
    }

    #[test]
    fn sender_and_public_address_are_checked() {
        let mut s = settings("smtp.example.com", Security::Starttls);
        s.smtp_from = Some("not an address".into());
        assert_eq!(s.check().unwrap_err().0, "smtp_from");
        let mut s = settings("smtp.example.com", Security::Starttls);
        s.public_url = Some("pm.example.com".into());
        assert_eq!(s.check().unwrap_err().0, "public_url");
        let mut s = settings("smtp.example.com", Security::Starttls);
        s.smtp_username = Some("mailer".into());
        assert_eq!(s.check().unwrap_err().0, "smtp_password");
    }
}
