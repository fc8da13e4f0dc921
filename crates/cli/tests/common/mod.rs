//! Running the `duban` binary in the CLI tests.

#![allow(dead_code)] // each test binary uses some of these

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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

/// Start `duban serve` on `addr` over `db_url` and `dir`, quiet.
pub fn serve(db_url: &str, dir: &std::path::Path, addr: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_duban"))
        .args(["serve", "--listen", addr, "--db", db_url, "--data-dir"])
        .arg(dir)
        .env("DUBAN_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Wait until something listens on `addr` (30 s at most).
pub async fn wait_up(addr: &str) {
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(30) {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the server did not come up on {addr}");
}
