//! The headless CLI: the same core as the window, for terminals and scripts.
//! Never needs a display. Exit codes: 0 fine, 1 something needs attention, 2 could not run.
//!
//! One implementation for both binaries: `lockstep-cli` (no GTK or WebKit) and the desktop
//! app `lockstep`, which calls [`main`] when given a command.

mod error;
mod setup;

pub use error::{CliError, CliResult};
pub use setup::{open_lockstep, os_keychain};

use clap::builder::{PossibleValue, TypedValueParser as _};
use clap::{Parser, Subcommand, ValueEnum};
use lockstep_core::app::Lockstep;
use lockstep_core::catalogue::Catalogue;
use lockstep_core::check::{CheckResult, Status};
use lockstep_core::history::{self, ReportFormat, SummaryFormat, SummaryOptions};
use lockstep_core::local_file::{read_capped, read_stream_capped, ReadError, MAX_TOKEN_BYTES};
use lockstep_core::platform::{Group, Platform};
use lockstep_core::results_json::ResultsJson;
use lockstep_core::secret::Secret;
use lockstep_core::untrusted_text::{self, one_line};
use serde::Serialize;
use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::sync::Arc;
use time::OffsetDateTime;

#[derive(Debug, Parser)]
#[command(
    name = "lockstep",
    version,
    about = "Lock down everything that can publish your packages.",
    long_about = "Lockstep walks an open-source maintainer through securing their accounts and devices.\n\
                  Run it without a command to open the app; the commands below run headless.",
    after_help = env_help()
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the checklist (every topic and item, with why and how).
    Checklist {
        /// Print it as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run the live account checks and the device checks.
    Check {
        /// Print the results as JSON.
        #[arg(long)]
        json: bool,
        /// Only these groups, comma-separated.
        #[arg(long, value_delimiter = ',', ignore_case = true, value_parser = group_arg())]
        only: Vec<Group>,
    },
    /// Manage the API tokens Lockstep keeps in the OS keychain.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// When the last review was, when the next is due, and its counts (exit 1 when due).
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Write a report of a review (the latest unless --review).
    Report {
        #[arg(long, value_enum, default_value = "md")]
        format: Format,
        /// Write to FILE instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<std::path::PathBuf>,
        /// The review id (see the History screen or `lockstep report --format json`).
        #[arg(long, value_name = "ID")]
        review: Option<String>,
    },
    /// A summary of your onboarding to share with a project's owners (nothing private by default).
    Summary {
        #[arg(long, value_enum, default_value = "md")]
        format: SummaryFormatArg,
        #[arg(long, value_name = "FILE")]
        out: Option<std::path::PathBuf>,
        /// Include your account email addresses.
        #[arg(long)]
        include_emails: bool,
        /// Include the names of your packages and their owner counts.
        #[arg(long)]
        include_packages: bool,
    },
    /// Save your progress (answers and settings, never tokens) to FILE, to move to a new machine.
    Export { file: std::path::PathBuf },
    /// Show what importing FILE would change, and import it after you confirm (or with --yes).
    Import {
        file: std::path::PathBuf,
        /// Import without asking.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SummaryFormatArg {
    Md,
    Html,
}

#[derive(Debug, Subcommand)]
enum TokenAction {
    /// Save a token for PLATFORM, read from standard input (not echoed on a terminal).
    Set {
        #[arg(ignore_case = true, value_parser = platform_arg())]
        platform: Platform,
    },
    /// Show which platforms have a token, when it was saved and what it can do (never the token).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove the token for PLATFORM from the keychain.
    Delete {
        #[arg(ignore_case = true, value_parser = platform_arg())]
        platform: Platform,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Md,
    Html,
    Json,
}

/// PLATFORM values from the platform table (aliases such as `crates.io` included).
fn platform_arg() -> impl clap::builder::TypedValueParser<Value = Platform> {
    clap::builder::PossibleValuesParser::new(
        Platform::all().map(|p| PossibleValue::new(p.as_str()).aliases(p.names().iter().copied())),
    )
    .try_map(|s| Platform::parse(&s))
}

/// `--only` values: the groups, from the platform table plus `device` and `email`.
fn group_arg() -> impl clap::builder::TypedValueParser<Value = Group> {
    clap::builder::PossibleValuesParser::new(Group::all().iter().map(|&g| {
        let aliases = g.platform().map_or(&[][..], Platform::names);
        PossibleValue::new(g.as_str())
            .help(g.title())
            .aliases(aliases.iter().copied())
    }))
    .try_map(|s| Group::parse(&s))
}

/// The environment variables, named from the platform table.
fn env_help() -> String {
    let names: Vec<&str> = Platform::all().map(Platform::env_name).collect();
    format!(
        "Tokens for headless use: LOCKSTEP_<PLATFORM>_TOKEN ({}) override the keychain;\n\
         LOCKSTEP_<PLATFORM>_USER and LOCKSTEP_<PLATFORM>_URL override settings.\n\
         {} is your crates.io username, not your GitHub login.",
        names.join(", "),
        Platform::Crates.env_var("USER")
    )
}

/// True when the process should open the window rather than run a command: no arguments,
/// or only arguments a launcher adds (WebDriver's `--automation`, macOS's `-psn_…`).
pub fn wants_window(args: &[OsString]) -> bool {
    args.iter().skip(1).all(|a| {
        let a = a.to_string_lossy();
        a.starts_with("--automation") || a.starts_with("-psn_")
    })
}

/// Runs the CLI and returns the exit code.
/// `print!` for the CLI: text goes through [`write_out`] (terminal-safe, and a failed write is
/// an error with exit code 2, not a panic). Use inside functions returning [`CliResult`].
macro_rules! out {
    ($($arg:tt)*) => {
        write_out(&format!($($arg)*))?
    };
}

/// `println!` for the CLI; see [`out!`].
macro_rules! outln {
    () => {
        write_out("\n")?
    };
    ($($arg:tt)*) => {
        write_out(&format!("{}\n", format!($($arg)*)))?
    };
}

/// Writes to standard output. Every byte passes [`untrusted_text::for_terminal`], so no
/// escape sequence from a platform, a file or an import reaches the terminal; fields are
/// made [`one_line`] where they are formatted. A failed write (`> /dev/full`, a closed pipe)
/// is reported, not a panic.
fn write_out(text: &str) -> CliResult<()> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(untrusted_text::for_terminal(text).as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| CliError::Output(e.to_string()))
}

/// A message on standard error, one line, terminal-safe; a failing stderr is ignored.
fn warn(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "lockstep: {}", one_line(message));
}

