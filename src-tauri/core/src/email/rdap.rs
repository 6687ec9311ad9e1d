//! RDAP: which server answers for a TLD (IANA's bootstrap file, cached), and a domain's
//! registration and expiry dates from that server.
//!
//! RDAP replaced WHOIS for gTLDs, answers JSON, and needs no key. Many ccTLDs publish no
//! RDAP service at all; those lookups end as [`Lookup::NoRdapForTld`] (the check says unknown).

use crate::atomic_file::write_atomic;
use crate::http::{ApiClient, Auth, HttpError};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Duration;
use time::{Date, OffsetDateTime};
use url::{Position, Url};

/// Where IANA publishes the DNS bootstrap file (RFC 9224).
pub const DEFAULT_BOOTSTRAP_URL: &str = "https://data.iana.org/rdap/dns.json";
/// Overrides the bootstrap's address (tests point it at a loopback server).
pub const BOOTSTRAP_URL_ENV: &str = "LOCKSTEP_RDAP_BOOTSTRAP_URL";
/// The cached bootstrap's file name inside the cache directory.
pub const CACHE_FILE: &str = "rdap-dns.json";
/// IANA changes the file rarely; a week keeps new TLD servers reasonably fresh.
pub const CACHE_MAX_AGE: time::Duration = time::Duration::days(7);

/// The parsed bootstrap: each service is a list of TLDs and the RDAP base URLs serving them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bootstrap {
    pub services: Vec<(Vec<String>, Vec<String>)>,
}

impl Bootstrap {
    /// Parses `{"services": [[["tld", ...], ["https://base/", ...]], ...]}`. Entries that do not
    /// have that shape are skipped rather than failing the whole file.
    pub fn parse(json: &serde_json::Value) -> Result<Self, String> {
        let services = json
            .get("services")
            .and_then(|s| s.as_array())
            .ok_or_else(|| "it has no \"services\" list".to_string())?;
        let strings = |v: Option<&serde_json::Value>| -> Vec<String> {
            v.and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        let parsed = services
            .iter()
            .filter_map(|entry| {
                let entry = entry.as_array()?;
                let tlds: Vec<String> = strings(entry.first())
                    .into_iter()
                    .map(|t| t.to_ascii_lowercase())
                    .collect();
                let urls = strings(entry.get(1));
                (!tlds.is_empty() && !urls.is_empty()).then_some((tlds, urls))
            })
            .collect();
        Ok(Bootstrap { services: parsed })
    }

    /// The RDAP base URL (ending with `/`) for `domain`: the entry whose TLD label sequence is
    /// the longest match wins (RFC 9224 §4), and an https URL is preferred over http.
    pub fn base_for(&self, domain: &str) -> Option<String> {
        let domain = domain.trim_end_matches('.').to_ascii_lowercase();
        let mut best: Option<(usize, &Vec<String>)> = None;
        for (tlds, urls) in &self.services {
            for tld in tlds {
                let matches = domain == *tld || domain.ends_with(&format!(".{tld}"));
                if matches && best.is_none_or(|(len, _)| tld.len() > len) {
                    best = Some((tld.len(), urls));
                }
            }
        }
        let urls = best?.1;
        let url = urls
            .iter()
            .find(|u| u.starts_with("https://"))
            .or_else(|| urls.first())?;
        Some(if url.ends_with('/') {
            url.clone()
        } else {
            format!("{url}/")
        })
    }
}

/// What the cache file holds: the raw bootstrap, where it came from, and when.
#[derive(Debug, Serialize, Deserialize)]
struct CachedBootstrap {
    source: String,
    /// Unix seconds, from the run's clock.
    fetched_at: i64,
    bootstrap: serde_json::Value,
}

/// The bootstrap for this run: the cache when it is fresh and from the same address, otherwise
/// a new download (written back to the cache). A failed download falls back to a stale cache.
pub async fn load_bootstrap(
    cache_dir: &Path,
    source: &str,
    now: OffsetDateTime,
    timeout: Duration,
) -> Result<Bootstrap, String> {
    let path = cache_dir.join(CACHE_FILE);
    let cached: Option<CachedBootstrap> = std::fs::read(&path)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<CachedBootstrap>(&bytes).ok())
        .filter(|c| c.source == source);
    if let Some(c) = &cached {
        let age = now.unix_timestamp() - c.fetched_at;
        if (0..CACHE_MAX_AGE.whole_seconds()).contains(&age) {
            if let Ok(b) = Bootstrap::parse(&c.bootstrap) {
                return Ok(b);
            }
        }
    }
    match fetch_bootstrap(source, timeout).await {
        Ok(json) => {
            let parsed = Bootstrap::parse(&json).map_err(|e| {
                format!("the RDAP bootstrap list from {source} could not be read: {e}")
            })?;
            let entry = CachedBootstrap {
                source: source.to_string(),
                fetched_at: now.unix_timestamp(),
                bootstrap: json,
            };
            if let Ok(bytes) = serde_json::to_vec(&entry) {
                // A cache that cannot be written only costs a download next time.
                let _ = write_atomic(&path, &bytes);
            }
            Ok(parsed)
        }
        Err(e) => match cached.and_then(|c| Bootstrap::parse(&c.bootstrap).ok()) {
            Some(stale) => Ok(stale),
            None => Err(format!("could not download the RDAP bootstrap list: {e}")),
        },
    }
}

