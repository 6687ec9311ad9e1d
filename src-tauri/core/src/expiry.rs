//! When something expires: the one parser for the dates platforms send, and the one rule for
//! when an expiry deserves a warning. Every token check, the token list on the Accounts screen
//! and `lockstep token list` go through [`Expiry`], so they can never disagree again.
//!
//! The rule:
//! - An expiry is a moment. A date without a time (GitLab's `expires_at`, the `YYYY-MM-DD`
//!   Lockstep stores) means 00:00 UTC at the start of that day, which is when GitLab stops
//!   accepting such a token.
//! - It has expired once that moment is now or past.
//! - Days left are the whole days until then, rounded down (23 hours left is 0 days).
//! - It warns when at most [`WARNING_DAYS`] days are left: "within 14 days", the same lead the
//!   review due date takes before a known expiry (`history::due::EXPIRY_LEAD_DAYS`).

use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, UtcOffset};

/// A token (or key, or subscription) this close to its expiry is a warning.
pub const WARNING_DAYS: i64 = 14;

/// Where an expiry stands relative to now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// The moment has come or passed.
    Expired,
    /// At most [`WARNING_DAYS`] whole days left (0: less than a day).
    Soon(i64),
    /// More than [`WARNING_DAYS`] whole days left.
    Later(i64),
}

impl Expiry {
    /// The state of an expiry at an exact moment (GitHub's expiration header, HIBP, PyPI).
    pub fn at(moment: OffsetDateTime, now: OffsetDateTime) -> Self {
        if moment <= now {
            return Self::Expired;
        }
        let days = (moment - now).whole_days();
        if days <= WARNING_DAYS {
            Self::Soon(days)
        } else {
            Self::Later(days)
        }
    }

    /// The state of an expiry given as a day: 00:00 UTC at its start (see the module rule).
    pub fn on(day: Date, now: OffsetDateTime) -> Self {
        Self::at(day.midnight().assume_utc(), now)
    }

    /// The state of an expiry written as a date or date-time ([`parse_date`]); `None` when the
    /// text is not one. A full RFC 3339 time keeps its exact moment.
    pub fn of_text(text: &str, now: OffsetDateTime) -> Option<Self> {
        match OffsetDateTime::parse(text.trim(), &Rfc3339) {
            Ok(moment) => Some(Self::at(moment, now)),
            Err(_) => parse_date(text).map(|day| Self::on(day, now)),
        }
    }

    /// Whole days left; `None` once expired.
    pub fn days_left(self) -> Option<i64> {
        match self {
            Self::Expired => None,
            Self::Soon(d) | Self::Later(d) => Some(d),
        }
    }

    /// True when the expiry deserves a warning (expired or soon).
    pub fn warns(self) -> bool {
        !matches!(self, Self::Later(_))
    }

    /// "has expired", "expires within a day", "expires in 1 day", "expires in 9 days": the
    /// words every warning uses after the thing's name.
    pub fn phrase(self) -> String {
        match self {
            Self::Expired => "has expired".to_string(),
            Self::Soon(0) | Self::Later(0) => "expires within a day".to_string(),
            Self::Soon(1) | Self::Later(1) => "expires in 1 day".to_string(),
            Self::Soon(d) | Self::Later(d) => format!("expires in {d} days"),
        }
    }
}

