//! `lockstep-cli`: Lockstep's commands without the window, for servers, CI and terminals.
//! It links no GTK or WebKit, so it installs and runs where the desktop app cannot.

fn main() {
    std::process::exit(lockstep_cli::main(std::env::args_os().collect()));
}
