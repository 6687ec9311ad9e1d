//! The owner-count rule every package check shares, and its evidence.
//!
//! Per package: 2–3 owners → pass; 1 → warn (if that one account is lost, nobody can publish
//! or recover the package); more than 3 → warn (every owner is a way in); 0 visible → warn.
//! The check's status is the worst package's. A package whose request failed is reported in
//! the evidence and left out of the verdict; only when no package could be checked is the
//! check `unknown`. No packages at all is `skipped` (nothing to check, or the handle is wrong,
//! which the summary points out), not `pass`: a pass would claim something was verified.

use crate::check::{CheckResult, Observed, Status};
use crate::http::HttpError;

/// What one package's owner lookup produced.
#[derive(Debug, Clone)]
pub struct PackageOwners {
    pub name: String,
    /// Owner handles, or why they could not be read.
    pub owners: Result<Vec<String>, String>,
}

impl PackageOwners {
    pub fn found(name: impl Into<String>, owners: Vec<String>) -> Self {
        PackageOwners {
            name: name.into(),
            owners: Ok(owners),
        }
    }

    pub fn failed(name: impl Into<String>, err: &HttpError) -> Self {
        PackageOwners {
            name: name.into(),
            owners: Err(err.to_string()),
        }
    }
}

/// The status one package's owner count earns.
pub fn status_for(count: usize) -> Status {
    match count {
        2 | 3 => Status::Pass,
        _ => Status::Warn,
    }
}

fn describe(count: usize) -> &'static str {
    match count {
        0 => "no owner visible",
        1 => "single owner: orphan risk",
        2 | 3 => "ok",
        _ => "more than 3 owners",
    }
}

/// Builds the check result from every package's outcome. `noun` is "package", "crate", ...;
/// `where_` names the account ("npm user octo"); `fix_handle` says how to correct the handle.
pub fn owner_result(
    id: &str,
    noun: &str,
    where_: &str,
    fix_handle: &str,
    packages: Vec<PackageOwners>,
) -> CheckResult {
    if packages.is_empty() {
        return CheckResult::skipped(
            id,
            format!("No {noun}s found for {where_}, so there is nothing to check. If you do publish there, {fix_handle}."),
        );
    }
    let mut status: Option<Status> = None;
    let mut evidence = Vec::new();
    let mut observed = Observed::default();
    let mut failures = Vec::new();
    let (mut single, mut many, mut none, mut ok) = (0, 0, 0, 0);
    for p in &packages {
        match &p.owners {
            Ok(owners) => {
                let n = owners.len();
                let s = status_for(n);
                status = Some(status.map_or(s, |prev| prev.worst(s)));
                match n {
                    0 => none += 1,
                    1 => single += 1,
                    2 | 3 => ok += 1,
                    _ => many += 1,
                }
                let plural = if n == 1 { "owner" } else { "owners" };
                evidence.push(format!(
                    "{}: {n} {plural} ({}) — {}",
                    p.name,
                    owners.join(", "),
                    describe(n)
                ));
                observed.owners.insert(p.name.clone(), owners.clone());
            }
            Err(why) => failures.push(format!("{}: could not check ({why})", p.name)),
        }
    }
    let Some(status) = status else {
        let first = failures.first().cloned().unwrap_or_default();
        return CheckResult::unknown(
            id,
            format!("Could not read the owners of any of your {} {noun}s; run again later. First error: {first}", packages.len()),
        )
        .with_evidence(failures);
    };
    let checked = packages.len() - failures.len();
    let mut summary = match status {
        Status::Pass if checked == 1 => format!("Your one {noun} of {where_} has 2 or 3 owners."),
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
    CheckResult::new(id, status, summary)
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
            "npm.package_owners",
            "package",
            "npm user x",
            "fix it",
            vec![
                PackageOwners::found("a", names(2)),
                PackageOwners::found("b", names(1)),
                PackageOwners {
                    name: "c".into(),
                    owners: Err("server error".into()),
                },
            ],
        );
        assert_eq!(r.status, Status::Warn);
        assert_eq!(r.evidence.len(), 3);
        assert_eq!(r.observed.owners["b"], vec!["u0"]);
        let r = owner_result(
            "x.y",
            "package",
            "w",
            "f",
            vec![PackageOwners {
                name: "c".into(),
                owners: Err("e".into()),
            }],
        );
        assert_eq!(r.status, Status::Unknown);
        assert_eq!(
            owner_result("x.y", "package", "w", "f", vec![]).status,
            Status::Skipped
        );
        assert_eq!(status_for(3), Status::Pass);
        assert_eq!(status_for(5), Status::Warn);
    }
}