/// Parses a date a platform or a saved file gives: a full RFC 3339 time (its day in UTC), or
/// failing that a leading `YYYY-MM-DD` (bare dates, times without an offset). The one date
/// parser for RDAP events, token expiries and `observed.expires`.
pub fn parse_date(text: &str) -> Option<Date> {
    let text = text.trim();
    if let Ok(moment) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(moment.to_offset(UtcOffset::UTC).date());
    }
    Date::parse(
        text.get(..10)?,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

/// `YYYY-MM-DD`, the form `observed.expires` and the saved token metadata record.
pub fn ymd(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// The UTC day of a moment as `YYYY-MM-DD`.
pub fn ymd_of(moment: OffsetDateTime) -> String {
    ymd(moment.to_offset(UtcOffset::UTC).date())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};
    use time::Duration;

    const NOW: OffsetDateTime = datetime!(2026-11-25 12:00 UTC);

    #[test]
    fn the_warning_boundary_is_fourteen_whole_days_inclusive() {
        let at = |d: Duration| Expiry::at(NOW + d, NOW);
        assert_eq!(at(Duration::days(15)), Expiry::Later(15));
        assert_eq!(
            at(Duration::days(15) - Duration::SECOND),
            Expiry::Soon(14),
            "14 days and 23:59:59 left is 14 whole days: warns"
        );
        assert_eq!(at(Duration::days(14)), Expiry::Soon(14));
        assert!(at(Duration::days(14)).warns());
        assert!(!at(Duration::days(15)).warns());
        assert_eq!(at(Duration::hours(23)), Expiry::Soon(0));
        assert_eq!(
            at(Duration::ZERO),
            Expiry::Expired,
            "the moment itself is expired"
        );
        assert_eq!(at(-Duration::days(3)), Expiry::Expired);
    }

    #[test]
    fn a_day_expires_at_its_utc_midnight() {
        assert_eq!(Expiry::on(date!(2026 - 11 - 25), NOW), Expiry::Expired);
        assert_eq!(
            Expiry::on(date!(2026 - 11 - 26), NOW),
            Expiry::Soon(0),
            "12 hours left"
        );
        assert_eq!(Expiry::on(date!(2026 - 12 - 01), NOW), Expiry::Soon(5));
        assert_eq!(Expiry::on(date!(2026 - 12 - 10), NOW), Expiry::Soon(14));
        assert_eq!(Expiry::on(date!(2026 - 12 - 11), NOW), Expiry::Later(15));
    }

    #[test]
    fn text_keeps_an_exact_time_and_reads_a_bare_date() {
        assert_eq!(
            Expiry::of_text("2026-11-25T18:00:00Z", NOW),
            Some(Expiry::Soon(0))
        );
        assert_eq!(Expiry::of_text("2026-11-25", NOW), Some(Expiry::Expired));
        assert_eq!(Expiry::of_text("soon", NOW), None);
    }

    #[test]
    fn phrases_read_as_english() {
        assert_eq!(Expiry::Expired.phrase(), "has expired");
        assert_eq!(Expiry::Soon(0).phrase(), "expires within a day");
        assert_eq!(Expiry::Soon(1).phrase(), "expires in 1 day");
        assert_eq!(Expiry::Soon(9).phrase(), "expires in 9 days");
        assert_eq!(Expiry::Soon(9).days_left(), Some(9));
        assert_eq!(Expiry::Expired.days_left(), None);
    }

    #[test]
    fn dates_parse_from_rfc3339_in_utc_or_a_leading_day() {
        assert_eq!(
            parse_date("2027-01-15T04:00:00Z"),
            Some(date!(2027 - 01 - 15))
        );
        assert_eq!(
            parse_date("2027-01-15T04:00:00.123Z"),
            Some(date!(2027 - 01 - 15))
        );
        assert_eq!(
            parse_date("2027-01-15T23:30:00-02:00"),
            Some(date!(2027 - 01 - 16)),
            "an offset is converted to UTC first"
        );
        assert_eq!(parse_date(" 2027-01-15 "), Some(date!(2027 - 01 - 15)));
        assert_eq!(
            parse_date("2027-01-15T04:00:00"),
            Some(date!(2027 - 01 - 15))
        );
        assert_eq!(
            parse_date("2027-01-15 10:00:00 UTC"),
            Some(date!(2027 - 01 - 15))
        );
        assert_eq!(parse_date("15/01/2027"), None);
        assert_eq!(parse_date("2027-02-30"), None);
        assert_eq!(parse_date("soon"), None);
        assert_eq!(parse_date(""), None);
        assert_eq!(
            parse_date("2027-01-1é"),
            None,
            "a cut inside a character is no date"
        );
    }

    #[test]
    fn days_print_with_leading_zeros() {
        assert_eq!(ymd(date!(2027 - 01 - 05)), "2027-01-05");
        assert_eq!(ymd_of(datetime!(2026-11-30 23:30 -02:00)), "2026-12-01");
    }
}
