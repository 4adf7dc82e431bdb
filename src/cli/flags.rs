//! Errors at the command line name the flag the user typed, not the API field behind it: the
//! services answer `override_reason: …`, the terminal says `--override: …`.

use std::ffi::OsString;

use crate::error::Error;

/// Refuses a command line with a control character other than tab and newline in any argument
/// (crate::text), naming the flag that carries it (`--title`) or the argument's position.
pub fn check_args(args: &[OsString]) -> Result<(), String> {
    let mut flag: Option<String> = None;
    for (i, arg) in args.iter().enumerate().skip(1) {
        let arg = arg.to_string_lossy();
        let name = match arg.split_once('=') {
            Some((f, _)) if f.starts_with("--") => f.to_string(),
            _ => flag.clone().unwrap_or_else(|| format!("argument {i}")),
        };
        if let Err(Error::Invalid { message, .. }) = crate::text::check(&name, &arg) {
            return Err(format!("{name}: {message}"));
        }
        flag = arg
            .starts_with('-')
            .then(|| arg.split('=').next().unwrap_or_default().to_string());
    }
    Ok(())
}

/// API field (list positions as `[]`) → the flag or argument that carries it on the command
/// line, where the two differ. Fields named like their flag are left as they are.
const FLAGS: &[(&str, &str)] = &[
    ("override_reason", "--override"),
    ("cells[].rating", "RATING"),
    ("cells[].capability", "--capability"),
    ("cells[].competitor", "--competitor"),
    ("tier_policy", "--policy"),
    ("unaligned_allowance_pct", "--allowance"),
    ("focus_pct", "--focus"),
    ("points_per_day", "--points-per-day"),
    ("start_date", "--start"),
    ("end_date", "--end"),
    ("target_date", "--date"),
    ("due_on", "--due"),
    ("objective_id", "--objective"),
    ("measured_on", "--on"),
    ("happened_on", "--date"),
    ("source_id", "--source"),
    ("persona_id", "--persona"),
    ("decided_on", "--on-date"),
    ("decided_by", "--by"),
    ("goal-met", "--goal-met"),
];

/// `cells[3].rating` → `cells[].rating`.
fn general(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut in_index = false;
    for c in field.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push('[');
            }
            ']' => {
                in_index = false;
                out.push(']');
            }
            _ if in_index => {}
            _ => out.push(c),
        }
    }
    out
}

/// A service error for the terminal, with the field named as the flag the user typed.
pub fn flag_err(e: Error, extra: &[(&'static str, &'static str)]) -> anyhow::Error {
    match e {
        Error::Invalid { field, message } => {
            let g = general(&field);
            let flag = extra
                .iter()
                .chain(FLAGS)
                .find(|(f, _)| *f == field || *f == g)
                .map(|(_, flag)| *flag);
            match flag {
                Some(flag) => anyhow::anyhow!("{flag}: {message}"),
                None => anyhow::anyhow!("{field}: {message}"),
            }
        }
        Error::Forbidden(message) => anyhow::anyhow!("{}", name_flags(&message)),
        other => anyhow::anyhow!("{other}"),
    }
}

/// A refusal's message with the API field names that have a flag of their own (those with an
/// underscore, so no ordinary word is touched) replaced by that flag.
fn name_flags(message: &str) -> String {
    let mut out = message.to_string();
    for (field, flag) in FLAGS.iter().filter(|(f, _)| f.contains('_')) {
        let mut from = 0;
        while let Some(at) = out[from..].find(field).map(|i| i + from) {
            let end = at + field.len();
            let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
            let before = out[..at].chars().next_back().is_some_and(word);
            let after = out[end..].chars().next().is_some_and(word);
            if before || after {
                from = end;
                continue;
            }
            out.replace_range(at..end, flag);
            from = at + flag.len();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_become_the_flags_users_typed() {
        let e = flag_err(Error::invalid("override_reason", "give a reason"), &[]);
        assert_eq!(e.to_string(), "--override: give a reason");
        let e = flag_err(Error::invalid("cells[0].rating", "unknown rating"), &[]);
        assert!(e.to_string().starts_with("RATING: "), "{e}");
        let e = flag_err(Error::invalid("title", "give a title"), &[]);
        assert_eq!(e.to_string(), "title: give a title");
        let e = flag_err(Error::invalid("sprint", "x"), &[("sprint", "--sprint")]);
        assert_eq!(e.to_string(), "--sprint: x");
        assert_eq!(flag_err(Error::NotFound, &[]).to_string(), "not found");
        let e = flag_err(
            Error::forbidden("give a strategic reason in override_reason"),
            &[],
        );
        assert_eq!(e.to_string(), "give a strategic reason in --override");
        let e = flag_err(Error::forbidden("only pm may change the due_only_x"), &[]);
        assert_eq!(e.to_string(), "only pm may change the due_only_x");
    }
}
