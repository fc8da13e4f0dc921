//! Backups and restores: one file with the database as of one instant and every
//! attachment, and a manifest of checksums.
//!
//! The database is copied consistently while the server writes. SQLite uses
//! `VACUUM INTO`, which reads one snapshot. PostgreSQL uses `pg_dump`, which reads one
//! MVCC snapshot. Attachments are read after the database copy. They are
//! content-addressed and written before the row that names them commits, so every
//! attachment the copy refers to is there.
//!
//! A restore goes only into an empty database and data directory. It checks every
//! file against the manifest before placing anything, and checks the audit chain of
//! the restored database before it reports success.

use crate::AppError;
use crate::unit_of_work::Console;
use duban_store::{Backend, Db, DbUrl, now_ms, schema};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The format written in every manifest.
pub const FORMAT: &str = "duban-backup/1";
const MANIFEST: &str = "manifest.json";
const SQLITE_FILE: &str = "database.sqlite";
const PG_FILE: &str = "database.pgdump";

/// What a backup holds, with the checksum of each file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub format: String,
    /// When the database was copied (Unix ms).
    pub created_at: i64,
    pub duban_version: String,
    pub schema_version: i64,
    /// sqlite | postgres
    pub engine: String,
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileEntry {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

/// Where a backup is taken from, or a restore goes to.
pub struct Place<'a> {
    pub db: &'a Db,
    /// The database URL (needed for `pg_dump` and `pg_restore`).
    pub url: &'a str,
    /// The data directory holding `attachments/`.
    pub data_dir: &'a Path,
}

fn io(context: &str) -> impl FnOnce(std::io::Error) -> AppError + '_ {
    move |e| AppError::internal(context.to_string(), e)
}

/// A reader that hashes what passes through it.
struct Hashing<R> {
    inner: R,
    hash: Sha256,
    size: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
}

fn hex(d: impl AsRef<[u8]>) -> String {
    data_encoding::HEXLOWER.encode(d.as_ref())
}

/// Every attachment blob below `data_dir/attachments`, as paths relative to `data_dir`.
fn attachment_files(data_dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let root = data_dir.join("attachments");
    let mut out = Vec::new();
    if !root.exists() {
        return Ok(out);
    }
    for shard in std::fs::read_dir(&root)? {
        let shard = shard?;
        if !shard.file_type()?.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(shard.path())? {
            let f = f?;
            let name = f.file_name().to_string_lossy().to_string();
            // Blobs being written are dot-files until they are renamed into place.
            if f.file_type()?.is_file() && !name.starts_with('.') {
                out.push(
                    Path::new("attachments")
                        .join(shard.file_name())
                        .join(f.file_name()),
                );
            }
        }
    }
    out.sort();
    Ok(out)
}

