//! Checks that look at this device: disk encryption, password manager, security key,
//! git signing, and publishing tokens lying in plain files.

use crate::engine::Probe;
use std::sync::Arc;

/// The device probe (group `device`).
pub fn probe() -> Option<Arc<dyn Probe>> {
    None
}