pub fn main(args: Vec<OsString>) -> i32 {
    attach_console();
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            warn(&e.to_string());
            2
        }
    }
}

fn dispatch(cli: Cli) -> CliResult<i32> {
    match cli.command {
        Command::Checklist { json } => {
            let catalogue = Catalogue::builtin();
            if json {
                print_json(&catalogue.to_checklist_json())?;
            } else {
                out!("{}", catalogue.render_text());
            }
            Ok(0)
        }
        Command::Check { json, only } => {
            let lockstep = open()?;
            // None given means every group.
            let groups = (!only.is_empty()).then_some(only);
            let runtime = runtime()?;
            let now = OffsetDateTime::now_utc();
            let report = runtime.block_on(lockstep.run_checks(groups, None, now, |_| {}))?;
            let results = &report.outcome.results;
            if json {
                print_json(&ResultsJson::new(
                    report.outcome.checked_at,
                    results,
                    &report.changes,
                ))?;
            } else {
                out!("{}", render_results(results));
                match (&report.review, &report.previous_id) {
                    (Some(_), Some(_)) => {
                        out!("\n{}", history::render_changes_text(&report.changes))
                    }
                    (Some(_), None) => {
                        outln!("\nThis is your first review; the next one will show what changed.")
                    }
                    (None, _) if report.outcome.cancelled => {
                        outln!("\nThe run was cancelled and not saved as a review.")
                    }
                    (None, _) if report.not_saved.is_some() => {}
                    (None, _) => {
                        if !report.changes.is_empty() {
                            out!("\n{}", history::render_changes_text(&report.changes));
                        }
                        outln!("\nOnly some checks ran, so this is not a review: their results are kept as the latest, and the next review date is unchanged. Run `lockstep check` without --only for a review.")
                    }
                }
            }
            // Results first, then why they were not kept: the user still sees what was found.
            if let Some(why) = &report.not_saved {
                warn(&format!(
                    "These results were not saved as a review, so the next review cannot compare with them: {why}"
                ));
                return Ok(2);
            }
            Ok(if results.iter().any(|r| r.status == Status::Fail) {
                1
            } else {
                0
            })
        }
        Command::Token { action } => token(action),
        Command::Status { json } => {
            let lockstep = open()?;
            let report = lockstep.status_report(OffsetDateTime::now_utc())?;
            if json {
                print_json(&report)?;
            } else {
                out!("{}", history::due::render_status_text(&report));
            }
            Ok(if report.due { 1 } else { 0 })
        }
        Command::Report {
            format,
            out,
            review,
        } => {
            let format = match format {
                Format::Md => ReportFormat::Markdown,
                Format::Html => ReportFormat::Html,
                Format::Json => ReportFormat::Json,
            };
            let text = open()?.report(review.as_deref(), format, OffsetDateTime::now_utc())?;
            emit(&text, out.as_deref())
        }
        Command::Summary {
            format,
            out,
            include_emails,
            include_packages,
        } => {
            let format = match format {
                SummaryFormatArg::Md => SummaryFormat::Markdown,
                SummaryFormatArg::Html => SummaryFormat::Html,
            };
            let text = open()?.summary(
                SummaryOptions {
                    include_emails,
                    include_packages,
                },
                format,
                OffsetDateTime::now_utc(),
            )?;
            emit(&text, out.as_deref())
        }
        Command::Export { file } => {
            let text = open()?.export_progress();
            emit(&text, Some(&file))
        }
        Command::Import { file, yes } => import(&file, yes),
    }
}

