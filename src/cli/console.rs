//! Messages for people on stderr: `warning: ...` and `error: ...` lines.
//!
//! These are not logs: a warning here is something the consultant should act on (a file name
//! Dual-write Studio will not recognise, an import that dropped a setting), so it is always shown
//! unless `--quiet`, while `tracing` output is for diagnosing the tool itself. Colour comes from
//! anstream's auto-detection, so a pipe, a CI log or `NO_COLOR` get plain text.

use std::error::Error;
use std::io::Write;

use anstyle::{AnsiColor, Style};

/// Style of the `error:` label.
pub const ERROR: Style = AnsiColor::Red.on_default().bold();
/// Style of the `warning:` label.
pub const WARNING: Style = AnsiColor::Yellow.on_default().bold();
/// Style of the `info:` label.
pub const INFO: Style = AnsiColor::Cyan.on_default().bold();
/// Style of labels such as `hint:`.
pub const LABEL: Style = Style::new().bold();

/// Where human-facing messages go.
#[derive(Debug, Clone, Copy)]
pub struct Console {
    quiet: bool,
}

impl Console {
    /// A console; `quiet` hides warnings (errors are always shown).
    pub fn new(quiet: bool) -> Self {
        Self { quiet }
    }

    /// Whether only errors should be shown (progress bars are hidden too).
    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// Prints `warning: message` unless quiet.
    pub fn warn(&self, message: impl std::fmt::Display) {
        if self.quiet {
            return;
        }
        let mut stderr = anstream::stderr().lock();
        // Nothing sensible is left to do when stderr itself cannot be written.
        let _ = writeln!(stderr, "{WARNING}warning:{WARNING:#} {message}");
    }

    /// Prints `error: message` and the chain of causes.
    pub fn error(&self, error: &dyn Error) {
        let mut stderr = anstream::stderr().lock();
        let _ = writeln!(stderr, "{ERROR}error:{ERROR:#} {}", error_chain(error));
    }
}

/// `1 map`, `2 maps`: a count with its noun, for summaries.
pub fn counted(count: usize, noun: &str) -> String {
    match count {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

/// An error's message followed by its causes, one `caused by:` line each. A cause whose text
/// the message already contains (many messages embed their source) is not repeated.
pub fn error_chain(error: &dyn Error) -> String {
    let mut text = error.to_string();
    let mut shown = text.clone();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !shown.contains(&cause_text) {
            text.push_str("\n  caused by: ");
            text.push_str(&cause_text);
            shown.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer ({inner})")]
    struct Embeds {
        #[source]
        inner: std::io::Error,
    }

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Wraps {
        #[source]
        inner: std::io::Error,
    }

    #[test]
    fn chain_shows_causes_once() {
        let io = || std::io::Error::other("disk on fire");
        assert_eq!(error_chain(&Embeds { inner: io() }), "outer (disk on fire)");
        assert_eq!(
            error_chain(&Wraps { inner: io() }),
            "outer\n  caused by: disk on fire"
        );
    }
}
