//! The headless CLI: the same core as the window, for terminals and scripts.
//! Never needs a display. Exit codes: 0 fine, 1 something needs attention, 2 could not run.
//!
//! One implementation for both binaries: `lockstep-cli` (no GTK or WebKit) and the desktop
//! app `lockstep`, which calls [`main`] when given a command.

mod error;
mod setup;

pub use error::{CliError, CliResult};
pub use setup::{open_lockstep, os_keychain};

use clap::{Parser, Subcommand, ValueEnum};
use lockstep_core::app::Lockstep;
use lockstep_core::catalogue::Catalogue;
use lockstep_core::check::{CheckResult, Status};
use lockstep_core::history::{self, Change, ReportFormat, SummaryFormat, SummaryOptions};
use lockstep_core::platform::Group;
use lockstep_core::platform::Platform;
use lockstep_core::secret::Secret;
use serde::Serialize;
use std::ffi::OsString;
use std::io::{IsTerminal, Read, Write};
use std::sync::Arc;
use time::OffsetDateTime;

#[derive(Debug, Parser)]
#[command(
    name = "lockstep",
    version,
    about = "Lock down everything that can publish your packages.",
    long_about = "Lockstep walks an open-source maintainer through securing their accounts and devices.\n\
                  Run it without a command to open the app; the commands below run headless.",
    after_help = "Tokens for headless use: LOCKSTEP_<PLATFORM>_TOKEN (GITHUB, GITLAB, NPM, PYPI, RUBYGEMS, CRATES, HIBP)\n\
                  override the keychain; LOCKSTEP_<PLATFORM>_USER and LOCKSTEP_<PLATFORM>_URL override settings.\n\
                  LOCKSTEP_CRATES_USER is your crates.io username, not your GitHub login."
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
        /// Only these groups, comma-separated: github, gitlab, npm, pypi, rubygems, crates, device, email.
        #[arg(long, value_delimiter = ',')]
        only: Vec<String>,
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
    Set { platform: String },
    /// Show which platforms have a token, when it was saved and what it can do (never the token).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove the token for PLATFORM from the keychain.
    Delete { platform: String },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Md,
    Html,
    Json,
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
            eprintln!("lockstep: {e}");
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
                print!("{}", catalogue.render_text());
            }
            Ok(0)
        }
        Command::Check { json, only } => {
            let lockstep = open()?;
            let groups = parse_groups(only)?;
            let runtime = runtime()?;
            let now = OffsetDateTime::now_utc();
            let report = runtime.block_on(lockstep.run_checks(groups, None, now, |_| {}))?;
            let results = &report.outcome.results;
            if json {
                print_json(&CheckJson::new(
                    report.outcome.checked_at,
                    results,
                    &report.changes,
                ))?;
            } else {
                print!("{}", render_results(results));
                match (&report.review, &report.previous_id) {
                    (Some(_), Some(_)) => {
                        print!("\n{}", history::render_changes_text(&report.changes))
                    }
                    (Some(_), None) => println!(
                        "\nThis is your first review; the next one will show what changed."
                    ),
                    (None, _) if report.full => {
                        println!("\nThe run was cancelled and not saved as a review.")
                    }
                    (None, _) => {
                        if !report.changes.is_empty() {
                            print!("\n{}", history::render_changes_text(&report.changes));
                        }
                        println!("\nOnly some checks ran, so this is not a review: their results are kept as the latest, and the next review date is unchanged. Run `lockstep check` without --only for a review.")
                    }
                }
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
                print!("{}", history::due::render_status_text(&report));
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
            lockstep_core::atomic_file::write_atomic(path, text.as_bytes())?;
            eprintln!("Wrote {}", path.display());
        }
        None => print!("{text}"),
    }
    Ok(0)
}

fn import(file: &std::path::Path, yes: bool) -> CliResult<i32> {
    let lockstep = open()?;
    let text = std::fs::read_to_string(file).map_err(|e| lockstep_core::Error::io(file, e))?;
    let preview = lockstep.preview_import(&text)?;
    if !preview.changes_anything() {
        println!(
            "{} holds nothing that differs from your current progress. Nothing changed.",
            file.display()
        );
        return Ok(0);
    }
    println!("Importing {} would:", file.display());
    for a in &preview.answers_added {
        println!("  add answer    {:<40} {:?}", a.id, a.to);
    }
    for a in &preview.answers_changed {
        println!("  change answer {:<40} {:?} -> {:?}", a.id, a.from, a.to);
    }
    for s in &preview.settings_changed {
        println!("  change setting {}: {} -> {}", s.name, s.from, s.to);
    }
    if !yes {
        if !std::io::stdin().is_terminal() {
            println!("Nothing changed. Run again with --yes to import.");
            return Ok(1);
        }
        print!("Import these changes? [y/N] ");
        let _ = std::io::stdout().flush();
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
        if !matches!(line.trim(), "y" | "Y" | "yes") {
            println!("Nothing changed.");
            return Ok(1);
        }
    }
    lockstep.apply_import(&text)?;
    println!("Imported.");
    Ok(0)
}