/// Writes `text` to `out` (atomically) or to standard output.
fn emit(text: &str, out: Option<&std::path::Path>) -> CliResult<i32> {
    match out {
        Some(path) => {
            // The same filter as the screen: a report `cat` later must not drive the terminal.
            let text = untrusted_text::for_terminal(text);
            lockstep_core::atomic_file::write_atomic(path, text.as_bytes())?;
            let _ = writeln!(std::io::stderr(), "Wrote {}", path.display());
        }
        None => out!("{text}"),
    }
    Ok(0)
}

fn import(file: &std::path::Path, yes: bool) -> CliResult<i32> {
    let lockstep = open()?;
    let bytes =
        read_capped(file, lockstep_core::history::transfer::MAX_IMPORT_BYTES).map_err(|e| {
            CliError::InvalidInput(format!(
                "Could not import {}: {e}. Nothing was changed.",
                file.display()
            ))
        })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        CliError::InvalidInput(format!(
            "Could not import {}: it is not text (UTF-8). Nothing was changed.",
            file.display()
        ))
    })?;
    let preview = lockstep.preview_import(&text)?;
    if !preview.changes_anything() {
        outln!(
            "{} holds nothing that differs from your current progress. Nothing changed.",
            file.display()
        );
        for n in &preview.not_imported {
            outln!("  not imported: {}", one_line(n));
        }
        if let Some(words) = preview.unknown_words() {
            outln!("  not imported: {words}");
        }
        return Ok(0);
    }
    outln!("Importing {} would:", file.display());
    for line in preview.lines() {
        outln!("  {line}");
    }
    if !yes {
        if !std::io::stdin().is_terminal() {
            outln!("Nothing changed. Run again with --yes to import.");
            return Ok(1);
        }
        out!("Import these changes? [y/N] ");
        let _ = std::io::stdout().flush();
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
        if !matches!(line.trim(), "y" | "Y" | "yes") {
            outln!("Nothing changed.");
            return Ok(1);
        }
    }
    lockstep.apply_import(&text)?;
    outln!("Imported.");
    Ok(0)
}

fn token(action: TokenAction) -> CliResult<i32> {
    let lockstep = open()?;
    let now = OffsetDateTime::now_utc();
    match action {
        TokenAction::Set { platform } => {
            let token = read_token(platform)?;
            let status = runtime()?.block_on(lockstep.save_token(platform, token, now))?;
            outln!(
                "Saved the {} token in the system keychain.",
                status.display_name
            );
            if !status.scopes.is_empty() {
                outln!("It can: {}", one_line(&status.scopes.join(", ")));
            }
            for w in &status.warnings {
                outln!("Note: {}", one_line(w));
            }
            Ok(0)
        }
        TokenAction::List { json } => {
            let statuses = lockstep.token_statuses(now);
            if json {
                print_json(&statuses)?;
                return Ok(0);
            }
            for s in statuses {
                let saved = match (&s.origin, s.saved_at) {
                    (Some(lockstep_core::keychain::TokenOrigin::Env), _) => {
                        "from environment".to_string()
                    }
                    (_, Some(at)) => format!("saved {}", at.date()),
                    _ if s.saved => "saved".to_string(),
                    _ => "no token".to_string(),
                };
                outln!("{:<18} {}", s.display_name, saved);
                if !s.scopes.is_empty() {
                    outln!("{:<18} can: {}", "", one_line(&s.scopes.join(", ")));
                }
                for w in &s.warnings {
                    outln!("{:<18} note: {}", "", one_line(w));
                }
                if let Some(e) = &s.error {
                    outln!("{:<18} keychain: {}", "", one_line(e));
                }
            }
            Ok(0)
        }
        TokenAction::Delete { platform } => {
            lockstep.delete_token(platform, now)?;
            outln!(
                "Removed the {} token from the system keychain (if there was one).",
                platform.display_name()
            );
            Ok(0)
        }
    }
}

