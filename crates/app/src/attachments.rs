//! Attachments: photos and documents on reports, problems and inspections. The bytes
//! are stored once under `DATA_DIR/attachments/` by SHA-256 (written to a temporary file,
//! synced, then renamed, so a crash never leaves a half file under a real name); type
//! and size are checked; a file is served only to users whose scope covers its object.

use crate::access::{Caller, Can, ReadRegistry};
use crate::{AppError, audit, settings};
use duban_domain::ids::ProjectId;
use duban_domain::ids::{ProblemId, ReportId};
use duban_store::attachments::{self as store, Attachment};
use duban_store::{Db, now_ms, problems, projects, reports};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Accepted types: extension, MIME type, and the leading bytes the content must have.
const TYPES: &[(&str, &str, &[u8])] = &[
    ("jpg", "image/jpeg", b"\xff\xd8\xff"),
    ("jpeg", "image/jpeg", b"\xff\xd8\xff"),
    ("png", "image/png", b"\x89PNG\r\n\x1a\n"),
    ("webp", "image/webp", b"RIFF"),
    ("pdf", "application/pdf", b"%PDF-"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
    ),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        b"PK\x03\x04",
    ),
    ("txt", "text/plain; charset=utf-8", b""),
];

/// The MIME type of an accepted file, or why it is refused.
pub fn classify(name: &str, bytes: &[u8]) -> Result<&'static str, AppError> {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let Some(&(_, mime, magic)) = TYPES.iter().find(|t| t.0 == ext) else {
        return Err(AppError::Unsupported(format!(
            "'.{ext}' files are not accepted; use jpg, png, webp, pdf, docx, xlsx or txt"
        )));
    };
    let content_ok = if ext == "txt" {
        std::str::from_utf8(bytes).is_ok()
    } else {
        bytes.starts_with(magic)
    };
    if !content_ok {
        return Err(AppError::Unsupported(format!(
            "the content of '{name}' is not a .{ext} file"
        )));
    }
    Ok(mime)
}

/// Where the bytes of a digest live.
pub fn path_of(dir: &Path, sha256: &str) -> PathBuf {
    dir.join("attachments")
        .join(&sha256[..2])
        .join(&sha256[2..])
}

fn write_blob(dir: &Path, sha: &str, bytes: &[u8]) -> std::io::Result<()> {
    let target = path_of(dir, sha);
    if target.exists() {
        return Ok(());
    }
    let folder = target.parent().expect("has a parent");
    std::fs::create_dir_all(folder)?;
    let tmp = folder.join(format!(".{}.{}.tmp", &sha[2..], std::process::id()));
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, &target)?;
    std::fs::File::open(folder)?.sync_all()
}

/// What a file may be attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Report,
    Problem,
    Inspection,
}

impl Target {
    pub const fn code(self) -> &'static str {
        match self {
            Target::Report => "report",
            Target::Problem => "problem",
            Target::Inspection => "inspection",
        }
    }
    /// Parse the `object_type` a client sends.
    pub fn parse(s: &str) -> Result<Target, AppError> {
        [Target::Report, Target::Problem, Target::Inspection]
            .into_iter()
            .find(|t| t.code() == s)
            .ok_or_else(|| {
                duban_domain::FieldError::new(
                    "object_type",
                    "unknown_code",
                    format!("“{s}”无效，应为 report、problem 或 inspection"),
                    format!("'{s}' is not report, problem or inspection"),
                )
                .into()
            })
    }
}

/// The unit that owns an object, and whether the caller may attach to it: a report
/// needs `DraftReports` over its project's unit, an inspection `Supervise` over its
/// unit, a problem `Supervise` or `WorkProblems` over its lead unit.
async fn owner(db: &Db, caller: &Caller, target: Target, id: i64) -> Result<i64, AppError> {
    let missing = AppError::NotFound { what: "object" };
    match target {
        Target::Report => {
            let r = reports::get(db, ReportId::new(id))
                .await
                .map_err(|_| AppError::NotFound { what: "object" })?;
            let unit = projects::unit_of(db, r.project_id).await?.ok_or(missing)?;
            caller
                .can::<crate::access::DraftReports>()?
                .check(unit, "object")?;
            Ok(unit)
        }
        Target::Problem => {
            let p = problems::get(db, ProblemId::new(id))
                .await
                .map_err(|_| AppError::NotFound { what: "object" })?;
            let sup = caller.can::<crate::access::Supervise>().ok().filter(|c| {
                c.reach().covers(p.lead_unit_id.unwrap_or(-1))
                    || *c.reach() == duban_domain::access::Reach::All
            });
            let work = caller
                .can::<crate::access::WorkProblems>()
                .ok()
                .filter(|c| p.lead_unit_id.is_some_and(|u| c.reach().covers(u)));
            if sup.is_none() && work.is_none() {
                return Err(missing);
            }
            match p.lead_unit_id {
                Some(u) => Ok(u),
                None => Ok(caller.actor.unit_id),
            }
        }
        Target::Inspection => {
            let i = duban_store::inspections::get(db, id)
                .await
                .map_err(|_| AppError::NotFound { what: "object" })?;
            caller
                .can::<crate::access::Supervise>()?
                .check(i.unit_id, "object")?;
            Ok(i.unit_id)
        }
    }
}

