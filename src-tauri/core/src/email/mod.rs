//! Checks on the account email: the domain's registration (RDAP) and known breaches (HIBP, opt-in).

use crate::engine::Probe;
use std::sync::Arc;

/// The email probe (group `email`).
pub fn probe() -> Option<Arc<dyn Probe>> {
    None
}
