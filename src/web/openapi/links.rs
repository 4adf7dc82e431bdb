//! OpenAPI `links`: how the record one operation answers feeds the next (create → read →
//! update → delete), so that a client generator or a stateful fuzzer can follow a record's
//! life without guessing which field is its id. Added to the built document, since utoipa's
//! path attributes cannot state them.

use serde_json::{json, Map, Value};

/// A record's operations, and how its id sits in the path and in the answer body.
struct Life {
    create: &'static str,
    read: &'static str,
    update: &'static str,
    delete: Option<&'static str>,
    /// The path parameter that names one record, and the body field that holds it.
    id_param: &'static str,
    id_field: &'static str,
    /// Path parameters the record's operations share with its create (`ws`, `product`).
    scope: &'static [&'static str],
}

const LIVES: &[Life] = &[
    Life {
        create: "createItem",
        read: "getItem",
        update: "updateItem",
        delete: Some("deleteItem"),
        id_param: "key",
        id_field: "key",
        scope: &["ws"],
    },
    Life {
        create: "createSprint",
        read: "getSprint",
        update: "updateSprint",
        delete: None,
        id_param: "id",
        id_field: "id",
        scope: &["ws", "product"],
    },
    Life {
        create: "createInitiative",
        read: "getInitiative",
        update: "updateInitiative",
        delete: Some("deleteInitiative"),
        id_param: "id",
        id_field: "id",
        scope: &["ws", "product"],
    },
];

/// Adds the links of every [`LIVES`] record to `doc`'s create, read and update answers.
pub fn add(doc: &mut Value) {
    for life in LIVES {
        let to_read = link(life, life.read, false);
        let mut writes = vec![(life.update, link(life, life.update, true))];
        if let Some(delete) = life.delete {
            writes.push((delete, link(life, delete, true)));
        }
        let mut from_create = vec![(life.read, to_read.clone())];
        from_create.extend(writes.iter().cloned());
        put(doc, life.create, "201", &from_create);
        put(doc, life.read, "200", &writes);
        put(doc, life.update, "200", &[(life.read, to_read)]);
    }
}

/// A link to `target` carrying the record's scope and id, and its ETag as `If-Match` when
/// `versioned`.
fn link(life: &Life, target: &str, versioned: bool) -> Value {
    let mut params = Map::new();
    for p in life.scope {
        params.insert((*p).into(), json!(format!("$request.path.{p}")));
    }
    params.insert(
        life.id_param.into(),
        json!(format!("$response.body#/{}", life.id_field)),
    );
    if versioned {
        params.insert("header.If-Match".into(), json!("$response.header.ETag"));
    }
    json!({ "operationId": target, "parameters": params })
}

/// Puts `links` (named after their target operations) on `operation`'s `status` answer.
fn put(doc: &mut Value, operation: &str, status: &str, links: &[(&str, Value)]) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let op = paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
        .find(|op| op.get("operationId").and_then(Value::as_str) == Some(operation));
    let Some(response) = op.and_then(|op| op.pointer_mut(&format!("/responses/{status}"))) else {
        // A renamed operation or status: the document test names what is missing.
        return;
    };
    let Some(response) = response.as_object_mut() else {
        return;
    };
    let map = response
        .entry("links")
        .or_insert_with(|| json!({}))
        .as_object_mut();
    if let Some(map) = map {
        for (target, l) in links {
            map.insert((*target).to_string(), l.clone());
        }
    }
}