/// Store an upload for an object the caller may work on.
pub async fn upload(
    db: &Db,
    dir: &Path,
    caller: &Caller,
    target: Target,
    object_id: i64,
    name: &str,
    bytes: &[u8],
) -> Result<Attachment, AppError> {
    let limit = settings::get(db).await?.max_upload_mib * 1024 * 1024;
    if bytes.len() as u64 > limit {
        return Err(AppError::TooLarge { limit });
    }
    if bytes.is_empty() {
        return Err(duban_domain::FieldError::new(
            "file",
            "empty",
            "文件为空",
            "the file is empty",
        )
        .into());
    }
    let name = duban_domain::text::field("name", name, 200, true)?;
    if name.contains(['/', '\\', '\0']) {
        return Err(duban_domain::FieldError::new(
            "name",
            "path",
            "文件名不能包含路径",
            "a file name cannot contain a path",
        )
        .into());
    }
    let mime = classify(&name, bytes)?;
    let unit = owner(db, caller, target, object_id).await?;
    let sha = data_encoding::HEXLOWER.encode(&Sha256::digest(bytes));
    {
        let (dir, sha, bytes) = (dir.to_path_buf(), sha.clone(), bytes.to_vec());
        tokio::task::spawn_blocking(move || write_blob(&dir, &sha, &bytes))
            .await
            .map_err(|e| AppError::internal("background task", e))?
            .map_err(|e| AppError::internal("cannot store the attachment", e))?;
    }
    let mut a = Attachment {
        id: 0,
        sha256: sha,
        name,
        mime: mime.into(),
        size: bytes.len() as i64,
        object_type: target.code().into(),
        object_id,
        unit_id: unit,
        uploaded_by: caller.actor.user_id.get(),
        uploaded_at: now_ms(),
    };
    let mut w = caller.can::<ReadRegistry>()?.write(db).await?;
    a.id = store::insert(w.tx(), &a).await?;
    w.audit(
        "attachment.upload",
        "attachment",
        a.id,
        audit::NONE,
        Some(&a),
    );
    w.commit().await?;
    Ok(a)
}

/// An attachment's record and bytes, if the caller's scope covers its unit.
pub async fn download(
    db: &Db,
    dir: &Path,
    can: &Can<ReadRegistry>,
    id: i64,
) -> Result<(Attachment, Vec<u8>), AppError> {
    let a = store::get(db, id)
        .await
        .map_err(|_| AppError::NotFound { what: "attachment" })?;
    can.check(a.unit_id, "attachment")?;
    // A draft report's files are seen by those who see the draft: its unit's clerks.
    if a.object_type == "report" && !can.caller().sees_unapproved_at(a.unit_id) {
        let r = reports::get(db, ReportId::new(a.object_id))
            .await
            .map_err(|_| AppError::NotFound { what: "attachment" })?;
        if r.state != duban_domain::report::ReportState::Approved {
            return Err(AppError::NotFound { what: "attachment" });
        }
    }
    let bytes = tokio::fs::read(path_of(dir, &a.sha256))
        .await
        .map_err(|e| AppError::internal(format!("attachment {id} is missing on disk"), e))?;
    Ok((a, bytes))
}

/// The files of a project the caller may open: those of its approved reports (and of
/// drafts for the unit's own clerks), of its problems and of the inspections that
/// visited it, each within the caller's reach.
pub async fn for_project(
    db: &Db,
    can: &Can<ReadRegistry>,
    project_id: ProjectId,
) -> Result<Vec<Attachment>, AppError> {
    crate::registry::project(db, can, project_id).await?;
    Ok(store::for_project(db, project_id.get())
        .await?
        .into_iter()
        .filter(|(a, report_state)| {
            can.reach().covers(a.unit_id)
                && report_state.as_deref().is_none_or(|s| {
                    s == duban_domain::report::ReportState::Approved.code()
                        || can.caller().sees_unapproved_at(a.unit_id)
                })
        })
        .map(|(a, _)| a)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn types_are_checked_by_name_and_content() {
        assert_eq!(
            classify("现场.JPG", b"\xff\xd8\xff\xe0rest").unwrap(),
            "image/jpeg"
        );
        assert!(
            classify("x.png", b"\xff\xd8\xff").is_err(),
            "a jpeg named .png"
        );
        assert!(classify("x.exe", b"MZ").is_err());
        assert!(classify("noext", b"").is_err());
        assert!(classify("a.txt", &[0xff, 0xfe]).is_err());
        assert!(classify("a.pdf", b"%PDF-1.7").is_ok());
    }
}
