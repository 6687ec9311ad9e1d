//! What the user configured: handles, base URLs, project lists, emails, review interval.
//! Never a token. Environment variables (`LOCKSTEP_<PLATFORM>_USER`, `_URL`, ...) override.

use crate::platform::Platform;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Default days between periodic reviews.
pub const DEFAULT_REVIEW_INTERVAL_DAYS: u32 = 90;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Per account platform: the user's handle and a non-default base URL.
    pub accounts: BTreeMap<Platform, AccountSettings>,
    /// PyPI has no API listing a user's projects, so the user names them.
    pub pypi_projects: Vec<String>,
    /// Account emails entered by the user (in addition to those the account checks find).
    pub emails: Vec<String>,
    pub review_interval_days: u32,
    /// The user agreed to send their email addresses to Have I Been Pwned.
    pub breach_check_consent: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            accounts: BTreeMap::new(),
            pypi_projects: Vec::new(),
            emails: Vec::new(),
            review_interval_days: DEFAULT_REVIEW_INTERVAL_DAYS,
            breach_check_consent: false,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountSettings {
    pub user: Option<String>,
    pub base_url: Option<String>,
}

/// A snapshot of the process environment, passed in so tests never mutate the real one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvVars(pub BTreeMap<String, String>);

impl EnvVars {
    pub fn from_process() -> Self {
        EnvVars(std::env::vars().collect())
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    pub fn with(mut self, key: &str, value: &str) -> Self {
        self.0.insert(key.to_string(), value.to_string());
        self
    }
}

/// The effective account configuration for one platform after env overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformConfig {
    pub platform: Platform,
    /// Base URL without a trailing slash; may carry a path (`https://ghe.example.com/api/v3`).
    pub base_url: String,
    pub user: Option<String>,
}

impl Settings {
    /// Settings overlaid with `LOCKSTEP_<PLATFORM>_URL` and `LOCKSTEP_<PLATFORM>_USER`.
    pub fn platform_config(&self, platform: Platform, env: &EnvVars) -> PlatformConfig {
        let saved = self.accounts.get(&platform).cloned().unwrap_or_default();
        let base_url = env
            .get(&platform.env_var("URL"))
            .map(str::to_string)
            .or(saved.base_url)
            .unwrap_or_else(|| platform.default_base_url().to_string());
        let user = env
            .get(&platform.env_var("USER"))
            .map(str::to_string)
            .or(saved.user)
            .filter(|u| !u.trim().is_empty());
        PlatformConfig {
            platform,
            base_url: base_url.trim().trim_end_matches('/').to_string(),
            user,
        }
    }

    /// PyPI projects from `LOCKSTEP_PYPI_PROJECTS` (comma-separated) or settings.
    pub fn pypi_projects(&self, env: &EnvVars) -> Vec<String> {
        match env.get("LOCKSTEP_PYPI_PROJECTS") {
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            None => self.pypi_projects.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_overrides_settings_and_keeps_url_paths() {
        let mut s = Settings::default();
        s.accounts.insert(
            Platform::Github,
            AccountSettings {
                user: Some("saved".into()),
                base_url: Some("https://ghe.corp/api/v3/".into()),
            },
        );
        let env = EnvVars::default();
        let c = s.platform_config(Platform::Github, &env);
        assert_eq!(c.base_url, "https://ghe.corp/api/v3");
        assert_eq!(c.user.as_deref(), Some("saved"));
        let env = env
            .with("LOCKSTEP_GITHUB_USER", "octo")
            .with("LOCKSTEP_GITHUB_URL", "http://127.0.0.1:9/x");
        let c = s.platform_config(Platform::Github, &env);
        assert_eq!(c.user.as_deref(), Some("octo"));
        assert_eq!(c.base_url, "http://127.0.0.1:9/x");
        assert_eq!(
            s.platform_config(Platform::Npm, &EnvVars::default())
                .base_url,
            "https://registry.npmjs.org"
        );
    }

    #[test]
    fn pypi_projects_from_env_are_split_and_trimmed() {
        let env = EnvVars::default().with("LOCKSTEP_PYPI_PROJECTS", " a, b ,,c");
        assert_eq!(Settings::default().pypi_projects(&env), vec!["a", "b", "c"]);
    }
}
