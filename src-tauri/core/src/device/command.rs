//! Running a local tool (`git`, `fdesetup`, `manage-bde`, ...) with a time limit, so a hung
//! tool turns its check into `unknown` instead of stalling the run.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

/// How long a device tool may run before we give up on it.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// What to run. The environment is explicit: `Some` sets a variable, `None` removes it; the
/// rest is inherited (tools need `PATH`, `SystemRoot`, ...).
#[derive(Debug, Clone)]
pub struct ToolCommand {
    pub program: String,
    pub args: Vec<String>,
    pub env: Vec<(String, Option<String>)>,
    pub cwd: Option<PathBuf>,
    pub timeout: Duration,
}

impl ToolCommand {
    pub fn new(program: &str, args: &[&str]) -> Self {
        ToolCommand {
            program: program.to_string(),
            args: args.iter().map(|a| a.to_string()).collect(),
            env: Vec::new(),
            cwd: None,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// The outcome of running a tool. Only `Ran` carries output; the others say why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolOutput {
    /// The tool ran to completion (`code` is `None` when it was killed by a signal).
    Ran {
        code: Option<i32>,
        stdout: String,
        stderr: String,
    },
    /// The program is not installed (not on `PATH`).
    NotFound,
    /// It ran longer than the time limit and was stopped.
    TimedOut,
    /// It could not be started for another reason (permissions, ...).
    Failed(String),
}

/// Runs the tool with `tokio::process`: both pipes are read concurrently (a chatty tool cannot
/// fill one and block), and at the time limit the child is dropped, which kills it
/// (`kill_on_drop`), so a hung tool never outlives its check.
pub async fn run(cmd: ToolCommand) -> ToolOutput {
    let mut command = tokio::process::Command::new(&cmd.program);
    command
        .args(&cmd.args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (key, value) in &cmd.env {
        match value {
            Some(v) => command.env(key, v),
            None => command.env_remove(key),
        };
    }
    if let Some(dir) = &cmd.cwd {
        command.current_dir(dir);
    }
    // Without CREATE_NO_WINDOW a GUI app flashes a console window for every tool it runs.
    #[cfg(target_os = "windows")]
    command.creation_flags(0x0800_0000);
    let child = match command.spawn() {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return ToolOutput::NotFound,
        Err(e) => return ToolOutput::Failed(format!("could not start {}: {e}", cmd.program)),
    };
    match tokio::time::timeout(cmd.timeout, child.wait_with_output()).await {
        Ok(Ok(out)) => ToolOutput::Ran {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        },
        Ok(Err(e)) => ToolOutput::Failed(format!("waiting for {} failed: {e}", cmd.program)),
        // The dropped future drops the child, which kills it.
        Err(_) => ToolOutput::TimedOut,
    }
}

/// [`run`] for synchronous code: on a blocking thread of the runtime (inside
/// `spawn_blocking`) it uses that runtime; elsewhere it starts a small one of its own.
pub fn run_blocking(cmd: &ToolCommand) -> ToolOutput {
    let cmd = cmd.clone();
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => handle.block_on(run(cmd)),
        Err(_) => match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => rt.block_on(run(cmd)),
            Err(e) => ToolOutput::Failed(format!(
                "could not start a runtime for {}: {e}",
                cmd.program
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_program_is_not_found() {
        let out = run_blocking(&ToolCommand::new("lockstep-no-such-tool-xyz", &[]));
        assert_eq!(out, ToolOutput::NotFound);
    }

    #[test]
    fn output_and_exit_code_are_captured() {
        let out = run_blocking(&ToolCommand::new(
            "sh",
            &["-c", "echo out; echo err >&2; exit 3"],
        ));
        assert_eq!(
            out,
            ToolOutput::Ran {
                code: Some(3),
                stdout: "out\n".into(),
                stderr: "err\n".into()
            }
        );
    }

    #[test]
    fn a_hung_tool_times_out() {
        let mut cmd = ToolCommand::new("sleep", &["5"]);
        cmd.timeout = Duration::from_millis(100);
        assert_eq!(run_blocking(&cmd), ToolOutput::TimedOut);
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn a_timed_out_tool_is_killed() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("pid");
        let mut cmd = ToolCommand::new(
            "sh",
            &[
                "-c",
                &format!("echo $$ > {}; exec sleep 30", pid_file.display()),
            ],
        );
        cmd.timeout = Duration::from_millis(300);
        assert_eq!(run(cmd).await, ToolOutput::TimedOut);
        let pid = std::fs::read_to_string(&pid_file).unwrap();
        // Killed: gone, or a zombie until tokio reaps it in the background.
        let stat = std::path::PathBuf::from(format!("/proc/{}/stat", pid.trim()));
        for _ in 0..200 {
            match std::fs::read_to_string(&stat) {
                Err(_) => return,
                Ok(s)
                    if s.rsplit(')')
                        .next()
                        .is_some_and(|r| r.trim_start().starts_with('Z')) =>
                {
                    return
                }
                Ok(_) => {}
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the timed-out tool (pid {}) is still running", pid.trim());
    }
}
