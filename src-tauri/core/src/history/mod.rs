//! Reviews over time: saved runs, what changed between them, when the next is due, reports,
//! and moving progress between machines.

pub mod changes;
mod document;
pub mod due;
pub mod index;
pub mod latest;
pub mod report;
pub mod review;
pub mod summary;
pub mod transfer;

pub use changes::{between, render_changes_text, Change, ChangeKind};
pub use due::{
    next_due, should_notify, status, status_report, status_report_of, Due, DueStatus, StatusReport,
};
pub use index::IndexEntry;
pub use report::ReportFormat;
pub use review::{
    Review, ReviewList, ReviewPage, ReviewStore, ReviewSummary, StatusCounts, REVIEW_VERSION,
};
pub use summary::{SummaryFormat, SummaryOptions};
pub use transfer::{ImportPreview, EXPORT_FORMAT, EXPORT_VERSION};
