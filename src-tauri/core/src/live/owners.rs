//! The owner-count rule every package check shares, and its evidence.
//!
//! Per package: 2–3 owners → pass; 1 → warn (if that one account is lost, nobody can publish
//! or recover the package); more than 3 → warn (every owner is a way in); 0 visible → warn.
//! Only accounts that can manage owners count: RubyGems maintainers and crates.io teams can
//! publish but not add or remove owners, so they are listed apart and never make a package
//! "well owned". A package owned by an organization (PyPI) is not an orphan risk however few
//! individual owners it has: the organization's owners can always act, so it is named instead.
//! The check's status is the worst package's. A package whose request failed is reported in
//! the evidence and left out of the verdict; only when no package could be checked is the
//! check `unknown`. No packages at all is `skipped` (nothing to check, or the handle is wrong,
//! which the summary points out), not `pass`: a pass would claim something was verified.

use crate::check::{CheckResult, Observed, Status};
use crate::check_registry::CheckSpec;
use crate::http::HttpError;

/// Accounts listed apart from the owners: they can publish but cannot manage owners.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Apart {
    /// What one of them is, and several, in the evidence: ("maintainer", "maintainers").
    pub label: (&'static str, &'static str),
    pub names: Vec<String>,
}

/// Labels for [`PackageOwners::with_apart`].
pub const MAINTAINERS: (&str, &str) = ("maintainer", "maintainers");
pub const TEAMS: (&str, &str) = ("team", "teams");

/// An organization that owns the package, and where its owners are managed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub name: String,
    pub manage_url: String,
}

/// What one package's owner lookup produced.
#[derive(Debug, Clone)]
pub struct PackageOwners {
    pub name: String,
    /// Handles of the accounts that can manage owners, or why they could not be read.
    pub owners: Result<Vec<String>, String>,
    /// Accounts that can publish but not manage owners, listed apart.
    pub apart: Vec<Apart>,
    pub organization: Option<Organization>,
}

impl PackageOwners {
    pub fn found(name: impl Into<String>, owners: Vec<String>) -> Self {
        PackageOwners {
            name: name.into(),
            owners: Ok(owners),
            apart: Vec::new(),
            organization: None,
        }
    }

    pub fn failed(name: impl Into<String>, err: &HttpError) -> Self {
        PackageOwners {
            name: name.into(),
            owners: Err(err.to_string()),
            apart: Vec::new(),
            organization: None,
        }
    }

    /// Lists `names` apart under `label` (nothing is added when `names` is empty).
    pub fn with_apart(mut self, label: (&'static str, &'static str), names: Vec<String>) -> Self {
        if !names.is_empty() {
            self.apart.push(Apart { label, names });
        }
        self
    }

    pub fn with_organization(mut self, org: Option<Organization>) -> Self {
        self.organization = org;
        self
    }
}

/// The status one package's owner count earns; an owning organization rules out orphaning.
pub fn status_for(count: usize, has_org: bool) -> Status {
    match (count, has_org) {
        (2 | 3, _) => Status::Pass,
        (0 | 1, true) => Status::Pass,
        _ => Status::Warn,
    }
}

fn describe(count: usize, org: Option<&Organization>) -> String {
    match (count, org) {
        (n, Some(o)) if n <= 3 => format!(
            "ok: owned by the organization {}, whose owners are managed at {}",
            o.name, o.manage_url
        ),
        (0, None) => "no owner visible".into(),
        (1, None) => "single owner: orphan risk".into(),
        (2 | 3, None) => "ok".into(),
        _ => "more than 3 owners".into(),
    }
}

