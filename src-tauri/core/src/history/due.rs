//! When the next review is due, and the `lockstep status` report.
//!
//! The clock is always passed in. Dates are compared in the offset of the `now` given, so the
//! caller decides whether "today" is local or UTC.

use super::index::{FileStamp, IndexEntry};
use super::review::{Review, StatusCounts};
use crate::check::Status;
use crate::expiry::parse_date;
use crate::platform::Platform;
use crate::state::TokenInfo;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::{Date, Duration, OffsetDateTime};

/// How long before a known expiry the review falls due, so there is time to renew: the same
/// days as a token starts to warn ([`crate::expiry::WARNING_DAYS`]).
pub const EXPIRY_LEAD_DAYS: i64 = crate::expiry::WARNING_DAYS;

time::serde::format_description!(ymd, Date, "[year]-[month]-[day]");

/// The next due date and why it is that date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    #[serde(with = "ymd")]
    pub date: Date,
    /// One sentence for the user.
    pub reason: String,
}

/// Where today stands against the due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DueStatus {
    NotDue { in_days: i64 },
    DueToday,
    Overdue { days: i64 },
}

impl DueStatus {
    pub fn is_due(self) -> bool {
        !matches!(self, DueStatus::NotDue { .. })
    }
}

/// The regular interval after the last review, or earlier when a known expiry comes first:
/// [`EXPIRY_LEAD_DAYS`] before it, but never before the last review's own day (a review run
/// inside the lead time is due again at once, until the thing is renewed).
pub fn next_due(
    last_review_at: OffsetDateTime,
    interval_days: u32,
    known_expiries: &[(String, Date)],
) -> Due {
    let reviewed_on = last_review_at.date();
    let regular = reviewed_on.saturating_add(Duration::days(i64::from(interval_days.max(1))));
    let mut due = Due {
        date: regular,
        reason: format!("{interval_days} days after your last review on {reviewed_on}."),
    };
    // Earliest expiry first; ties broken by name so the reason is stable.
    let mut expiries: Vec<&(String, Date)> = known_expiries.iter().collect();
    expiries.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    if let Some((name, expires)) = expiries.first() {
        let lead = expires.saturating_sub(Duration::days(EXPIRY_LEAD_DAYS));
        if lead < due.date {
            due = if lead <= reviewed_on {
                Due {
                    date: reviewed_on,
                    reason: format!("{name} expires on {expires}, within {EXPIRY_LEAD_DAYS} days of your last review: renew it, then review again."),
                }
            } else {
                Due {
                    date: lead,
                    reason: format!("{name} expires on {expires}; this leaves {EXPIRY_LEAD_DAYS} days to renew it."),
                }
            };
        }
    }
    due
}

/// Where `now` stands against `due`.
pub fn status(now: OffsetDateTime, due: &Due) -> DueStatus {
    let days = (due.date - now.date()).whole_days();
    match days {
        d if d > 0 => DueStatus::NotDue { in_days: d },
        0 => DueStatus::DueToday,
        d => DueStatus::Overdue { days: -d },
    }
}

/// The value to store in `State::last_notified_on` after notifying.
pub fn notified_on(now: OffsetDateTime) -> String {
    now.date().to_string()
}

/// At most one reminder a day: true unless a reminder was already shown on `now`'s date.
/// An unreadable stored value counts as "not today", so a bad file cannot silence reminders.
pub fn should_notify(now: OffsetDateTime, last_notified_on: Option<&str>) -> bool {
    match last_notified_on.and_then(parse_date) {
        Some(day) => day != now.date(),
        None => true,
    }
}

