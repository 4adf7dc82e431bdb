//! `throughline.toml`: where it is looked for, and its keys. Every key is also a flag and an
//! environment variable; the file's values become the flags' defaults (see [`super::layered`]).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The packaged configuration, used when no other file is found.
pub const SYSTEM_FILE: &str = "/etc/throughline/throughline.toml";
pub const FILE_NAME: &str = "throughline.toml";

/// The keys of the file. Unknown keys are an error, so a typo never silently does nothing.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub database_replica_url: Option<String>,
    pub listen: Option<String>,
    pub secure_cookies: Option<bool>,
    pub behind_proxy: Option<bool>,
    pub log: Option<String>,
    pub durability: Option<String>,
    pub metrics_token: Option<String>,
    pub backup_dir: Option<PathBuf>,
    pub backup_every: Option<Interval>,
    pub backup_keep: Option<u32>,
    pub smtp_host: Option<String>,
    pub smtp_port: Option<u16>,
    pub smtp_security: Option<super::smtp::Security>,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    pub smtp_from: Option<String>,
    pub public_url: Option<String>,
    pub oidc_issuer: Option<String>,
    pub oidc_client_id: Option<String>,
    pub oidc_client_secret: Option<String>,
    pub oidc_name: Option<String>,
    pub oidc_allowed_domains: Option<String>,
    pub oidc_workspace: Option<String>,
    pub oidc_role: Option<String>,
}

/// `backup_every = "24h"` or `backup_every = 24` (hours).
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Interval {
    Hours(u64),
    Text(String),
}

/// A file that was found and read, and how it was found.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub path: PathBuf,
    pub found_by: &'static str,
    pub settings: FileSettings,
}

impl FileSettings {
    /// Each key that is set, with the id of the clap argument it feeds and its value as text.
    pub fn defaults(&self) -> Vec<(&'static str, String)> {
        let path = |p: &PathBuf| p.to_string_lossy().into_owned();
        let mut out = Vec::new();
        let mut put = |id, v: Option<String>| {
            if let Some(v) = v {
                out.push((id, v));
            }
        };
        put("data_dir", self.data_dir.as_ref().map(path));
        put("database_url", self.database_url.clone());
        put("database_replica_url", self.database_replica_url.clone());
        put("listen", self.listen.clone());
        put("secure_cookies", self.secure_cookies.map(|b| b.to_string()));
        put("behind_proxy", self.behind_proxy.map(|b| b.to_string()));
        put("log", self.log.clone());
        put("durability", self.durability.clone());
        put("metrics_token", self.metrics_token.clone());
        put("backup_dir", self.backup_dir.as_ref().map(path));
        put(
            "backup_every",
            self.backup_every.as_ref().map(|i| match i {
                Interval::Hours(h) => h.to_string(),
                Interval::Text(t) => t.clone(),
            }),
        );
        put("backup_keep", self.backup_keep.map(|k| k.to_string()));
        put("smtp_host", self.smtp_host.clone());
        put("smtp_port", self.smtp_port.map(|p| p.to_string()));
        put(
            "smtp_security",
            self.smtp_security.map(|s| s.as_str().to_string()),
        );
        put("smtp_username", self.smtp_username.clone());
        put("smtp_password", self.smtp_password.clone());
        put("smtp_from", self.smtp_from.clone());
        put("public_url", self.public_url.clone());
        put("oidc_issuer", self.oidc_issuer.clone());
        put("oidc_client_id", self.oidc_client_id.clone());
        put("oidc_client_secret", self.oidc_client_secret.clone());
        put("oidc_name", self.oidc_name.clone());
        put("oidc_allowed_domains", self.oidc_allowed_domains.clone());
        put("oidc_workspace", self.oidc_workspace.clone());
        put("oidc_role", self.oidc_role.clone());
        out
    }

    /// Checks the values the way their flags would, so that a mistake names the file and key.
    fn validate(&self) -> Result<(), String> {
        if let Some(l) = &self.listen {
            l.parse::<std::net::SocketAddr>()
                .map_err(|_| format!("listen = {l:?} is not an address like \"127.0.0.1:8080\""))?;
        }
        if let Some(Interval::Text(t)) = &self.backup_every {
            super::every::parse_every(t).map_err(|e| format!("backup_every: {e}"))?;
        }
        if let Some(u) = &self.database_url {
            crate::db::Target::resolve(Some(u), Path::new("."))
                .map_err(|e| format!("database_url: {e}"))?;
        }
        if let Some(u) = &self.database_replica_url {
            if !u.starts_with("postgres://") && !u.starts_with("postgresql://") {
                return Err(format!(
                    "database_replica_url must be a postgres:// URL of a PostgreSQL replica, got {:?}",
                    u.split(':').next().unwrap_or_default()
                ));
            }
        }
        // The SMTP settings are checked together once flags and environment are in
        // (`config check`, `serve`); here only what a value says on its own.
        if let Some(u) = &self.public_url {
            if !u.starts_with("http://") && !u.starts_with("https://") {
                return Err(format!(
                    "public_url = {u:?} is not an http:// or https:// address"
                ));
            }
        }
        Ok(())
    }
}

