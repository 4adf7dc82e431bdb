//! Flag > environment > file > default. The file's values are set as the clap arguments'
//! defaults before parsing, so clap alone resolves every setting and still reports where each
//! came from (`ArgMatches::value_source`); no environment variable is written behind the
//! user's back, and a setting read from the file is told apart from a built-in default.

use clap::parser::ValueSource;
use clap::{ArgMatches, Command};

use super::file::Loaded;

/// The command with the file's values as defaults, in every subcommand that takes them.
pub fn with_file_defaults(cmd: Command, file: Option<&Loaded>) -> Command {
    match file {
        Some(f) => apply(cmd, &f.settings.defaults()),
        None => cmd,
    }
}

fn apply(mut cmd: Command, values: &[(&'static str, String)]) -> Command {
    for (id, value) in values {
        if cmd.get_arguments().any(|a| a.get_id() == id) {
            cmd = cmd.mut_arg(*id, |a| a.default_value(value.clone()));
        }
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in subs {
        cmd = cmd.mut_subcommand(name, |s| apply(s, values));
    }
    cmd
}

/// Where one setting's value came from.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    Flag,
    Env,
    File,
    Default,
    /// Not set anywhere and without a default (e.g. no database URL: SQLite is used).
    Unset,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Origin::Flag => "flag",
            Origin::Env => "env",
            Origin::File => "file",
            Origin::Default => "default",
            Origin::Unset => "unset",
        })
    }
}

/// The innermost subcommand's matches: global and flattened arguments all show up there.
pub fn leaf(m: &ArgMatches) -> &ArgMatches {
    match m.subcommand() {
        Some((_, sub)) => leaf(sub),
        None => m,
    }
}

/// Where the argument `id` got its value, given the matches it was parsed into.
pub fn origin(m: &ArgMatches, id: &str, file: Option<&Loaded>) -> Origin {
    let from_file = file.is_some_and(|f| f.settings.defaults().iter().any(|(k, _)| *k == id));
    match m.value_source(id) {
        Some(ValueSource::CommandLine) => Origin::Flag,
        Some(ValueSource::EnvVariable) => Origin::Env,
        Some(ValueSource::DefaultValue) if from_file => Origin::File,
        Some(ValueSource::DefaultValue) => Origin::Default,
        _ => Origin::Unset,
    }
}

/// A database URL with its password shown as `****`.
pub fn mask_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("****"));
            u.to_string()
        }
        Ok(_) => url.to_string(),
        // Not a URL we can read: show only its scheme rather than risk printing a secret.
        Err(_) => format!("{}:****", url.split(':').next().unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_masked() {
        assert_eq!(
            mask_url("postgres://tl:s3cret@db.local:5432/tl"),
            "postgres://tl:****@db.local:5432/tl"
        );
        assert_eq!(mask_url("postgres://tl@db/tl"), "postgres://tl@db/tl");
        assert_eq!(mask_url("sqlite:/var/lib/x.db"), "sqlite:/var/lib/x.db");
    }

    #[test]
    fn precedence_is_flag_then_env_then_file_then_default() {
        let cmd = || {
            Command::new("t").arg(
                clap::Arg::new("listen")
                    .long("listen")
                    .env("TL_TEST_LISTEN_PRECEDENCE")
                    .default_value("d"),
            )
        };
        let file = Loaded {
            path: "/f.toml".into(),
            found_by: "--config",
            settings: super::super::file::FileSettings {
                listen: Some("f".into()),
                ..Default::default()
            },
        };
        let m = with_file_defaults(cmd(), Some(&file)).get_matches_from(["t"]);
        assert_eq!(m.get_one::<String>("listen").unwrap(), "f");
        assert_eq!(origin(&m, "listen", Some(&file)), Origin::File);
        let m = cmd().get_matches_from(["t"]);
        assert_eq!(origin(&m, "listen", None), Origin::Default);
        let m = with_file_defaults(cmd(), Some(&file)).get_matches_from(["t", "--listen", "x"]);
        assert_eq!(m.get_one::<String>("listen").unwrap(), "x");
        assert_eq!(origin(&m, "listen", Some(&file)), Origin::Flag);
    }
}
