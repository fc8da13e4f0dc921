//! The route table and the OpenAPI document are built by the same calls: every route is
//! added through [`Api::op`] with its documentation, and the request and query types'
//! schemas come from the Rust types (schemars), so the document cannot drift.

use crate::AppState;
use axum::Router;
use axum::routing::MethodRouter;
use schemars::{JsonSchema, SchemaGenerator, generate::SchemaSettings};
use serde_json::{Map, Value, json};

/// One operation's documentation.
pub struct Doc {
    tag: &'static str,
    summary: &'static str,
    body: Option<Value>,
    query: Vec<Value>,
    public: bool,
    raw_body: bool,
    /// The answer is a file of one of these types, not JSON.
    files: Vec<&'static str>,
    /// The answer sends the browser elsewhere (303 with a Location).
    redirect: bool,
}

pub fn doc(tag: &'static str, summary: &'static str) -> Doc {
    Doc {
        tag,
        summary,
        body: None,
        query: Vec::new(),
        public: false,
        raw_body: false,
        files: Vec::new(),
        redirect: false,
    }
}

/// Routes and their documentation, built together.
pub struct Api {
    pub router: Router<AppState>,
    paths: Map<String, Value>,
    generator: SchemaGenerator,
}

impl Default for Api {
    fn default() -> Self {
        let settings = SchemaSettings::draft2020_12().with(|s| {
            s.definitions_path = "#/components/schemas".into();
            s.meta_schema = None;
        });
        Api {
            router: Router::new(),
            paths: Map::new(),
            generator: settings.into_generator(),
        }
    }
}

impl Doc {
    /// The JSON body is a `T`.
    pub fn body<T: JsonSchema>(mut self, api: &mut Api) -> Self {
        self.body = Some(api.generator.subschema_for::<T>().to_value());
        self
    }
    /// The query string holds the fields of `T`.
    pub fn query<T: JsonSchema>(mut self, api: &mut Api) -> Self {
        let s = api.generator.root_schema_for::<T>().to_value();
        let required: Vec<&str> = s["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(props) = s["properties"].as_object() {
            for (name, schema) in props {
                self.query.push(json!({
                    "name": name, "in": "query", "required": required.contains(&name.as_str()),
                    "description": schema.get("description").cloned().unwrap_or(Value::Null),
                    "schema": schema,
                }));
            }
        }
        self
    }
    /// No login needed.
    pub fn public(mut self) -> Self {
        self.public = true;
        self
    }
    /// The body is the raw bytes of a file.
    pub fn raw_body(mut self) -> Self {
        self.raw_body = true;
        self
    }
    /// The answer is a file of one of these media types (not JSON).
    /// The answer is a redirect of the browser (303 See Other), not JSON.
    pub fn redirect(mut self) -> Self {
        self.redirect = true;
        self
    }

    pub fn file(mut self, types: &[&'static str]) -> Self {
        self.files.extend_from_slice(types);
        self
    }
}

impl Api {
    /// Add a route (`method` is lower case: get, post, put, delete).
    pub fn op(&mut self, method: &str, path: &str, handler: MethodRouter<AppState>, d: Doc) {
        let r = std::mem::take(&mut self.router);
        self.router = r.route(path, handler);
        let mut op = json!({
            "tags": [d.tag],
            "summary": d.summary,
            "operationId": format!("{method}{}", path.replace(['/', '{', '}', '-'], "_")),
            "responses": {
                "200": { "description": "OK", "content": { "application/json": {} } },
                "4XX": { "description": "Rejected; see `code`", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
            },
        });
        let mut params: Vec<Value> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "integer", "format": "int64", "minimum": 1 } }))
            .collect();
        params.extend(d.query);
        if !params.is_empty() {
            op["parameters"] = Value::Array(params);
        }
        if let Some(b) = d.body {
            op["requestBody"] =
                json!({ "required": true, "content": { "application/json": { "schema": b } } });
        }
        if d.raw_body {
            op["requestBody"] = json!({ "required": true, "content": { "application/octet-stream": { "schema": { "type": "string", "format": "binary" } } } });
        }
        if d.public {
            op["security"] = json!([]);
        }
        if !d.files.is_empty() {
            let content: Map<String, Value> = d
                .files
                .iter()
                .map(|t| {
                    (
                        t.to_string(),
                        json!({ "schema": { "type": "string", "format": "binary" } }),
                    )
                })
                .collect();
            op["responses"]["200"] = json!({ "description": "The file", "content": content });
        }
        if d.redirect {
            op["responses"] = json!({ "303": { "description": "The browser is sent on", "headers": { "Location": { "schema": { "type": "string" } } } } });
        }
        let entry = self
            .paths
            .entry(path.to_string())
            .or_insert_with(|| json!({}));
        entry[method] = op;
    }

    /// The OpenAPI 3.1 document.
    pub fn document(mut self) -> (Router<AppState>, Value) {
        let mut schemas = self.generator.take_definitions(true);
        schemas.insert(
            "Error".into(),
            json!({
                "type": "object",
                "required": ["code", "message", "message_zh"],
                "properties": {
                    "code": { "type": "string", "description": "Stable machine code: invalid_input, malformed_json, not_found, conflict, stale, illegal_transition, unauthenticated, bad_credentials, session_expired, totp_required, account_locked, password_change_required, csrf, forbidden, too_large, unsupported_media_type, internal" },
                    "message": { "type": "string" },
                    "message_zh": { "type": "string" },
                    "details": { "description": "For invalid_input: [{field, code, zh, en}]; for stale: {current}" },
                },
            }),
        );
        let doc = json!({
            "openapi": "3.1.0",
            "info": {
                "title": "duban API",
                "version": env!("CARGO_PKG_VERSION"),
                "description": "Supervision of key projects (督办). Lists take page (from 1) and page_size (1–500, default 20) and answer {total, items}. Errors are {code, message, message_zh, details}. Writes with a session cookie need the X-CSRF-Token header from the login answer; integrations use Authorization: Bearer <API token>.",
            },
            "paths": self.paths,
            "components": {
                "schemas": schemas,
                "securitySchemes": {
                    "session": { "type": "apiKey", "in": "cookie", "name": crate::SESSION_COOKIE },
                    "token": { "type": "http", "scheme": "bearer" },
                },
            },
            "security": [{ "session": [] }, { "token": [] }],
        });
        (self.router, doc)
    }
}
