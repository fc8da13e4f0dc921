//! Graceful shutdown: on SIGTERM the server stops taking connections, and a request in
//! flight (a registry export streamed in batches) finishes whole; then it exits cleanly.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn a_request_in_flight_finishes_after_sigterm() {
    let dir = std::env::temp_dir().join(format!("duban-shutdown-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (code, _, err) = common::duban(&dir, &["gen", "--projects", "3000", "--as-of", "2025-10"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = common::duban(
        &dir,
        &[
            "user",
            "add",
            "sup",
            "--role",
            "supervisor",
            "--unit",
            "XJBT",
            "--scope",
            "all",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let initial = out.rsplit(": ").next().unwrap().trim().to_string();
    let mut server = Command::new(env!("CARGO_BIN_EXE_duban"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&dir)
        .env_remove("DUBAN_DATABASE_URL")
        .env("DUBAN_LOG", "error")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let first = BufReader::new(server.stdout.take().unwrap())
        .lines()
        .next()
        .unwrap()
        .unwrap();
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap()
        .to_string();
    let send = |req: String| {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        s.write_all(req.as_bytes()).unwrap();
        s
    };
    // Sign in, change the initial password, sign in again.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let cookie = rt.block_on(async {
        let first = duban_testkit::Client::login_with(&addr, "sup", &initial)
            .await
            .unwrap();
        let (s, r) = first
            .post(
                "/api/v1/auth/password",
                serde_json::json!({ "old_password": initial, "new_password": "Shutdown-test-2026" }),
            )
            .await;
        assert_eq!(s, 200, "{r}");
        duban_testkit::Client::login_with(&addr, "sup", "Shutdown-test-2026")
            .await
            .unwrap()
            .cookie
            .unwrap()
    });

    // The export starts; SIGTERM arrives as its first bytes do.
    let mut s = send(format!(
        "GET /api/v1/projects/export.csv HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
    ));
    let mut head = [0u8; 12];
    s.read_exact(&mut head).unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
    Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    let mut rest = Vec::new();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.read_to_end(&mut rest).unwrap();
    let text = String::from_utf8_lossy(&rest);
    // One line per project, the header and the chunks' framing besides.
    let lines = text.matches('\n').count();
    assert!(
        lines > 3000,
        "the export finished whole after SIGTERM ({lines} line ends)"
    );
    let status = server.wait().unwrap();
    assert!(status.success(), "exit after the request: {status}");
    // No new connection is taken any more.
    assert!(std::net::TcpStream::connect(&addr).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}
