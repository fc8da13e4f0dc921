//! The OpenAPI document says what the server accepts (issue 18, point 8): a schema-based
//! probe, as a fuzzer would send. For every operation with a JSON body, each field is
//! given the edge values its schema allows (an empty text where no `minLength` is
//! declared, zero, a negative and a huge number where no range is); the server must not
//! refuse, naming that field, a value the document allows. And where the document
//! forbids a value (`minLength`, `minimum`, `maximum`), the server refuses it.

use duban_testkit as common;

use common::{Client, spawn_app};
use duban_app::Db;
use duban_domain::Role;
use duban_domain::access::Scope;
use serde_json::{Map, Value, json};

duban_testkit::on_both!(40, the_document_says_what_the_server_requires);

/// Paths not probed: signing in and out and one's own credentials (a probe would end its
/// own session), the first run.
fn skipped(path: &str) -> bool {
    path.starts_with("/api/v1/auth/") || path.starts_with("/api/v1/setup")
}

/// Field error codes that say a referenced object does not exist (or is out of the
/// caller's reach), not that the value's form is wrong.
const EXISTENCE: &[&str] = &["unknown", "not_found", "out_of_scope"];

/// How the server's answer to one probe disagrees with the document, if it does: it
/// refused, naming the field, a value the document allows (refusals of a reference to
/// what does not exist excepted: no schema can say those), or it accepted a value the
/// document forbids (a 404 for the probe's id is no acceptance).
fn judge(r: &common::Resp, field: &str, allowed: bool) -> Option<String> {
    let named = r.status == 400
        && serde_json::from_slice::<Value>(&r.body).is_ok_and(|e| {
            e["details"].as_array().is_some_and(|ds| {
                ds.iter().any(|d| {
                    let f = d["field"].as_str().unwrap_or_default();
                    (f == field || f.starts_with(&format!("{field}.")))
                        && !EXISTENCE.contains(&d["code"].as_str().unwrap_or(""))
                })
            })
        });
    if allowed && named {
        return Some(format!(
            "refused, the document allows it: {}",
            String::from_utf8_lossy(&r.body)
        ));
    }
    (!allowed && r.status < 300).then(|| "accepted, the document forbids it".to_string())
}

struct Doc<'a> {
    schemas: &'a Map<String, Value>,
}

impl Doc<'_> {
    /// A schema with `$ref` and `Option`'s `anyOf [T, null]` resolved.
    fn resolve<'b>(&'b self, s: &'b Value) -> &'b Value {
        if let Some(r) = s["$ref"].as_str() {
            let name = r.rsplit('/').next().unwrap();
            return self.resolve(&self.schemas[name]);
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(alts) = s[key].as_array()
                && let Some(t) = alts.iter().find(|a| a["type"] != "null")
            {
                return self.resolve(t);
            }
        }
        s
    }

    fn kind(s: &Value) -> &str {
        match &s["type"] {
            Value::String(t) => t,
            Value::Array(ts) => ts
                .iter()
                .filter_map(Value::as_str)
                .find(|t| *t != "null")
                .unwrap_or(""),
            _ => "",
        }
    }

    /// A value the schema allows, as plain as can be.
    fn sample(&self, s: &Value) -> Value {
        let s = self.resolve(s);
        if let Some(e) = s["enum"].as_array() {
            return e[0].clone();
        }
        if let Some(c) = s.get("const") {
            return c.clone();
        }
        match Self::kind(s) {
            "string" => match s["format"].as_str() {
                Some("date") => json!("2025-10-01"),
                _ => {
                    let min = s["minLength"].as_u64().unwrap_or(0).max(1) as usize;
                    json!("x".repeat(min))
                }
            },
            "integer" | "number" => json!(s["minimum"].as_i64().unwrap_or(1).max(1)),
            "boolean" => json!(false),
            "array" => json!([]),
            "object" => {
                let mut o = Map::new();
                if let Some(props) = s["properties"].as_object() {
                    for (k, v) in props {
                        o.insert(k.clone(), self.sample(v));
                    }
                }
                Value::Object(o)
            }
            _ => Value::Null,
        }
    }
}