/// Splits a full URL into the origin (the client's base) and the rest (path and query), since
/// [`ApiClient`] joins paths under its base.
fn split_url(full: &str) -> Result<(String, String), HttpError> {
    // An RDAP server address comes from the bootstrap list: never echo one that does not parse.
    let url = Url::parse(full.trim()).map_err(|_| {
        HttpError::InsecureUrl("(an RDAP server address that is not a valid URL)".into())
    })?;
    Ok((
        url[..Position::BeforePath].to_string(),
        url[Position::BeforePath..].to_string(),
    ))
}

async fn fetch_bootstrap(source: &str, timeout: Duration) -> Result<serde_json::Value, HttpError> {
    let (base, path) = split_url(source)?;
    let client = ApiClient::new(&base, None, Auth::Bearer, timeout)?;
    let resp = client.get(&path).await?;
    resp.json(&client.host())
}

/// A domain's registration dates, from RDAP events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DomainDates {
    pub registration: Option<Date>,
    pub expiration: Option<Date>,
}

/// The outcome of looking one domain up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Found(DomainDates),
    /// The bootstrap names no RDAP server for this TLD (common for ccTLDs).
    NoRdapForTld(String),
    /// The RDAP server answered 404.
    NotFound,
    /// Anything else: network, server error, unreadable JSON. The text is user-facing.
    Failed(String),
}

/// Looks `domain` up at `base` (from [`Bootstrap::base_for`]).
pub async fn lookup_domain(base: &str, domain: &str, timeout: Duration) -> Lookup {
    let client = match ApiClient::new(base, None, Auth::Bearer, timeout) {
        Ok(c) => c,
        Err(e) => return Lookup::Failed(e.to_string()),
    };
    let resp = match client
        .get_with(
            &format!("domain/{domain}"),
            &[("accept", "application/rdap+json, application/json")],
        )
        .await
    {
        Ok(r) => r,
        Err(HttpError::NotFound { .. }) => return Lookup::NotFound,
        Err(e) => return Lookup::Failed(e.to_string()),
    };
    match resp.json::<serde_json::Value>(&client.host()) {
        Ok(json) => Lookup::Found(parse_events(&json)),
        Err(e) => Lookup::Failed(e.to_string()),
    }
}

/// Reads `events[].eventAction` "registration" / "expiration" from an RDAP domain object.
pub fn parse_events(json: &serde_json::Value) -> DomainDates {
    let mut dates = DomainDates::default();
    let Some(events) = json.get("events").and_then(|e| e.as_array()) else {
        return dates;
    };
    for ev in events {
        let action = ev
            .get("eventAction")
            .and_then(|a| a.as_str())
            .unwrap_or_default();
        let Some(date) = ev
            .get("eventDate")
            .and_then(|d| d.as_str())
            .and_then(crate::expiry::parse_date)
        else {
            continue;
        };
        match action.to_ascii_lowercase().as_str() {
            "expiration" => dates.expiration = Some(date),
            "registration" => dates.registration = Some(date),
            _ => {}
        }
    }
    dates
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::date;

    #[test]
    fn bootstrap_picks_the_longest_matching_tld() {
        let b = Bootstrap::parse(&json!({"services": [
            [["com", "net"], ["https://rdap.verisign.com/com/v1/"]],
            [["uk"], ["http://rdap.nic.uk", "https://rdap.nominet.uk/uk/"]],
            [["co.uk"], ["https://rdap.example/co.uk"]],
            "junk",
            [[], ["https://empty/"]]
        ]}))
        .unwrap();
        assert_eq!(b.services.len(), 3);
        assert_eq!(
            b.base_for("example.com").as_deref(),
            Some("https://rdap.verisign.com/com/v1/")
        );
        assert_eq!(
            b.base_for("EXAMPLE.co.uk").as_deref(),
            Some("https://rdap.example/co.uk/")
        );
        assert_eq!(
            b.base_for("example.org.uk").as_deref(),
            Some("https://rdap.nominet.uk/uk/")
        );
        assert_eq!(b.base_for("example.zz"), None);
        // A TLD only matches whole labels.
        assert_eq!(b.base_for("example.dotcom"), None);
    }

    #[test]
    fn bootstrap_without_services_is_an_error() {
        assert!(Bootstrap::parse(&json!({"version": "1.0"})).is_err());
    }

    #[test]
    fn events_give_registration_and_expiration() {
        let d = parse_events(&json!({"events": [
            {"eventAction": "registration", "eventDate": "1995-08-14T04:00:00Z"},
            {"eventAction": "expiration", "eventDate": "2027-01-15T04:00:00Z"},
            {"eventAction": "last update of RDAP database", "eventDate": "2026-11-25T10:00:00Z"},
            {"eventAction": "expiration"}
        ]}));
        assert_eq!(d.registration, Some(date!(1995 - 08 - 14)));
        assert_eq!(d.expiration, Some(date!(2027 - 01 - 15)));
        assert_eq!(
            parse_events(&json!({"ldhName": "x"})),
            DomainDates::default()
        );
    }

    #[test]
    fn urls_split_into_origin_and_path() {
        let (b, p) = split_url("https://data.iana.org/rdap/dns.json").unwrap();
        assert_eq!(
            (b.as_str(), p.as_str()),
            ("https://data.iana.org", "/rdap/dns.json")
        );
        let (b, p) = split_url("http://127.0.0.1:8080/x/dns.json?v=1").unwrap();
        assert_eq!(
            (b.as_str(), p.as_str()),
            ("http://127.0.0.1:8080", "/x/dns.json?v=1")
        );
    }
}
