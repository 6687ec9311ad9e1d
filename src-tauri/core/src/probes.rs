//! Every probe Lockstep runs, in one list for the app and the CLI.

use crate::engine::Probe;
use std::sync::Arc;

/// All probes: the six account platforms, the device and the account email.
pub fn all() -> Vec<Arc<dyn Probe>> {
    let mut probes = crate::live::probes();
    probes.extend(crate::device::probe());
    probes.extend(crate::email::probe());
    probes
}