/// Reads a token from standard input: a hidden prompt on a terminal, else the first line.
fn read_token(platform: Platform) -> CliResult<Secret> {
    let stdin = std::io::stdin();
    let text = if stdin.is_terminal() {
        rpassword::prompt_password(format!(
            "Paste the {} token (input is hidden): ",
            platform.display_name()
        ))
        .map_err(|e| CliError::InvalidInput(format!("Could not read the token: {e}")))?
    } else {
        let bytes = read_stream_capped(stdin.lock(), MAX_TOKEN_BYTES).map_err(|e| match e {
            ReadError::TooLarge(max) => CliError::InvalidInput(format!(
                "The input on standard input is longer than {} KiB, far longer than any token. Nothing was stored.",
                max / 1024
            )),
            e => CliError::InvalidInput(format!(
                "Could not read the token from standard input: {e}"
            )),
        })?;
        String::from_utf8_lossy(&bytes)
            .lines()
            .next()
            .unwrap_or("")
            .to_string()
    };
    let token = Secret::new(text);
    if token.is_empty() {
        return Err(CliError::InvalidInput(
            "No token was given on standard input.".into(),
        ));
    }
    Ok(token)
}

/// The core, opened for one command. When the command is done it tells the user, once, about
/// every damaged file it met and set aside (the state file, a review), naming where it went.
struct Opened(Lockstep);

impl std::ops::Deref for Opened {
    type Target = Lockstep;
    fn deref(&self) -> &Lockstep {
        &self.0
    }
}

impl Drop for Opened {
    fn drop(&mut self) {
        for notice in self.0.notices() {
            warn(&notice);
        }
    }
}

fn open() -> CliResult<Opened> {
    let lockstep = open_lockstep(Arc::new(os_keychain()))?;
    // The command exits right after: each change is saved before it returns, and a failed
    // save is the command's error (the window saves in the background instead).
    lockstep.save_each_change_at_once();
    Ok(Opened(lockstep))
}

fn runtime() -> CliResult<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Task(e.to_string()))
}

fn print_json(value: &impl Serialize) -> CliResult<()> {
    let text = serde_json::to_string_pretty(value).map_err(|e| CliError::Task(e.to_string()))?;
    write_out(&format!("{text}\n"))
}

fn symbol(status: Status) -> &'static str {
    match status {
        Status::Pass => "✔",
        Status::Warn => "▲",
        Status::Fail => "✖",
        Status::Unknown => "?",
        Status::Skipped => "–",
    }
}

/// Results for a terminal: a symbol and status word per check, evidence and steps indented.
pub fn render_results(results: &[CheckResult]) -> String {
    let mut out = String::new();
    for r in results {
        out.push_str(&format!(
            "{} {:<7} {:<28} {}\n",
            symbol(r.status),
            r.status.as_str(),
            one_line(&r.id),
            one_line(&r.summary)
        ));
        for e in &r.evidence {
            out.push_str(&format!("      · {}\n", one_line(e)));
        }
        if matches!(r.status, Status::Warn | Status::Fail) {
            for step in &r.remediation {
                out.push_str(&format!("      → {}\n", one_line(step)));
            }
        }
    }
    let count = |s: Status| results.iter().filter(|r| r.status == s).count();
    out.push_str(&format!(
        "\n{} pass, {} warn, {} fail, {} unknown, {} skipped\n",
        count(Status::Pass),
        count(Status::Warn),
        count(Status::Fail),
        count(Status::Unknown),
        count(Status::Skipped)
    ));
    out
}

/// Release builds on Windows are GUI programs (no console window for the app), so the CLI
/// attaches to the terminal it was started from to print there.
#[cfg(windows)]
fn attach_console() {
    use windows_sys::Win32::System::Console::{AttachConsole, ATTACH_PARENT_PROCESS};
    // SAFETY: AttachConsole has no memory-safety preconditions; failure (no parent console)
    // just leaves output unattached, as before.
    unsafe {
        AttachConsole(ATTACH_PARENT_PROCESS);
    }
}

#[cfg(not(windows))]
fn attach_console() {}
