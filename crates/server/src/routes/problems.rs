//! Problems (问题): recorded and assigned by supervisors, worked by the lead unit,
//! closed (销号) by a supervisor other than the resolver; deadlines and extensions.

use crate::AppState;
use crate::extract::{Allowed, Auth, Body, Ids, Q};
use crate::openapi::{Api, doc};
use crate::respond::{Res, ok};
use axum::extract::State;
use axum::routing::{get, post};
use duban_app::access::{ReadRegistry, Supervise, WorkProblems};
use duban_app::problems::{
    self, AssignInput, DecisionInput, ExtensionInput, NoteInput, ProblemInput, ProblemQuery,
    StepInput,
};

pub fn routes(x: &mut Api) {
    let d = doc("problems", "Problems in scope").query::<ProblemQuery>(x);
    x.op("get", "/api/v1/problems", get(list), d);
    let d = doc("problems", "Record a problem (supervisor)").body::<ProblemInput>(x);
    x.op("post", "/api/v1/problems", post(create), d);
    x.op(
        "get",
        "/api/v1/problems/{id}",
        get(one),
        doc(
            "problems",
            "A problem with its trail, extensions and evidence",
        ),
    );
    let d = doc(
        "problems",
        "Assign to a lead unit with a deadline (supervisor)",
    )
    .body::<AssignInput>(x);
    x.op("post", "/api/v1/problems/{id}/assign", post(assign), d);
    x.op(
        "post",
        "/api/v1/problems/{id}/acknowledge",
        post(acknowledge),
        doc("problems", "Acknowledge (lead unit)"),
    );
    x.op(
        "post",
        "/api/v1/problems/{id}/start",
        post(start),
        doc("problems", "Start rectification (lead unit)"),
    );
    let d = doc("problems", "Add a progress note").body::<NoteInput>(x);
    x.op("post", "/api/v1/problems/{id}/notes", post(note), d);
    let d = doc("problems", "Resolve with evidence (lead unit)").body::<StepInput>(x);
    x.op("post", "/api/v1/problems/{id}/resolve", post(resolve), d);
    let d = doc(
        "problems",
        "Close (销号) by a supervisor other than the resolver",
    )
    .body::<NoteInput>(x);
    x.op("post", "/api/v1/problems/{id}/close", post(close), d);
    let d = doc("problems", "Reopen with a reason (supervisor)").body::<StepInput>(x);
    x.op("post", "/api/v1/problems/{id}/reopen", post(reopen), d);
    let d = doc("problems", "Ask for a later deadline (lead unit)").body::<ExtensionInput>(x);
    x.op(
        "post",
        "/api/v1/problems/{id}/extensions",
        post(request_extension),
        d,
    );
    let d = doc("problems", "Approve or reject an extension (supervisor)").body::<DecisionInput>(x);
    x.op(
        "post",
        "/api/v1/problems/{id}/extensions/{ext}/decide",
        post(decide_extension),
        d,
    );
}

async fn list(
    State(s): State<AppState>,
    Allowed(can): Allowed<ReadRegistry>,
    Q(q): Q<ProblemQuery>,
) -> Res {
    ok(problems::list(&s.db, &can, &q).await?)
}
async fn create(
    State(s): State<AppState>,
    Allowed(can): Allowed<Supervise>,
    Body(b): Body<ProblemInput>,
) -> Res {
    ok(problems::create(&s.db, &can, &b).await?)
}
async fn one(State(s): State<AppState>, Allowed(can): Allowed<ReadRegistry>, id: Ids) -> Res {
    ok(problems::get(&s.db, &can, id.one()).await?)
}
async fn assign(
    State(s): State<AppState>,
    Allowed(can): Allowed<Supervise>,
    id: Ids,
    Body(b): Body<AssignInput>,
) -> Res {
    ok(problems::assign(&s.db, &can, id.one(), &b).await?)
}
async fn acknowledge(
    State(s): State<AppState>,
    Allowed(can): Allowed<WorkProblems>,
    id: Ids,
) -> Res {
    ok(problems::acknowledge(&s.db, &can, id.one()).await?)
}
async fn start(State(s): State<AppState>, Allowed(can): Allowed<WorkProblems>, id: Ids) -> Res {
    ok(problems::start(&s.db, &can, id.one()).await?)
}
/// Notes come from the units working on the problem (`WorkProblems`) or from
/// supervisors (`Supervise`): the handler tries the first, then the second.
async fn note(State(s): State<AppState>, a: Auth, id: Ids, Body(b): Body<NoteInput>) -> Res {
    match a.caller.can::<WorkProblems>() {
        Ok(can) => ok(problems::note(&s.db, &can, id.one(), &b).await?),
        Err(_) => ok(problems::note(&s.db, &a.caller.can::<Supervise>()?, id.one(), &b).await?),
    }
}
async fn resolve(
    State(s): State<AppState>,
    Allowed(can): Allowed<WorkProblems>,
    id: Ids,
    Body(b): Body<StepInput>,
) -> Res {
    ok(problems::resolve(&s.db, &can, id.one(), &b).await?)
}
async fn close(
    State(s): State<AppState>,
    Allowed(can): Allowed<Supervise>,
    id: Ids,
    Body(b): Body<NoteInput>,
) -> Res {
    ok(problems::close(&s.db, &can, id.one(), &b).await?)
}
async fn reopen(
    State(s): State<AppState>,
    Allowed(can): Allowed<Supervise>,
    id: Ids,
    Body(b): Body<StepInput>,
) -> Res {
    ok(problems::reopen(&s.db, &can, id.one(), &b).await?)
}
async fn request_extension(
    State(s): State<AppState>,
    Allowed(can): Allowed<WorkProblems>,
    id: Ids,
    Body(b): Body<ExtensionInput>,
) -> Res {
    ok(problems::request_extension(&s.db, &can, id.one(), &b).await?)
}
async fn decide_extension(
    State(s): State<AppState>,
    Allowed(can): Allowed<Supervise>,
    ids: Ids,
    Body(b): Body<DecisionInput>,
) -> Res {
    let (id, ext) = ids.two();
    ok(problems::decide_extension(&s.db, &can, id, ext, &b).await?)
}
