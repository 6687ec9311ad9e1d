//! Reviews over time: saved runs, what changed between them, when the next is due, reports,
//! and moving progress between machines.
