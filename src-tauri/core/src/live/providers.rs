//! Email providers that will outlive a personal domain: an account email there cannot be taken
//! over by someone registering a lapsed domain. Data in one place, shared with the email checks.

/// Exact domains of long-lived providers.
const EXACT: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "proton.me",
    "protonmail.com",
    "protonmail.ch",
    "pm.me",
    "fastmail.com",
    "fastmail.fm",
    "yahoo.com",
    "ymail.com",
    "aol.com",
    "posteo.de",
    "posteo.net",
    "mailbox.org",
    "tutanota.com",
    "tutanota.de",
    "tutamail.com",
    "tuta.io",
    "tuta.com",
    "zoho.com",
    "zohomail.com",
    "hey.com",
    "users.noreply.github.com",
    "qq.com",
    "163.com",
    "yandex.com",
    "yandex.ru",
    "web.de",
    "t-online.de",
];

/// Providers with many country domains (`gmx.de`, `gmx.net`, `yahoo.co.uk`, ...): matched on
/// the label before the public suffix.
const ANY_SUFFIX: &[&str] = &[
    "gmx", "yahoo", "hotmail", "outlook", "posteo", "zoho", "yandex",
];

/// True when `domain` (or an address's part after `@`) belongs to a long-lived provider.
pub fn is_long_lived_provider(domain: &str) -> bool {
    let d = domain
        .rsplit('@')
        .next()
        .unwrap_or(domain)
        .trim()
        .trim_end_matches('.')
        .to_ascii_lowercase();
    if d.is_empty() {
        return false;
    }
    if EXACT.contains(&d.as_str()) {
        return true;
    }
    // `gmx.de`, `gmx.co.uk`: provider label followed by a short country/generic suffix.
    let labels: Vec<&str> = d.split('.').collect();
    match labels.as_slice() {
        [name, tld] => ANY_SUFFIX.contains(name) && tld.len() <= 3,
        [name, sld, tld] => ANY_SUFFIX.contains(name) && sld.len() <= 3 && tld.len() == 2,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_providers_and_own_domains() {
        for d in [
            "gmail.com",
            "GMX.de",
            "gmx.net",
            "yahoo.co.uk",
            "proton.me",
            "12345+octo@users.noreply.github.com",
            "posteo.net",
        ] {
            assert!(is_long_lived_provider(d), "{d}");
        }
        for d in [
            "example.com",
            "gmail.com.evil.test",
            "mycompany.io",
            "",
            "gmx.example.org",
        ] {
            assert!(!is_long_lived_provider(d), "{d}");
        }
    }
}
