//! The audit log and the check of its hash chain (auditors).

use crate::AppState;
use crate::extract::{Allowed, Q};
use crate::openapi::{Api, doc};
use crate::respond::{Res, ok};
use axum::extract::State;
use axum::routing::get;
use duban_app::access::ReadAudit;
use duban_app::audit;

pub fn routes(x: &mut Api) {
    let d = doc(
        "audit",
        "The audit log, newest first (login attempts: action=login)",
    )
    .query::<audit::AuditQuery>(x);
    x.op("get", "/api/v1/audit", get(list), d);
    x.op(
        "get",
        "/api/v1/audit/verify",
        get(verify),
        doc(
            "audit",
            "Verify the SM3 hash chain of the audit log, and the chain against the signed anchors kept outside the database",
        ),
    );
}

async fn list(
    State(s): State<AppState>,
    Allowed(can): Allowed<ReadAudit>,
    Q(q): Q<audit::AuditQuery>,
) -> Res {
    ok(audit::list(&s.db, &can, &q).await?)
}
async fn verify(State(s): State<AppState>, Allowed(can): Allowed<ReadAudit>) -> Res {
    ok(audit::verify_anchored(&s.db, &can, &s.data_dir.join("audit-anchors.log")).await?)
}