fn run(cmd: &mut std::process::Command, what: &str) -> Result<(), AppError> {
    let out = cmd.output().map_err(|e| {
        AppError::Config(format!(
            "cannot run {what}: {e}; install PostgreSQL's client programs (Debian: postgresql-client)"
        ))
    })?;
    if !out.status.success() {
        return Err(AppError::internal(
            format!("{what} failed"),
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    Ok(())
}

/// Write a backup of `from` to `out` as the console. The file appears complete or not at
/// all (it is written beside and renamed).
pub async fn backup(_console: &Console, from: Place<'_>, out: &Path) -> Result<Manifest, AppError> {
    let staging = out.with_extension("staging");
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(io("cannot create the staging folder"))?;
    let result = backup_in(from, out, &staging).await;
    let _ = std::fs::remove_dir_all(&staging);
    result
}

async fn backup_in(from: Place<'_>, out: &Path, staging: &Path) -> Result<Manifest, AppError> {
    let created_at = now_ms();
    let schema_version = schema::current_version(from.db).await?;
    let (engine, db_file) = match from.db.backend() {
        Backend::Sqlite => {
            let file = staging.join(SQLITE_FILE);
            schema::sqlite_copy(from.db, &file).await?;
            ("sqlite", file)
        }
        Backend::Postgres => {
            let file = staging.join(PG_FILE);
            let (url, f) = (from.url.to_string(), file.clone());
            tokio::task::spawn_blocking(move || {
                run(
                    std::process::Command::new("pg_dump")
                        .args(["--format=custom", "--no-owner", "--no-privileges", "--file"])
                        .arg(&f)
                        .arg(&url),
                    "pg_dump",
                )
            })
            .await
            .map_err(|e| AppError::internal("pg_dump", e))??;
            ("postgres", file)
        }
    };
    let data_dir = from.data_dir.to_path_buf();
    let out = out.to_path_buf();
    tokio::task::spawn_blocking(move || {
        write_archive(
            &out,
            &db_file,
            &data_dir,
            engine,
            created_at,
            schema_version,
        )
    })
    .await
    .map_err(|e| AppError::internal("backup writer", e))?
}

fn write_archive(
    out: &Path,
    db_file: &Path,
    data_dir: &Path,
    engine: &str,
    created_at: i64,
    schema_version: i64,
) -> Result<Manifest, AppError> {
    let partial = out.with_extension("partial");
    let file = std::fs::File::create(&partial)
        .map_err(io("cannot write the backup file (check --out)"))?;
    let mut tar = tar::Builder::new(std::io::BufWriter::new(file));
    let mut files = Vec::new();
    let mut add = |tar: &mut tar::Builder<_>, name: &Path, src: &Path| -> Result<(), AppError> {
        let f = std::fs::File::open(src).map_err(io("cannot read a file to back up"))?;
        let len = f
            .metadata()
            .map_err(io("cannot read a file to back up"))?
            .len();
        let mut h = tar::Header::new_gnu();
        h.set_size(len);
        h.set_mode(0o600);
        h.set_mtime((created_at / 1000) as u64);
        h.set_cksum();
        let mut r = Hashing {
            inner: f,
            hash: Sha256::new(),
            size: 0,
        };
        tar.append_data(&mut h, name, &mut r)
            .map_err(io("cannot write the backup file"))?;
        files.push(FileEntry {
            path: name.display().to_string(),
            size: r.size,
            sha256: hex(r.hash.finalize()),
        });
        Ok(())
    };
    let db_name = db_file.file_name().expect("a file name");
    add(&mut tar, Path::new(db_name), db_file)?;
    for rel in attachment_files(data_dir).map_err(io("cannot list the attachments"))? {
        add(&mut tar, &rel, &data_dir.join(&rel))?;
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        created_at,
        duban_version: env!("CARGO_PKG_VERSION").into(),
        schema_version,
        engine: engine.into(),
        files,
    };
    let text = serde_json::to_vec_pretty(&manifest).expect("manifest serialises");
    let mut h = tar::Header::new_gnu();
    h.set_size(text.len() as u64);
    h.set_mode(0o600);
    h.set_mtime((created_at / 1000) as u64);
    h.set_cksum();
    tar.append_data(&mut h, MANIFEST, text.as_slice())
        .map_err(io("cannot write the backup file"))?;
    let mut w = tar
        .into_inner()
        .map_err(io("cannot write the backup file"))?;
    w.flush().map_err(io("cannot write the backup file"))?;
    w.get_ref()
        .sync_all()
        .map_err(io("cannot write the backup file"))?;
    drop(w);
    std::fs::rename(&partial, out).map_err(io("cannot write the backup file"))?;
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(manifest)
}

/// What a restore found and placed.
#[derive(Debug, Clone, Serialize)]
pub struct Restored {
    pub manifest: Manifest,
    pub attachments: usize,
    pub audit_entries: i64,
    pub seconds: f64,
}

fn refused(msg: String) -> AppError {
    AppError::Conflict(msg)
}

/// Check a backup file against its manifest without placing anything: every file
/// present, of its size and checksum, and nothing else. Returns the manifest.
pub fn verify_file(file: &Path, into: &Path) -> Result<Manifest, AppError> {
    let f = std::fs::File::open(file)
        .map_err(|e| AppError::Config(format!("cannot read the backup {}: {e}", file.display())))?;
    std::fs::create_dir_all(into).map_err(io("cannot create the restore folder"))?;
    let mut archive = tar::Archive::new(std::io::BufReader::new(f));
    let mut seen = Vec::new();
    for entry in archive
        .entries()
        .map_err(|e| AppError::Config(format!("{} is not a duban backup: {e}", file.display())))?
    {
        let mut entry =
            entry.map_err(|e| AppError::Config(format!("{} is damaged: {e}", file.display())))?;
        let path = entry
            .path()
            .map_err(|e| AppError::Config(format!("{} is damaged: {e}", file.display())))?
            .to_path_buf();
        // Only plain files, inside the folder (tar's unpack_in refuses `..`).
        if !entry.header().entry_type().is_file()
            || !entry
                .unpack_in(into)
                .map_err(|e| AppError::Config(format!("{} is damaged: {e}", file.display())))?
        {
            return Err(AppError::Config(format!(
                "{} holds an entry that is not a plain file inside the backup: {}",
                file.display(),
                path.display()
            )));
        }
        seen.push(path.display().to_string());
    }
    let text = std::fs::read(into.join(MANIFEST)).map_err(|_| {
        AppError::Config(format!(
            "{} has no manifest: not a duban backup",
            file.display()
        ))
    })?;
    let manifest: Manifest = serde_json::from_slice(&text).map_err(|e| {
        AppError::Config(format!(
            "the manifest of {} is damaged: {e}",
            file.display()
        ))
    })?;
    if manifest.format != FORMAT {
        return Err(AppError::Config(format!(
            "{} is a {} backup; this duban reads {FORMAT}",
            file.display(),
            manifest.format
        )));
    }
    let mut listed: Vec<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    listed.push(MANIFEST);
    listed.sort_unstable();
    seen.sort_unstable();
    if listed != seen {
        return Err(AppError::Config(format!(
            "{} does not hold what its manifest lists",
            file.display()
        )));
    }
    for e in &manifest.files {
        let mut f =
            std::fs::File::open(into.join(&e.path)).map_err(io("cannot read a restored file"))?;
        let mut h = Sha256::new();
        let size = std::io::copy(&mut f, &mut h).map_err(io("cannot read a restored file"))?;
        if size != e.size || hex(h.finalize()) != e.sha256 {
            return Err(AppError::Config(format!(
                "{}: {} does not match its checksum: the backup is damaged",
                file.display(),
                e.path
            )));
        }
    }
    Ok(manifest)
}

/// Restore `file` into an empty database (`to.url`) and data directory (`to.data_dir`) as
/// the console, then open it (upgrading its schema when the backup is older) and check
/// its audit chain. Nothing is placed unless every checksum matches.
pub async fn restore(
    console: &Console,
    file: &Path,
    url: &str,
    data_dir: &Path,
) -> Result<Restored, AppError> {
    let started = Instant::now();
    let target = DbUrl::parse(url)?;
    // The target must be empty: never overwrite a working office.
    let attachments = data_dir.join("attachments");
    if std::fs::read_dir(&attachments).is_ok_and(|mut d| d.next().is_some()) {
        return Err(refused(format!(
            "{} holds attachments already: restore into an empty data directory",
            attachments.display()
        )));
    }
    match &target {
        DbUrl::Sqlite(path) if path.exists() => {
            return Err(refused(format!(
                "{} exists already: restore into a new database file",
                path.display()
            )));
        }
        DbUrl::Sqlite(_) => {}
        DbUrl::Postgres(_) => {
            let db = Db::connect(url).await?;
            let busy = schema::has_tables(&db).await?;
            db.close().await;
            if busy {
                return Err(refused(
                    "the PostgreSQL database has tables already: restore into an empty database"
                        .into(),
                ));
            }
        }
    }
    let staging = data_dir.join(format!(".restore-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    let result = restore_in(console, file, url, &target, data_dir, &staging, started).await;
    let _ = std::fs::remove_dir_all(&staging);
    result
}

async fn restore_in(
    console: &Console,
    file: &Path,
    url: &str,
    target: &DbUrl,
    data_dir: &Path,
    staging: &Path,
    started: Instant,
) -> Result<Restored, AppError> {
    let (f, s) = (file.to_path_buf(), staging.to_path_buf());
    let manifest = tokio::task::spawn_blocking(move || verify_file(&f, &s))
        .await
        .map_err(|e| AppError::internal("backup reader", e))??;
    match (manifest.engine.as_str(), target) {
        ("sqlite", DbUrl::Sqlite(path)) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(io("cannot create the database folder"))?;
            }
            move_file(&staging.join(SQLITE_FILE), path)?;
        }
        ("postgres", DbUrl::Postgres(_)) => {
            let (dump, url) = (staging.join(PG_FILE), url.to_string());
            tokio::task::spawn_blocking(move || {
                run(
                    std::process::Command::new("pg_restore")
                        .args([
                            "--no-owner",
                            "--no-privileges",
                            "--exit-on-error",
                            "--dbname",
                        ])
                        .arg(&url)
                        .arg(&dump),
                    "pg_restore",
                )
            })
            .await
            .map_err(|e| AppError::internal("pg_restore", e))??;
        }
        (engine, _) => {
            return Err(AppError::Config(format!(
                "this backup is of a {engine} database; restore it into a database of the same kind"
            )));
        }
    }
    let blobs = manifest
        .files
        .iter()
        .filter(|f| f.path.starts_with("attachments/"))
        .count();
    if blobs > 0 {
        move_file(&staging.join("attachments"), &data_dir.join("attachments"))?;
    }
    let db = crate::open(url).await?;
    let v = crate::audit::verify(&db, console).await?;
    db.close().await;
    if let Some(b) = v.broken {
        return Err(AppError::internal(
            "restored, but the audit chain does not verify: do not use this database",
            format!("{b:?}"),
        ));
    }
    Ok(Restored {
        attachments: blobs,
        audit_entries: v.entries,
        seconds: started.elapsed().as_secs_f64(),
        manifest,
    })
}

/// Move a file or folder, copying when it crosses file systems.
fn move_file(from: &Path, to: &Path) -> Result<(), AppError> {
    if std::fs::rename(from, to).is_ok() {
        return Ok(());
    }
    copy_all(from, to).map_err(io("cannot place a restored file"))
}

fn copy_all(from: &Path, to: &Path) -> std::io::Result<()> {
    if from.is_dir() {
        std::fs::create_dir_all(to)?;
        for e in std::fs::read_dir(from)? {
            let e = e?;
            copy_all(&e.path(), &to.join(e.file_name()))?;
        }
        Ok(())
    } else {
        std::fs::copy(from, to)?;
        std::fs::File::open(to)?.sync_all()
    }
}

/// Keep the newest `keep` backups named `duban-backup-*.tar` in `dir`; returns how many
/// older ones were removed.
pub fn prune(dir: &Path, keep: usize) -> std::io::Result<usize> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("duban-backup-") && n.ends_with(".tar"))
        })
        .collect();
    // Names carry the time (duban-backup-YYYYMMDD-HHMMSS.tar): newest last.
    files.sort();
    let old = files.len().saturating_sub(keep);
    for f in &files[..old] {
        std::fs::remove_file(f)?;
    }
    Ok(old)
}

