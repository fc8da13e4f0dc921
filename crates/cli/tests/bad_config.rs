//! Bad configuration ends with one line saying what to fix, exit code 2, never a panic.

use std::process::Command;

fn duban(args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_duban"));
    c.args(args)
        .env_remove("DUBAN_DATABASE_URL")
        .env_remove("DUBAN_DATA_DIR")
        .env_remove("DUBAN_CONFIG")
        .env("DUBAN_LOG", "error");
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
    (out.status.code().unwrap_or(-1), stderr)
}

fn assert_one_line(stderr: &str, needle: &str) {
    assert_eq!(stderr.lines().count(), 1, "one line expected: {stderr}");
    assert!(stderr.starts_with("duban: error: "), "{stderr}");
    assert!(stderr.contains(needle), "'{needle}' not in: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

fn temp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("duban-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn unreachable_postgres() {
    // Port 1 on loopback: nothing listens there.
    let d = temp("pg");
    let (code, err) = duban(
        &[
            "migrate",
            "--data-dir",
            d.to_str().unwrap(),
            "--db",
            "postgres://duban:secret@127.0.0.1:1/duban",
        ],
        &[],
    );
    assert_eq!(code, 2);
    assert_one_line(&err, "cannot connect to PostgreSQL");
    assert!(
        !err.contains("secret"),
        "the password must not be printed: {err}"
    );
}

#[test]
fn unknown_database_scheme() {
    let d = temp("mysql");
    let (code, err) = duban(
        &[
            "migrate",
            "--data-dir",
            d.to_str().unwrap(),
            "--db",
            "mysql://x/y",
        ],
        &[],
    );
    assert_eq!(code, 2);
    assert_one_line(&err, "neither sqlite://PATH nor postgres://");
}

#[test]
fn unwritable_data_directory() {
    let d = temp("ro");
    let file = d.join("not-a-dir");
    std::fs::write(&file, b"x").unwrap();
    // A data directory below a regular file can never be created, even by root.
    let bad = file.join("data");
    let (code, err) = duban(&["migrate", "--data-dir", bad.to_str().unwrap()], &[]);
    assert_eq!(code, 2);
    assert_one_line(&err, "--data-dir");
}

#[test]
fn busy_port() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    let d = temp("busy");
    let db = format!("sqlite://{}/busy.sqlite", d.display());
    let (code, err) = duban(
        &[
            "serve",
            "--listen",
            &addr,
            "--db",
            &db,
            "--data-dir",
            d.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 2);
    assert_one_line(&err, "already in use");
}

#[test]
fn config_file_with_a_typo() {
    let d = temp("cfg");
    let f = d.join("duban.toml");
    std::fs::write(
        &f,
        "listen = \"127.0.0.1:1\"\ndatabase_ulr = \"sqlite://x\"\n",
    )
    .unwrap();
    let (code, err) = duban(
        &[
            "migrate",
            "--config",
            f.to_str().unwrap(),
            "--data-dir",
            d.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 2);
    assert!(err.contains("database_ulr"), "{err}");
}

#[test]
fn environment_variables_are_read() {
    let d = temp("env");
    let db = format!("sqlite://{}/env.sqlite", d.display());
    let (code, err) = duban(
        &["migrate"],
        &[
            ("DUBAN_DATABASE_URL", &db),
            ("DUBAN_DATA_DIR", d.to_str().unwrap()),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(d.join("env.sqlite").exists());
}