/// The values a fuzzer would try for a field: those the schema allows at its edges, and
/// those it forbids.
fn edges(s: &Value) -> (Vec<Value>, Vec<Value>) {
    let (mut allowed, mut forbidden) = (Vec::new(), Vec::new());
    if s.get("enum").is_some() || s.get("pattern").is_some() {
        return (allowed, forbidden);
    }
    match Doc::kind(s) {
        "string" if s.get("format").is_some() => {}
        "string" => match s["minLength"].as_u64() {
            Some(n) if n >= 1 => forbidden.push(json!("")),
            _ => allowed.push(json!("")),
        },
        "integer" => {
            match s["minimum"].as_i64() {
                Some(m) => {
                    allowed.push(json!(m));
                    forbidden.push(json!(m - 1));
                }
                None => allowed.extend([json!(0), json!(-1)]),
            }
            match s["maximum"].as_i64() {
                Some(m) => {
                    allowed.push(json!(m));
                    forbidden.push(json!(m + 1));
                }
                None => allowed.push(json!(1_000_000_000_i64)),
            }
        }
        _ => {}
    }
    (allowed, forbidden)
}

async fn the_document_says_what_the_server_requires(db: Db) {
    let all = [
        (Role::Admin, Scope::Global),
        (Role::Supervisor, Scope::All),
        (Role::Approver, Scope::All),
        (Role::Reporter, Scope::All),
        (Role::Leader, Scope::All),
        (Role::Reviewer, Scope::All),
    ];
    common::user(&db, "probe", "XJBT", &all).await;
    let addr = spawn_app(db).await;
    let c = Client::login(&addr, "probe").await;
    let (_, doc) = Client::anonymous(&addr).get("/api/openapi.json").await;
    let d = Doc {
        schemas: doc["components"]["schemas"].as_object().unwrap(),
    };
    let mut mismatches = Vec::new();
    let mut probes = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        if skipped(path) {
            continue;
        }
        for (method, op) in ops.as_object().unwrap() {
            let url = path.replace("{id}", "1").replace(['{', '}'], "");
            // The query's parameters, each at its edges, the required ones given.
            let params: Vec<&Value> = op["parameters"]
                .as_array()
                .map(|ps| ps.iter().filter(|p| p["in"] == "query").collect())
                .unwrap_or_default();
            let encode = |v: &Value| match v {
                Value::String(s) => url::form_urlencoded::byte_serialize(s.as_bytes()).collect(),
                v => v.to_string(),
            };
            let base: Vec<String> = params
                .iter()
                .filter(|p| p["required"] == true)
                .map(|p| {
                    format!(
                        "{}={}",
                        p["name"].as_str().unwrap(),
                        encode(&d.sample(&p["schema"]))
                    )
                })
                .collect();
            for p in &params {
                let name = p["name"].as_str().unwrap();
                let (allowed, forbidden) = edges(d.resolve(&p["schema"]));
                for (value, should_pass) in allowed
                    .into_iter()
                    .map(|v| (v, true))
                    .chain(forbidden.into_iter().map(|v| (v, false)))
                {
                    let mut q: Vec<String> = base
                        .iter()
                        .filter(|b| !b.starts_with(&format!("{name}=")))
                        .cloned()
                        .collect();
                    q.push(format!("{name}={}", encode(&value)));
                    let target = format!("{url}?{}", q.join("&"));
                    let r = c.send(&method.to_uppercase(), &target, None).await;
                    probes += 1;
                    if let Some(m) = judge(&r, name, should_pass) {
                        mismatches.push(format!("{method} {path}?{name}={value}: {m}"));
                    }
                }
            }
            let Some(schema) = op["requestBody"]["content"]["application/json"].get("schema")
            else {
                continue;
            };
            let schema = d.resolve(schema);
            let Some(props) = schema["properties"].as_object() else {
                continue;
            };
            let base = d.sample(schema);
            // Each field, and each field of a field that is an object.
            let mut targets: Vec<(Vec<String>, &Value)> = Vec::new();
            for (field, p) in props {
                targets.push((vec![field.clone()], p));
                if let Some(inner) = d.resolve(p)["properties"].as_object() {
                    for (sub, q) in inner {
                        targets.push((vec![field.clone(), sub.clone()], q));
                    }
                }
            }
            for (at, p) in targets {
                let field = at.join(".");
                let (allowed, forbidden) = edges(d.resolve(p));
                for (value, should_pass) in allowed
                    .into_iter()
                    .map(|v| (v, true))
                    .chain(forbidden.into_iter().map(|v| (v, false)))
                {
                    let mut body = base.clone();
                    let slot = at.iter().fold(&mut body, |v, k| &mut v[k.as_str()]);
                    *slot = value.clone();
                    let r = c.send(&method.to_uppercase(), &url, Some(&body)).await;
                    probes += 1;
                    if let Some(m) = judge(&r, &field, should_pass) {
                        mismatches.push(format!("{method} {path} {field} = {value}: {m}"));
                    }
                }
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {probes} probes disagree:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert!(probes > 300, "{probes} probes");
}
