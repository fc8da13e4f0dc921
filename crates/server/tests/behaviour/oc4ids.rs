//! The OC4IDS export validates against the standard's project package and project
//! schemas (../shared/reference/oc4ids), on SQLite and PostgreSQL, from the API and
//! with the scope and filters of the registry.

use duban_testkit as common;

use common::{Client, spawn_app, user};
use duban_app::Db;
use duban_domain::Role;
use duban_domain::access::Scope;
use serde_json::Value;

duban_testkit::on_both!(80, oc4ids_package);

const PROJECT_SCHEMA_URI: &str =
    "https://standard.open-contracting.org/infrastructure/schema/0__9__5/project-schema.json";

fn reference(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/reference/oc4ids")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// The package schema refers to the project schema by its published URI: served here
/// from the local copy, never fetched.
struct Local(Value);

impl jsonschema::Retrieve for Local {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        if uri.as_str() == PROJECT_SCHEMA_URI {
            Ok(self.0.clone())
        } else {
            Err(format!("no local copy of {uri}").into())
        }
    }
}

/// Every error of the instance against the schema, as text.
fn errors(schema: &Value, retriever: Option<Local>, instance: &Value) -> Vec<String> {
    let mut o = jsonschema::options().should_validate_formats(true);
    if let Some(r) = retriever {
        o = o.with_retriever(r);
    }
    let v = o.build(schema).unwrap();
    v.iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

async fn oc4ids_package(db: Db) {
    user(&db, "sup", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    user(&db, "clerk", "D01", &[(Role::Reporter, Scope::Own)]).await;
    let addr = spawn_app(db.clone()).await;
    let sup = Client::login(&addr, "sup").await;
    let clerk = Client::login(&addr, "clerk").await;

    let r = sup.send("GET", "/api/v1/export/oc4ids", None).await;
    assert_eq!(r.status, 200);
    assert!(r.header("content-disposition").unwrap().contains("oc4ids"));
    let pkg: Value = serde_json::from_slice(&r.body).unwrap();
    let projects = pkg["projects"].as_array().unwrap();
    assert_eq!(projects.len(), 80);
    let package_schema = reference("project-package-schema.json");
    let project_schema = reference("project-schema.json");
    let e = errors(&package_schema, Some(Local(project_schema.clone())), &pkg);
    assert!(e.is_empty(), "package: {e:#?}");
    for p in projects {
        let e = errors(&project_schema, None, p);
        assert!(e.is_empty(), "{}: {e:#?}", p["id"]);
    }
    // The parts the issue asks for are there, not only valid.
    let has = |key: &str| projects.iter().filter(|p| p.get(key).is_some()).count();
    assert_eq!(has("status"), 80);
    assert_eq!(has("budget"), 80);
    assert_eq!(has("period"), 80);
    assert!(
        has("forecasts") > 0 && has("metrics") > 0,
        "plans and reports"
    );
    assert!(has("milestones") > 0 && has("transactions") > 0);
    let metric_ids: std::collections::BTreeSet<&str> = projects
        .iter()
        .flat_map(|p| p["metrics"].as_array().into_iter().flatten())
        .filter_map(|m| m["id"].as_str())
        .collect();
    assert_eq!(
        metric_ids.into_iter().collect::<Vec<_>>(),
        ["financialProgress", "physicalProgress"]
    );
    // A broken package is caught by the same check (the test can fail).
    let mut broken = pkg.clone();
    broken["projects"][0]["status"] = Value::from("building");
    assert!(
        !errors(
            &package_schema,
            Some(Local(project_schema.clone())),
            &broken
        )
        .is_empty()
    );

    // Scope and filters: the clerk's unit only; a status filter narrows it.
    let mine: Value =
        serde_json::from_slice(&clerk.send("GET", "/api/v1/export/oc4ids", None).await.body)
            .unwrap();
    let total = clerk.ok("/api/v1/projects?page_size=1").await["total"]
        .as_i64()
        .unwrap();
    assert_eq!(mine["projects"].as_array().unwrap().len() as i64, total);
    let built: Value = serde_json::from_slice(
        &sup.send("GET", "/api/v1/export/oc4ids?status=construction", None)
            .await
            .body,
    )
    .unwrap();
    let built = built["projects"].as_array().unwrap();
    assert!(!built.is_empty() && built.iter().all(|p| p["status"] == "implementation"));
    // An empty view is refused: a package needs one project to be valid.
    let (s, e) = sup.get("/api/v1/export/oc4ids?q=no-such-project").await;
    assert_eq!((s, common::fields(&e)), (400, vec!["q"]));
}