fn token(action: TokenAction) -> CliResult<i32> {
    let lockstep = open()?;
    let now = OffsetDateTime::now_utc();
    match action {
        TokenAction::Set { platform } => {
            let platform: Platform = platform.parse().map_err(CliError::InvalidInput)?;
            let token = read_token(platform)?;
            let status = runtime()?.block_on(lockstep.save_token(platform, token, now))?;
            println!(
                "Saved the {} token in the system keychain.",
                status.display_name
            );
            if !status.scopes.is_empty() {
                println!("It can: {}", status.scopes.join(", "));
            }
            for w in &status.warnings {
                println!("Note: {w}");
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
                println!("{:<18} {}", s.display_name, saved);
                if !s.scopes.is_empty() {
                    println!("{:<18} can: {}", "", s.scopes.join(", "));
                }
                for w in &s.warnings {
                    println!("{:<18} note: {w}", "");
                }
                if let Some(e) = &s.error {
                    println!("{:<18} keychain: {e}", "");
                }
            }
            Ok(0)
        }
        TokenAction::Delete { platform } => {
            let platform: Platform = platform.parse().map_err(CliError::InvalidInput)?;
            lockstep.delete_token(platform, now)?;
            println!(
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
        let mut buf = String::new();
        stdin.lock().read_to_string(&mut buf).map_err(|e| {
            CliError::InvalidInput(format!("Could not read the token from standard input: {e}"))
        })?;
        buf.lines().next().unwrap_or("").to_string()
    };
    let token = Secret::new(text);
    if token.is_empty() {
        return Err(CliError::InvalidInput(
            "No token was given on standard input.".into(),
        ));
    }
    Ok(token)
}

/// `--only` groups; none given means every group.
fn parse_groups(only: Vec<String>) -> CliResult<Option<Vec<Group>>> {
    if only.is_empty() {
        return Ok(None);
    }
    only.iter()
        .map(|g| g.parse::<Group>().map_err(CliError::InvalidInput))
        .collect::<CliResult<Vec<Group>>>()
        .map(Some)
}

fn open() -> CliResult<Lockstep> {
    let lockstep = open_lockstep(Arc::new(os_keychain()))?;
    if let Some(notice) = lockstep.notice() {
        eprintln!("lockstep: {notice}");
    }
    Ok(lockstep)
}

fn runtime() -> CliResult<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Task(e.to_string()))
}

fn print_json(value: &impl Serialize) -> CliResult<()> {
    let text = serde_json::to_string_pretty(value).map_err(|e| CliError::Task(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    Ok(())
}

/// The public JSON shape of `lockstep check --json`.
#[derive(Debug, Serialize)]
pub struct CheckJson<'a> {
    #[serde(with = "time::serde::rfc3339")]
    checked_at: OffsetDateTime,
    results: Vec<ResultJson<'a>>,
    /// What changed since the previous review, worse first (`id`, `from`, `to`, `summary`).
    changes: &'a [Change],
}

#[derive(Debug, Serialize)]
struct ResultJson<'a> {
    id: &'a str,
    status: Status,
    summary: &'a str,
    evidence: &'a [String],
    remediation: &'a [String],
}

impl<'a> CheckJson<'a> {
    pub fn new(
        checked_at: OffsetDateTime,
        results: &'a [CheckResult],
        changes: &'a [Change],
    ) -> Self {
        CheckJson {
            checked_at,
            changes,
            results: results
                .iter()
                .map(|r| ResultJson {
                    id: &r.id,
                    status: r.status,
                    summary: &r.summary,
                    evidence: &r.evidence,
                    remediation: &r.remediation,
                })
                .collect(),
        }
    }
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
            r.id,
            r.summary
        ));
        for e in &r.evidence {
            out.push_str(&format!("      · {e}\n"));
        }
        if matches!(r.status, Status::Warn | Status::Fail) {
            for step in &r.remediation {
                out.push_str(&format!("      → {step}\n"));
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