/// Builds the check result from every package's outcome. `noun` is "package", "crate", ...;
/// `where_` names the account ("npm user octo"); `fix_handle` says how to correct the handle.
pub fn owner_result(
    spec: &CheckSpec,
    noun: &str,
    where_: &str,
    fix_handle: &str,
    packages: Vec<PackageOwners>,
) -> CheckResult {
    if packages.is_empty() {
        return CheckResult::skipped(
            spec,
            format!("No {noun}s found for {where_}, so there is nothing to check. If you do publish there, {fix_handle}."),
        );
    }
    let mut status: Option<Status> = None;
    let mut evidence = Vec::new();
    let mut observed = Observed::default();
    let mut failures = Vec::new();
    let (mut single, mut many, mut none, mut ok, mut org_backed) = (0, 0, 0, 0, 0);
    for p in &packages {
        match &p.owners {
            Ok(owners) => {
                let n = owners.len();
                let org = p.organization.as_ref();
                let s = status_for(n, org.is_some());
                status = Some(status.map_or(s, |prev| prev.worst(s)));
                match (n, org.is_some()) {
                    (0..=3, true) => {
                        ok += 1;
                        org_backed += 1;
                    }
                    (0, false) => none += 1,
                    (1, false) => single += 1,
                    (2 | 3, false) => ok += 1,
                    _ => many += 1,
                }
                let plural = if n == 1 { "owner" } else { "owners" };
                let mut line = format!(
                    "{}: {n} {plural} ({}) — {}",
                    p.name,
                    owners.join(", "),
                    describe(n, org)
                );
                for a in &p.apart {
                    line.push_str(&format!(
                        "; {} (can publish, cannot manage owners; not counted): {}",
                        crate::check::count(a.names.len(), a.label.0, a.label.1),
                        a.names.join(", ")
                    ));
                }
                evidence.push(line);
                // Recorded with accounts apart and the organization, so a review notices
                // when any of them changes.
                let mut seen = owners.clone();
                for a in &p.apart {
                    seen.extend(a.names.iter().map(|n| format!("{} {n}", a.label.0)));
                }
                if let Some(o) = org {
                    seen.push(format!("organization {}", o.name));
                }
                observed.owners.insert(p.name.clone(), seen);
            }
            Err(why) => failures.push(format!("{}: could not check ({why})", p.name)),
        }
    }
    let Some(status) = status else {
        let first = failures.first().cloned().unwrap_or_default();
        return CheckResult::unknown(
            spec,
            format!("Could not read the owners of any of your {} {noun}s; run again later. First error: {first}", packages.len()),
        )
        .with_evidence(failures);
    };
    let checked = packages.len() - failures.len();
    let mut summary = match status {
        Status::Pass if checked == 1 && org_backed == 1 => format!(
            "Your one {noun} of {where_} is owned by an organization, so it does not hang on one account."
        ),
        Status::Pass if checked == 1 => format!("Your one {noun} of {where_} has 2 or 3 owners."),
        Status::Pass if org_backed > 0 => format!(
            "All {checked} {noun}s of {where_} have 2 or 3 owners or an organization behind them."
        ),
        Status::Pass => format!("All {checked} {noun}s of {where_} have 2 or 3 owners."),
        _ => {
            let mut parts = Vec::new();
            if single > 0 {
                parts.push(format!("{single} with a single owner (orphan risk)"));
            }
            if many > 0 {
                parts.push(format!("{many} with more than 3 owners"));
            }
            if none > 0 {
                parts.push(format!("{none} with no visible owner"));
            }
            let head = if checked == 1 {
                format!("Your one {noun} of {where_} needs attention")
            } else {
                format!(
                    "{} of {checked} {noun}s of {where_} need attention",
                    checked - ok
                )
            };
            let fine = if ok > 0 {
                format!("; {ok} are fine")
            } else {
                String::new()
            };
            format!("{head}: {}{fine}.", parts.join(", "))
        }
    };
    if !failures.is_empty() {
        summary.push_str(&format!(
            " {} could not be checked (see evidence).",
            failures.len()
        ));
    }
    let mut remediation = Vec::new();
    if single > 0 {
        remediation.push(format!("Add a trusted second owner to each single-owner {noun}, so it survives losing one account."));
    }
    if many > 0 {
        remediation.push(format!(
            "Remove owners who no longer publish; 2 or 3 per {noun} is enough."
        ));
    }
    evidence.extend(failures);
    CheckResult::new(spec, status, summary)
        .with_evidence(evidence)
        .with_remediation(remediation)
        .with_observed(observed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("u{i}")).collect()
    }

    #[test]
    fn worst_package_decides_and_failures_do_not_fail() {
        let r = owner_result(
            super::super::npm::OWNERS,
            "package",
            "npm user x",
            "fix it",
            vec![
                PackageOwners::found("a", names(2)),
                PackageOwners::found("b", names(1)),
                PackageOwners::found("c", vec![]).with_apart(TEAMS, vec![]),
                PackageOwners {
                    owners: Err("server error".into()),
                    ..PackageOwners::found("d", vec![])
                },
            ],
        );
        assert_eq!(r.status, Status::Warn);
        assert_eq!(r.evidence.len(), 4);
        assert_eq!(r.observed.owners["b"], vec!["u0"]);
        let r = owner_result(
            super::super::npm::OWNERS,
            "package",
            "w",
            "f",
            vec![PackageOwners {
                owners: Err("e".into()),
                ..PackageOwners::found("c", vec![])
            }],
        );
        assert_eq!(r.status, Status::Unknown);
        assert_eq!(
            owner_result(super::super::npm::OWNERS, "package", "w", "f", vec![]).status,
            Status::Skipped
        );
        assert_eq!(status_for(3, false), Status::Pass);
        assert_eq!(status_for(5, false), Status::Warn);
        assert_eq!(status_for(1, true), Status::Pass);
        assert_eq!(status_for(5, true), Status::Warn);
    }

    #[test]
    fn accounts_apart_never_count_and_an_organization_is_named() {
        let r = owner_result(
            super::super::rubygems::OWNERS,
            "gem",
            "RubyGems user x",
            "f",
            vec![PackageOwners::found("g", names(1)).with_apart(MAINTAINERS, names(2))],
        );
        assert_eq!(r.status, Status::Warn, "{r:?}");
        assert!(r.evidence[0].contains("single owner"), "{:?}", r.evidence);
        assert!(r.evidence[0].contains("2 maintainers"), "{:?}", r.evidence);
        let org = Organization {
            name: "pypa".into(),
            manage_url: "https://pypi.org/org/pypa/".into(),
        };
        let r = owner_result(
            super::super::pypi::OWNERS,
            "project",
            "w",
            "f",
            vec![PackageOwners::found("p", names(1)).with_organization(Some(org))],
        );
        assert_eq!(r.status, Status::Pass, "{r:?}");
        assert!(
            r.evidence[0].contains("organization pypa"),
            "{:?}",
            r.evidence
        );
        assert!(!r.summary.contains("orphan"), "{}", r.summary);
    }
}