/// Reads and checks one file.
pub fn read(path: &Path, found_by: &'static str) -> anyhow::Result<Loaded> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("reading the configuration file {}: {e}", path.display()))?;
    let settings: FileSettings = toml::from_str(&text)
        .map_err(|e| anyhow::anyhow!("in the configuration file {}: {e}", path.display()))?;
    settings
        .validate()
        .map_err(|e| anyhow::anyhow!("in the configuration file {}: {e}", path.display()))?;
    Ok(Loaded {
        path: path.to_path_buf(),
        found_by,
        settings,
    })
}

/// Finds the file before the command line is parsed, in this order: `--config PATH`, then
/// `THROUGHLINE_CONFIG`, then `throughline.toml` in the data directory (`--data-dir`,
/// `THROUGHLINE_DATA_DIR`, or `data`), then [`SYSTEM_FILE`]. A file named by flag or environment
/// must exist; the other two are used when they do.
pub fn find(
    args: &[OsString],
    env: impl Fn(&str) -> Option<String>,
) -> anyhow::Result<Option<Loaded>> {
    if let Some(p) = flag_value(args, "--config") {
        return read(Path::new(&p), "--config").map(Some);
    }
    if let Some(p) = env("THROUGHLINE_CONFIG").filter(|p| !p.is_empty()) {
        return read(Path::new(&p), "THROUGHLINE_CONFIG").map(Some);
    }
    let data_dir = flag_value(args, "--data-dir")
        .map(PathBuf::from)
        .or_else(|| {
            env("THROUGHLINE_DATA_DIR")
                .filter(|d| !d.is_empty())
                .map(PathBuf::from)
        })
        .unwrap_or_else(|| PathBuf::from(super::DEFAULT_DATA_DIR));
    let beside = data_dir.join(FILE_NAME);
    if beside.is_file() {
        return read(&beside, "the data directory").map(Some);
    }
    let system = Path::new(SYSTEM_FILE);
    // The packaged file is the service's (mode 640): someone else running `throughline` on that
    // machine, who cannot read it, works without it rather than failing.
    if system.is_file() && std::fs::File::open(system).is_ok() {
        return read(system, "the system default").map(Some);
    }
    Ok(None)
}

/// The value of `--name VALUE` or `--name=VALUE` before any `--`.
fn flag_value(args: &[OsString], name: &str) -> Option<String> {
    let mut it = args.iter().skip(1).map(|a| a.to_string_lossy());
    let eq = format!("{name}=");
    while let Some(a) = it.next() {
        if a == "--" {
            return None;
        }
        if a == name {
            return it.next().map(|v| v.into_owned());
        }
        if let Some(v) = a.strip_prefix(&eq) {
            return Some(v.to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<OsString> {
        a.iter().map(OsString::from).collect()
    }

    #[test]
    fn flags_are_found_in_both_spellings_and_not_after_a_double_dash() {
        let a = args(&["tl", "--config", "/x.toml", "serve"]);
        assert_eq!(flag_value(&a, "--config").as_deref(), Some("/x.toml"));
        let a = args(&["tl", "serve", "--data-dir=/d"]);
        assert_eq!(flag_value(&a, "--data-dir").as_deref(), Some("/d"));
        let a = args(&["tl", "--", "--config", "/x"]);
        assert_eq!(flag_value(&a, "--config"), None);
    }

    #[test]
    fn an_unknown_key_is_an_error_naming_it_and_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("throughline.toml");
        std::fs::write(&path, "listen = \"127.0.0.1:9000\"\nlisten_port = 9000\n").unwrap();
        let e = read(&path, "--config").unwrap_err().to_string();
        assert!(e.contains("listen_port"), "{e}");
        assert!(e.contains(&path.display().to_string()), "{e}");
    }

    #[test]
    fn values_are_checked_like_their_flags() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("throughline.toml");
        std::fs::write(&path, "listen = \"localhost\"\n").unwrap();
        let e = read(&path, "--config").unwrap_err().to_string();
        assert!(e.contains("listen = \"localhost\""), "{e}");
        std::fs::write(
            &path,
            "backup_every = 24\nbackup_keep = 3\nsecure_cookies = true\n",
        )
        .unwrap();
        let l = read(&path, "--config").unwrap();
        assert_eq!(
            l.settings.defaults(),
            vec![
                ("secure_cookies", "true".to_string()),
                ("backup_every", "24".to_string()),
                ("backup_keep", "3".to_string())
            ]
        );
    }

    #[test]
    fn the_file_beside_the_data_directory_is_found() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "log = \"debug\"\n").unwrap();
        let d = dir.path().to_string_lossy().to_string();
        let found = find(&args(&["tl", "--data-dir", &d]), |_| None)
            .unwrap()
            .unwrap();
        assert_eq!(found.found_by, "the data directory");
        assert_eq!(found.settings.log.as_deref(), Some("debug"));
        let e = find(&args(&["tl"]), |k| {
            (k == "THROUGHLINE_CONFIG").then(|| "/nope.toml".into())
        });
        assert!(e.unwrap_err().to_string().contains("/nope.toml"));
    }
}
