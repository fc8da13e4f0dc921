//! Running the `duban` binary in the CLI tests.

use std::process::Command;

/// Run `duban ARGS --data-dir DIR` with a clean environment; exit code, stdout, stderr.
pub fn duban(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_duban"))
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env_remove("DUBAN_DATABASE_URL")
        .env_remove("DUBAN_CONFIG")
        .env("DUBAN_LOG", "error")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}
