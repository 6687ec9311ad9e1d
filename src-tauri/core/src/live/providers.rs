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
    // `gmx.de`, `yahoo.co.uk`: the provider's label directly under an ICANN public suffix
    // (Mozilla's Public Suffix List, through `psl`), and nothing in front of it.
    let Some(suffix) = psl::suffix(d.as_bytes()) else {
        return false;
    };
    if suffix.typ() != Some(psl::Type::Icann) || !suffix.is_known() {
        return false;
    }
    d.len()
        .checked_sub(suffix.as_bytes().len() + 1)
        .and_then(|end| d.get(..end))
        .is_some_and(|name| ANY_SUFFIX.contains(&name))
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
            "yahoo.com.au",
            "gmx.at",
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
            "gmx.evil",
            "yahoo.github.io",
        ] {
            assert!(!is_long_lived_provider(d), "{d}");
        }
    }
}
