//! Live account checks against the platforms' APIs (GitHub, GitLab, npm, PyPI, RubyGems, crates.io).

pub mod pypi_token;

use crate::engine::Probe;
use std::sync::Arc;

/// One probe per account platform.
pub fn probes() -> Vec<Arc<dyn Probe>> {
    Vec::new()
}