/// The name of a scheduled backup taken at `ms` (office time, UTC+8).
pub fn scheduled_name(ms: i64) -> String {
    let t = chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("offset"));
    format!("duban-backup-{}.tar", t.format("%Y%m%d-%H%M%S"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_keeps_the_newest() {
        let dir = std::env::temp_dir().join(format!("duban-prune-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for n in [
            "20261101-020000",
            "20261102-020000",
            "20261103-020000",
            "20261104-020000",
        ] {
            std::fs::write(dir.join(format!("duban-backup-{n}.tar")), b"x").unwrap();
        }
        std::fs::write(dir.join("notes.txt"), b"keep me").unwrap();
        assert_eq!(prune(&dir, 2).unwrap(), 2);
        let mut left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "duban-backup-20261103-020000.tar",
                "duban-backup-20261104-020000.tar",
                "notes.txt"
            ]
        );
        assert_eq!(
            scheduled_name(1_764_547_200_000),
            "duban-backup-20251201-080000.tar"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Scheduled backups, as the operator configured them (`duban.toml`, flags).
#[derive(Debug, Clone)]
pub struct Schedule {
    /// Where backups go (created when missing).
    pub dir: PathBuf,
    /// One backup per period of this many milliseconds (e.g. a day).
    pub every_ms: i64,
    /// How many to keep (the newest).
    pub keep: usize,
}

impl Schedule {
    /// Parse `30m`, `6h`, `1d` (at least 10 minutes).
    pub fn every(text: &str) -> Result<i64, String> {
        let t = text.trim();
        let (n, unit) = t.split_at(t.len().saturating_sub(1));
        let n: i64 = n
            .parse()
            .map_err(|_| format!("'{text}' is not a period such as 30m, 6h or 1d"))?;
        let ms = match unit {
            "m" => n * 60_000,
            "h" => n * 3_600_000,
            "d" => n * 86_400_000,
            _ => return Err(format!("'{text}' is not a period such as 30m, 6h or 1d")),
        };
        if ms < 600_000 {
            return Err(format!(
                "backups every {text} are too frequent: at least 10m"
            ));
        }
        Ok(ms)
    }
}

/// One tick of the schedule at `now_ms`: when this period has no backup yet and no other
/// server is taking it, take it and prune; the outcome says which.
pub async fn scheduled(
    console: &Console,
    from: Place<'_>,
    s: &Schedule,
    now_ms: i64,
) -> Result<crate::jobs::Outcome, AppError> {
    let period = (now_ms / s.every_ms).to_string();
    crate::jobs::run_once(from.db, "backup", &period, 3_600_000, || async {
        std::fs::create_dir_all(&s.dir).map_err(io("cannot create the backup folder"))?;
        let out = s.dir.join(scheduled_name(now_ms));
        let m = backup(console, from, &out).await?;
        let removed = prune(&s.dir, s.keep).map_err(io("cannot prune old backups"))?;
        Ok(format!(
            "{} ({} files, {} bytes); {removed} older removed",
            out.display(),
            m.files.len(),
            m.files.iter().map(|f| f.size).sum::<u64>()
        ))
    })
    .await
}