/// Every expiry a review saw (`observed.expires` on any result), named `check id: name`.
pub fn known_expiries(review: &Review) -> Vec<(String, Date)> {
    let mut out: Vec<(String, Date)> = review
        .results
        .iter()
        .flat_map(|r| {
            r.observed
                .expires
                .iter()
                .filter_map(|(name, v)| parse_date(v).map(|d| (name.clone(), d)))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Expiry dates of saved tokens (metadata only), to pass as `extra_expiries`.
pub fn token_expiries(tokens: &BTreeMap<Platform, TokenInfo>) -> Vec<(String, Date)> {
    tokens
        .iter()
        .filter_map(|(p, t)| {
            let date = parse_date(t.expires_at.as_deref()?)?;
            Some((format!("Your {} token", p.display_name()), date))
        })
        .collect()
}

/// What `lockstep status` prints and the overview shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusReport {
    pub last_review_id: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_review_at: Option<OffsetDateTime>,
    pub next_due: Due,
    pub status: DueStatus,
    /// Counts from the last review; all zero when there is none.
    pub counts: StatusCounts,
    /// True when due today or overdue (the CLI exits 1).
    pub due: bool,
}

/// Builds the status from the latest review. `extra_expiries` adds dates known elsewhere (for
/// example a saved token's `expires_at`). With no review yet, a review is due today.
pub fn status_report(
    now: OffsetDateTime,
    latest: Option<&Review>,
    interval_days: u32,
    extra_expiries: &[(String, Date)],
) -> StatusReport {
    let entry = latest.map(|r| IndexEntry::of(r, FileStamp::default()));
    status_report_of(now, entry.as_ref(), interval_days, extra_expiries)
}

/// [`status_report`] from the latest review's index entry, which holds all it needs, so
/// `lockstep status` opens no review.
pub fn status_report_of(
    now: OffsetDateTime,
    latest: Option<&IndexEntry>,
    interval_days: u32,
    extra_expiries: &[(String, Date)],
) -> StatusReport {
    let Some(review) = latest else {
        let next_due = Due {
            date: now.date(),
            reason: "You have not run a review yet.".to_string(),
        };
        let st = status(now, &next_due);
        return StatusReport {
            last_review_id: None,
            last_review_at: None,
            next_due,
            status: st,
            counts: StatusCounts::default(),
            due: true,
        };
    };
    let mut expiries = review.expiry_dates();
    expiries.extend_from_slice(extra_expiries);
    let next_due = next_due(review.checked_at, interval_days, &expiries);
    let st = status(now, &next_due);
    StatusReport {
        last_review_id: Some(review.id.clone()),
        last_review_at: Some(review.checked_at),
        next_due,
        status: st,
        counts: review.counts,
        due: st.is_due(),
    }
}

/// Plain text for the terminal.
pub fn render_status_text(report: &StatusReport) -> String {
    let mut out = String::new();
    match report.last_review_at {
        Some(at) => out.push_str(&format!("Last review: {}\n", at.date())),
        None => out.push_str("Last review: none yet\n"),
    }
    let when = match report.status {
        DueStatus::NotDue { in_days } => {
            format!("due {} (in {in_days} days)", report.next_due.date)
        }
        DueStatus::DueToday => "due today".to_string(),
        DueStatus::Overdue { days } => {
            format!(
                "overdue by {days} day{} (was due {})",
                if days == 1 { "" } else { "s" },
                report.next_due.date
            )
        }
    };
    out.push_str(&format!(
        "Next review: {when}. {}\n",
        crate::untrusted_text::one_line(&report.next_due.reason)
    ));
    if report.last_review_at.is_some() {
        let parts: Vec<String> = [
            Status::Fail,
            Status::Warn,
            Status::Unknown,
            Status::Pass,
            Status::Skipped,
        ]
        .into_iter()
        .map(|s| format!("{} {}", report.counts.get(s), s))
        .collect();
        out.push_str(&format!("Last results: {}\n", parts.join(", ")));
    }
    if report.due {
        out.push_str("Run `lockstep check` to review now.\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn default_is_the_interval_after_the_last_review() {
        let due = next_due(datetime!(2026-11-25 14:30 UTC), 90, &[]);
        assert_eq!(due.date, date!(2027 - 02 - 23));
        assert!(due.reason.contains("90 days"), "{}", due.reason);
    }

    #[test]
    fn an_expiry_before_then_brings_it_forward() {
        let exp = [
            ("example.org".to_string(), date!(2027 - 01 - 15)),
            ("later".to_string(), date!(2027 - 02 - 01)),
        ];
        let due = next_due(datetime!(2026-11-25 14:30 UTC), 90, &exp);
        assert_eq!(
            due.date,
            date!(2027 - 01 - 01),
            "14 days before the earliest expiry"
        );
        assert!(due.reason.contains("example.org"), "{}", due.reason);
    }

    #[test]
    fn an_expiry_after_the_interval_changes_nothing() {
        let exp = [("example.org".to_string(), date!(2028 - 01 - 15))];
        assert_eq!(
            next_due(datetime!(2026-11-25 14:30 UTC), 90, &exp).date,
            date!(2027 - 02 - 23)
        );
    }

    #[test]
    fn already_within_the_lead_time_means_due_on_the_review_day() {
        let exp = [("token ci".to_string(), date!(2026 - 11 - 30))];
        let due = next_due(datetime!(2026-11-25 14:30 UTC), 90, &exp);
        assert_eq!(due.date, date!(2026 - 11 - 25));
        assert_eq!(
            status(datetime!(2026-11-25 20:00 UTC), &due),
            DueStatus::DueToday
        );
        assert_eq!(
            status(datetime!(2026-11-28 08:00 UTC), &due),
            DueStatus::Overdue { days: 3 }
        );
    }

    #[test]
    fn status_counts_days_with_the_clock_passed_in() {
        let due = Due {
            date: date!(2027 - 02 - 23),
            reason: String::new(),
        };
        assert_eq!(
            status(datetime!(2027-02-20 23:59 UTC), &due),
            DueStatus::NotDue { in_days: 3 }
        );
        assert_eq!(
            status(datetime!(2027-02-23 00:00 UTC), &due),
            DueStatus::DueToday
        );
        assert_eq!(
            status(datetime!(2027-03-01 12:00 UTC), &due),
            DueStatus::Overdue { days: 6 }
        );
        assert!(!DueStatus::NotDue { in_days: 1 }.is_due());
        assert!(DueStatus::Overdue { days: 1 }.is_due());
    }

    #[test]
    fn notify_at_most_once_a_day() {
        let now = datetime!(2026-11-25 09:00 UTC);
        assert!(should_notify(now, None));
        assert!(should_notify(now, Some("2026-11-24")));
        assert!(!should_notify(now, Some(&notified_on(now))));
        assert!(!should_notify(
            datetime!(2026-11-25 23:59 UTC),
            Some("2026-11-25")
        ));
        assert!(
            should_notify(now, Some("garbage")),
            "a damaged value must not silence reminders"
        );
    }

    #[test]
    fn token_expiries_come_from_metadata() {
        let mut tokens = BTreeMap::new();
        let info = |e: Option<&str>| TokenInfo {
            saved_at: datetime!(2026-11-01 10:00 UTC),
            scopes: vec![],
            expires_at: e.map(str::to_string),
            verdict: None,
            broad_scopes: vec![],
        };
        tokens.insert(Platform::Github, info(Some("2027-01-10T00:00:00Z")));
        tokens.insert(Platform::Npm, info(None));
        let got = token_expiries(&tokens);
        assert_eq!(got.len(), 1, "a token without an expiry adds nothing");
        assert_eq!(got[0].1, date!(2027 - 01 - 10));
    }

    #[test]
    fn due_status_serializes_with_a_state_tag() {
        let v = serde_json::to_value(DueStatus::Overdue { days: 2 }).unwrap();
        assert_eq!(v, serde_json::json!({"state": "overdue", "days": 2}));
    }
}
