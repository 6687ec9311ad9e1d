//! Running a local tool (`git`, `fdesetup`, `manage-bde`, ...) with a time limit, so a hung
//! tool turns its check into `unknown` instead of stalling the run.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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

/// Runs the command on a blocking thread so the async run is never stalled.
pub async fn run(cmd: ToolCommand) -> ToolOutput {
    match tokio::task::spawn_blocking(move || run_blocking(&cmd)).await {
        Ok(out) => out,
        Err(e) => ToolOutput::Failed(format!("the task running the command failed: {e}")),
    }
}

/// Spawns, reads both pipes on their own threads (so a chatty tool cannot fill a pipe and
/// block), and polls for exit until the deadline.
pub fn run_blocking(cmd: &ToolCommand) -> ToolOutput {
    let mut command = Command::new(&cmd.program);
    command
        .args(&cmd.args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in &cmd.env {
        match value {
            Some(v) => command.env(key, v),
            None => command.env_remove(key),
        };
    }
    if let Some(dir) = &cmd.cwd {
        command.current_dir(dir);
    }
    #[cfg(target_os = "windows")]
    {
        // Without CREATE_NO_WINDOW a GUI app flashes a console window for every tool it runs.
        use std::os::windows::process::CommandExt;
        command.creation_flags(0x0800_0000);
    }
    let mut child = match command.spawn() {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return ToolOutput::NotFound,
        Err(e) => return ToolOutput::Failed(format!("could not start {}: {e}", cmd.program)),
    };
    let stdout = child.stdout.take().map(read_to_end_on_thread);
    let stderr = child.stderr.take().map(read_to_end_on_thread);
    let deadline = Instant::now() + cmd.timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(15)),
            Err(e) => {
                return ToolOutput::Failed(format!("waiting for {} failed: {e}", cmd.program))
            }
        }
    };
    let collect = |h: Option<std::thread::JoinHandle<Vec<u8>>>| {
        h.and_then(|h| h.join().ok())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    match status {
        Some(status) => ToolOutput::Ran {
            code: status.code(),
            stdout: collect(stdout),
            stderr: collect(stderr),
        },
        // The readers are left behind: a grandchild may still hold the pipes open.
        None => ToolOutput::TimedOut,
    }
}

fn read_to_end_on_thread<R: Read + Send + 'static>(
    mut pipe: R,
) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        buf
    })
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
}
