//! Priority tiers on the backlog (G2): flagged in advisory mode, refused in strict mode unless
//! the PO records an exemption, which the PM may revoke.

use crate::support;

use support::session::page_text;

use serde_json::{json, Value};
use support::scrum::*;
use support::{spawn_app, Caller, TestApp};

fn this_quarter() -> String {
    let d = chrono::Utc::now().date_naive();
    use chrono::Datelike;
    format!("{}-Q{}", d.year(), d.month0() / 3 + 1)
}

async fn strategy(app: &TestApp, pm: &Caller) -> (Value, Value, Vec<Value>) {
    let q = this_quarter();
    let o = json_ok(
        app.post(
            pm,
            &format!("{P}/objectives"),
            json!({"quarter": q, "title": "Grow"}),
        )
        .await,
        201,
    )
    .await["id"]
        .clone();
    let mut ids = Vec::new();
    for t in ["Activation", "Imports"] {
        ids.push(json_ok(app.post(pm, &format!("{P}/priorities"), json!({"quarter": q, "title": t, "objectives": [o], "reason": "quarter planning"})).await, 201).await["id"].clone());
    }
    let i1 = json_ok(
        app.post(
            pm,
            &format!("{P}/initiatives"),
            json!({"title": "Guided setup", "status": "planned", "priorities": [ids[0]]}),
        )
        .await,
        201,
    )
    .await["id"]
        .clone();
    let i2 = json_ok(
        app.post(
            pm,
            &format!("{P}/initiatives"),
            json!({"title": "Jira import", "status": "planned", "priorities": [ids[1]]}),
        )
        .await,
        201,
    )
    .await["id"]
        .clone();
    (i1, i2, ids)
}

async fn flags(app: &TestApp, who: &Caller) -> Vec<(String, Option<i64>, Option<String>)> {
    flags_of(app, who, "").await
}

/// Each listed item's key, tier and inversion for the backlog query `q` (URL-encoded).
async fn flags_of(
    app: &TestApp,
    who: &Caller,
    q: &str,
) -> Vec<(String, Option<i64>, Option<String>)> {
    let v: Value = json_ok(
        app.get(who, &format!("{P}/items?limit=500&q={q}")).await,
        200,
    )
    .await;
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["key"].as_str().unwrap().to_string(),
                i["tier"].as_i64(),
                i["inversion"].as_str().map(str::to_string),
            )
        })
        .collect()
}

async fn move_to_top(
    app: &TestApp,
    who: &Caller,
    key: &str,
    exemption: Option<&str>,
) -> reqwest::Response {
    let mut body = json!({"to": "top"});
    if let Some(e) = exemption {
        body["exemption"] = json!(e);
    }
    app.post(
        who,
        &format!("/api/v1/workspaces/acme/items/{key}/move"),
        body,
    )
    .await
}

/// ONB with priorities Activation and Imports this quarter and a backlog a (Guided setup, tier
/// 1), b (Jira import, tier 2), c (no initiative); Olive is PO, Dana a developer.
struct Tiers {
    app: TestApp,
    owner: Caller,
    po: Caller,
    dev: Caller,
    prios: Vec<Value>,
    a: String,
    b: String,
    c: String,
}

impl Tiers {
    async fn backlog() -> Tiers {
        let app = spawn_app().await; // owner: pm, po, dev
        let owner = app.workspace().await;
        let po = app.member(&owner, "Olive", &["po"]).await;
        let dev = app.member(&owner, "Dana", &["dev"]).await;
        let (i1, i2, prios) = strategy(&app, &owner).await;
        let a = app.story_in(&owner, "guided setup step", &i1).await;
        let b = app.story_in(&owner, "map jira fields", &i2).await;
        let c = app.story(&owner, "dark mode").await["key"]
            .as_str()
            .unwrap()
            .to_string();
        Tiers {
            app,
            owner,
            po,
            dev,
            prios,
            a,
            b,
            c,
        }
    }

    /// The backlog after the PO moved c to the top in advisory mode, now strict.
    async fn strict() -> Tiers {
        let t = Tiers::backlog().await;
        assert_eq!(t.po_moves_to_top(&t.c, None).await.status(), 200);
        assert_eq!(
            t.app.set_tier_policy(&t.owner, "strict").await.status(),
            204
        );
        t
    }

    /// Strict, with a moved to the top and then b above it by the PO's exemption; the
    /// exemption's id.
    async fn exempted() -> (Tiers, i64) {
        let t = Tiers::strict().await;
        assert_eq!(t.po_moves_to_top(&t.a, None).await.status(), 200);
        let r = t
            .po_moves_to_top(&t.b, Some("the Jira deadline is contractual"))
            .await;
        assert_eq!(r.status(), 200);
        let ex = t.exemptions().await;
        let id = ex[0]["id"].as_i64().unwrap();
        (t, id)
    }

    /// Exempted, and the exemption revoked by the PM.
    async fn revoked() -> Tiers {
        let (t, id) = Tiers::exempted().await;
        let r = t
            .app
            .post(
                &t.owner,
                &format!("{P}/exemptions/{id}/revoke"),
                json!({"reason": "the deadline moved"}),
            )
            .await;
        assert_eq!(r.status(), 204);
        t
    }

    async fn po_moves_to_top(&self, key: &str, exemption: Option<&str>) -> reqwest::Response {
        move_to_top(&self.app, &self.po, key, exemption).await
    }

    async fn flags(&self) -> Vec<(String, Option<i64>, Option<String>)> {
        flags(&self.app, &self.po).await
    }

    async fn exemptions(&self) -> Value {
        json_ok(
            self.app.get(&self.po, &format!("{P}/exemptions")).await,
            200,
        )
        .await
    }

    async fn tier_policy(&self) -> Value {
        json_ok(self.app.get(&self.po, &format!("{P}/tiers")).await, 200).await["tier_policy"]
            .clone()
    }

    /// A PUT of ONB's tier settings by `who` with `body`, sending `etag` in If-Match if any.
    async fn put_tiers(
        &self,
        who: &Caller,
        etag: Option<String>,
        body: Value,
    ) -> reqwest::Response {
        let mut r = self
            .app
            .req(who, reqwest::Method::PUT, &format!("{P}/tiers"));
        if let Some(etag) = etag {
            r = r.header("If-Match", etag);
        }
        r.json(&body).send().await.unwrap()
    }

    /// The PM reorders the priorities: Imports to the top.
    async fn imports_to_the_top(&self) {
        let r = self
            .app
            .post(
                &self.owner,
                &format!("{P}/priorities/{}/move", self.prios[1]),
                json!({"to": "top", "reason": "Jira deadline"}),
            )
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }
}

#[tokio::test]
async fn items_take_the_tier_of_their_initiatives_priority() {
    let t = Tiers::backlog().await;
    assert_eq!(
        t.flags().await,
        vec![
            (t.a.clone(), Some(1), None),
            (t.b.clone(), Some(2), None),
            (t.c.clone(), None, None)
        ]
    );
}

#[tokio::test]
async fn an_advisory_move_is_made_and_flags_the_inversion() {
    let t = Tiers::backlog().await;
    // Advisory: the move is allowed and the inversion flagged with the item it sits above.
    assert_eq!(t.po_moves_to_top(&t.c, None).await.status(), 200);
    assert_eq!(t.flags().await[0], (t.c.clone(), None, Some(t.a.clone())));
}

#[tokio::test]
async fn only_the_pm_sets_a_valid_tier_policy_on_the_products_current_version() {
    let t = Tiers::backlog().await;
    let (app, owner) = (&t.app, &t.owner);
    assert_eq!(t.po_moves_to_top(&t.c, None).await.status(), 200);
    // Strict (the PM's setting).
    let strict = json!({"tier_policy": "strict", "unaligned_allowance_pct": 20});
    let etag = Some(app.product_etag(owner).await);
    assert_eq!(t.put_tiers(&t.po, etag, strict.clone()).await.status(), 403);
    let etag = Some(app.product_etag(owner).await);
    let bad = t
        .put_tiers(
            owner,
            etag,
            json!({"tier_policy": "lenient", "unaligned_allowance_pct": 20}),
        )
        .await;
    assert_eq!(json_ok(bad, 422).await["field"], "tier_policy");
    let etag = Some(app.product_etag(owner).await);
    let bad = t
        .put_tiers(
            owner,
            etag,
            json!({"tier_policy": "strict", "unaligned_allowance_pct": 95}),
        )
        .await;
    assert_eq!(json_ok(bad, 422).await["field"], "unaligned_allowance_pct");
    let etag = Some(app.product_etag(owner).await);
    assert_eq!(t.put_tiers(owner, etag, strict).await.status(), 204);
    // The settings are guarded by the product's version: a stale or missing If-Match changes
    // nothing.
    let advisory = json!({"tier_policy": "advisory", "unaligned_allowance_pct": 20});
    let stale = t
        .put_tiers(owner, Some("\"1\"".into()), advisory.clone())
        .await;
    assert_eq!(stale.status(), 412);
    let missing = t.put_tiers(owner, None, advisory).await;
    assert_eq!(missing.status(), 428);
    assert_eq!(t.tier_policy().await, "strict");
}

#[tokio::test]
async fn strict_mode_refuses_a_po_move_that_creates_an_inversion_naming_both() {
    let t = Tiers::strict().await;
    let (a, b) = (&t.a, &t.b);
    // A PO move that creates an inversion is refused, naming both.
    let before = t.app.order(&t.po).await;
    let e = json_ok(t.po_moves_to_top(b, None).await, 409).await;
    let detail = e["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!(
            "{b} (tier 2 (Imports)) would sit above {a} (tier 1 (Activation))"
        )),
        "{detail}"
    );
    assert_eq!(t.app.order(&t.po).await, before, "nothing moved");
    // A move that keeps tier order is fine in strict mode too.
    assert_eq!(t.po_moves_to_top(a, None).await.status(), 200);
}

#[tokio::test]
async fn an_exempt_move_is_made_listed_and_not_flagged_and_only_the_po_exempts() {
    let t = Tiers::strict().await;
    let (app, po, b) = (&t.app, &t.po, &t.b);
    assert_eq!(t.po_moves_to_top(&t.a, None).await.status(), 200);
    // With an exemption and its reason, the move is made; the exemption is listed and audited.
    assert_eq!(
        t.po_moves_to_top(b, Some("the Jira deadline is contractual"))
            .await
            .status(),
        200
    );
    assert_eq!(app.order(po).await[0], *b);
    let ex = t.exemptions().await;
    assert_eq!(ex[0]["key"], b.as_str());
    assert_eq!(ex[0]["reason"], "the Jira deadline is contractual");
    assert_eq!(
        t.flags().await[0],
        (b.clone(), Some(2), None),
        "an exempt item is not flagged"
    );
    let exempt_item = format!("/api/v1/workspaces/acme/items/{}/exemption", t.c);
    assert_eq!(
        app.post(&t.dev, &exempt_item, json!({"reason": "x"}))
            .await
            .status(),
        403,
        "only the PO exempts"
    );
    assert_eq!(
        json_ok(
            app.post(po, &exempt_item, json!({"reason": " "})).await,
            422
        )
        .await["field"],
        "reason"
    );
}

#[tokio::test]
async fn only_the_pm_revokes_an_exemption_and_the_item_is_held_to_tier_order_again() {
    let (t, id) = Tiers::exempted().await;
    // Only the PM revokes; then the item is held to tier order again.
    let revoke = format!("{P}/exemptions/{id}/revoke");
    assert_eq!(
        t.app
            .post(&t.po, &revoke, json!({"reason": "no"}))
            .await
            .status(),
        403
    );
    assert_eq!(
        t.app
            .post(&t.owner, &revoke, json!({"reason": "the deadline moved"}))
            .await
            .status(),
        204
    );
    assert_eq!(t.flags().await[0].2, Some(t.a.clone()));
    let ex = t.exemptions().await;
    assert_eq!(ex[0]["revoke_reason"], "the deadline moved");
}

#[tokio::test]
async fn reordered_priorities_move_the_tiers_and_tell_the_po_of_inversions() {
    let t = Tiers::revoked().await;
    let (app, po) = (&t.app, &t.po);
    // The PM reorders the priorities: tiers follow at once and the PO hears how many inversions
    // the backlog now has.
    let before = json_ok(app.get(po, "/api/v1/inbox").await, 200).await["unread"]
        .as_i64()
        .unwrap();
    t.imports_to_the_top().await;
    let inbox = json_ok(app.get(po, "/api/v1/inbox").await, 200).await;
    assert_eq!(inbox["unread"].as_i64().unwrap(), before + 1);
    let title = inbox["notifications"][0]["title"].as_str().unwrap();
    assert!(
        title.contains("reordered the priorities") && title.contains("inversion"),
        "{title}"
    );
    // Now Imports is tier 1 and Activation tier 2: the order b, a, c has no inversion left.
    let f = t.flags().await;
    assert_eq!((f[0].1, f[1].1), (Some(1), Some(2)), "{f:?}");
}

#[tokio::test]
async fn the_pm_sets_the_tier_policy_on_the_alignment_tab() {
    let t = Tiers::revoked().await;
    t.imports_to_the_top().await;
    let app = &t.app;
    // The PM's forms for tier order live on the Alignment tab.
    let (client, csrf) = support::session::sign_in(app, &t.owner.email).await;
    let html = page_text(&client, app, "/w/acme/p/ONB/alignment").await;
    assert!(
        html.contains("id=\"tier-policy\">strict<") && html.contains("revoked: the deadline moved"),
        "{html}"
    );
    let version = support::session::between(&html, "name=\"version\" value=\"", "\"")
        .unwrap()
        .to_string();
    let post = |version: String| {
        client
            .post(app.url("/w/acme/p/ONB/tiers"))
            .form(&[
                ("csrf", csrf.clone()),
                ("version", version),
                ("tier_policy", "advisory".into()),
                ("unaligned_allowance_pct", "30".into()),
            ])
            .send()
    };
    // A form read before someone else's change is refused and changes nothing.
    let r = post("1".into()).await.unwrap();
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        to.contains("error=") && to.contains("changed+by+someone+else"),
        "{to}"
    );
    assert_eq!(t.tier_policy().await, "strict");
    let r = post(version).await.unwrap();
    assert_eq!(r.headers()["location"], "/w/acme/p/ONB/alignment");
    let html = page_text(&client, app, "/w/acme/p/ONB/alignment").await;
    assert!(
        html.contains("id=\"tier-policy\">advisory<") && html.contains("allowance 30 %"),
        "{html}"
    );
}

/// The database's strict-mode check reads only two candidate items, whatever the backlog's size;
/// on random moves of single items and blocks it must refuse exactly what the pure rule refuses
/// on the whole backlog (tiers from initiatives and from parents, and an exempt item).
#[tokio::test]
async fn strict_moves_agree_with_the_pure_rule() {
    use throughline::governance::{move_inversion, Placed};
    use throughline::ids::ItemId;
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let po = app.member(&owner, "Olive", &["po"]).await;
    let (i1, i2, _) = strategy(&app, &owner).await;
    let mut keys: Vec<String> = Vec::new();
    for n in 0..12 {
        let body = if n % 4 == 3 {
            json!({"title": format!("child {n}"), "parent": keys[n - 3]})
        } else {
            json!({"title": format!("story {n}")})
        };
        let key = app.item(&owner, body).await["key"]
            .as_str()
            .unwrap()
            .to_string();
        match n % 4 {
            0 => app.link_initiative(&owner, &key, &i1).await,
            1 => app.link_initiative(&owner, &key, &i2).await,
            _ => {}
        }
        keys.push(key);
    }
    let ex = app
        .post(
            &po,
            &format!("/api/v1/workspaces/acme/items/{}/exemption", keys[5]),
            json!({"reason": "a partner waits"}),
        )
        .await;
    assert_eq!(ex.status(), 201, "{}", ex.text().await.unwrap());
    assert_eq!(app.set_tier_policy(&owner, "strict").await.status(), 204);

    let mut seed: u64 = 7;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) % n as u64) as usize
    };
    let (mut refused, mut allowed) = (0, 0);
    for _ in 0..60 {
        let order: Vec<Placed> = flags(&app, &po)
            .await
            .iter()
            .map(|(k, t, _)| Placed {
                id: ItemId(keys.iter().position(|x| x == k).unwrap() as i64),
                tier: t.map(|t| t as usize),
                exempt: *k == keys[5],
            })
            .collect();
        let first = next(order.len());
        let len = if next(3) == 0 {
            2.min(order.len() - first)
        } else {
            1
        };
        let moved: Vec<Placed> = order[first..first + len].to_vec();
        let rest: Vec<Placed> = order
            .iter()
            .filter(|p| !moved.contains(p))
            .cloned()
            .collect();
        let (body, at) = match next(4) {
            0 => (json!({"to": "top"}), 0),
            1 => (json!({"to": "bottom"}), rest.len()),
            k => {
                let i = next(rest.len());
                let anchor = &keys[rest[i].id.0 as usize];
                if k == 2 {
                    (json!({"after": anchor}), i + 1)
                } else {
                    (json!({"before": anchor}), i)
                }
            }
        };
        let ids: Vec<ItemId> = moved.iter().map(|p| p.id).collect();
        let expected = move_inversion(&order, &ids, at).is_some();
        let mut body = body;
        body["keys"] = json!(moved
            .iter()
            .map(|p| &keys[p.id.0 as usize])
            .collect::<Vec<_>>());
        let r = app
            .post(&po, &format!("{P}/items/move"), body.clone())
            .await;
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        assert_eq!(status, if expected { 409 } else { 204 }, "{body}: {text}");
        if expected {
            assert!(text.contains("strict tier order"), "{text}");
            refused += 1;
        } else {
            allowed += 1;
        }
    }
    assert!(
        refused >= 10 && allowed >= 10,
        "refused {refused}, allowed {allowed}: the moves should exercise both"
    );
}

/// A PO's reorder racing the PM's priority reorder in strict mode: both take the product's lock,
/// so the move is judged against the priorities in force when it is applied. Either it lands
/// (after the new priorities, where it keeps tier order) or it is refused with the tiers named,
/// and nothing is half written: no exemption, no 5xx.
#[tokio::test]
async fn a_strict_reorder_racing_a_priority_change_is_judged_consistently() {
    for _ in 0..4 {
        let app = spawn_app().await;
        let owner = app.workspace().await;
        let po = app.member(&owner, "Olive", &["po"]).await;
        let (i1, i2, prios) = strategy(&app, &owner).await;
        let a = app.story_in(&owner, "guided setup step", &i1).await;
        let b = app.story_in(&owner, "map jira fields", &i2).await;
        assert_eq!(app.set_tier_policy(&owner, "strict").await.status(), 204);
        // Before: a (Activation, tier 1) above b (Imports, tier 2). The PM puts Imports on top
        // while the PO moves b to the top, which is allowed only under the new order.
        let reorder = format!("{P}/priorities/{}/move", prios[1]);
        let (moved, reordered) = tokio::join!(
            move_to_top(&app, &po, &b, None),
            app.post(
                &owner,
                &reorder,
                json!({"to": "top", "reason": "Jira deadline"})
            )
        );
        assert_eq!(reordered.status(), 200);
        let status = moved.status().as_u16();
        let body = moved.text().await.unwrap();
        let order = app.order(&po).await;
        match status {
            200 => assert_eq!(order, [b.clone(), a.clone()]),
            409 => {
                assert!(body.contains("strict tier order"), "{body}");
                assert_eq!(
                    order,
                    [a.clone(), b.clone()],
                    "a refused move moves nothing"
                );
            }
            s => panic!("the race must end in 200 or 409, not {s}: {body}"),
        }
        let ex = json_ok(app.get(&po, &format!("{P}/exemptions")).await, 200).await;
        assert_eq!(ex, json!([]), "no exemption without a reason");
        // Whatever the interleaving, the tiers shown now are the new ones.
        let f = flags(&app, &po).await;
        let tier = |k: &str| f.iter().find(|x| x.0 == k).unwrap().1;
        assert_eq!((tier(&b), tier(&a)), (Some(1), Some(2)));
    }
}

/// (tier, inversion) of each item of the backlog's first page of two.
async fn first_two(app: &TestApp, who: &Caller) -> Vec<(Option<i64>, Option<String>)> {
    let v = json_ok(app.get(who, &format!("{P}/items?limit=2")).await, 200).await;
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["tier"].as_i64(),
                i["inversion"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// A page of the backlog flags an item that sits above a higher tier further down, past the
/// page's end too: through an initiative or as a child of an aligned parent, and not when that
/// item is exempt.
#[tokio::test]
async fn the_backlog_flags_inversions_past_the_end_of_the_page() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let (i1, i2, _) = strategy(&app, &owner).await;
    let key = |v: Value| v["key"].as_str().unwrap().to_string();
    app.story(&owner, "unaligned one").await;
    let t2 = key(app.story(&owner, "tier two").await);
    app.story(&owner, "unaligned two").await;
    let par = key(app.story(&owner, "tier one epic").await);
    let kid = key(app
        .item(&owner, json!({"title": "tier one child", "parent": par}))
        .await);
    app.link_initiative(&owner, &t2, &i2).await;
    app.link_initiative(&owner, &par, &i1).await;
    let both = |k: &String| vec![(None, Some(k.clone())), (Some(2), Some(k.clone()))];
    assert_eq!(first_two(&app, &owner).await, both(&par));
    for k in [&par, &kid] {
        let r = app
            .post(
                &owner,
                &format!("/api/v1/workspaces/acme/items/{k}/exemption"),
                json!({"reason": "agreed"}),
            )
            .await;
        assert_eq!(r.status(), 201);
        if *k == par {
            assert_eq!(
                first_two(&app, &owner).await,
                both(&kid),
                "the child carries its parent's tier"
            );
        }
    }
    assert_eq!(
        first_two(&app, &owner).await,
        [(None, Some(t2.clone())), (Some(2), None)]
    );
}

async fn move_item(app: &TestApp, who: &Caller, key: &str, body: Value) -> reqwest::Response {
    app.post(
        who,
        &format!("/api/v1/workspaces/acme/items/{key}/move"),
        body,
    )
    .await
}

/// An inversion the PM's override left at the top is not the PO's doing: moves that create no
/// new inversion go through, and a refusal names the new pair, not the old one.
#[tokio::test]
async fn strict_order_refuses_only_new_inversions() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let po = app.member(&owner, "Olive", &["po"]).await;
    let pat = app.member(&owner, "Pat", &["pm"]).await;
    let (i1, i2, _) = strategy(&app, &owner).await;
    let a = app.story_in(&owner, "guided tour", &i1).await;
    let b1 = app.story_in(&owner, "map fields", &i2).await;
    let b2 = app.story_in(&owner, "import users", &i2).await;
    let u = app.story(&owner, "tidy logs").await["key"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(app.set_tier_policy(&owner, "strict").await.status(), 204);
    let r = move_item(
        &app,
        &pat,
        &u,
        json!({"to": "top", "override_reason": "the CEO's demo"}),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

    let r = move_item(&app, &po, &b2, json!({"before": b1})).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(
        app.order(&po).await,
        vec![u.clone(), a.clone(), b2.clone(), b1.clone()]
    );

    let r = move_item(&app, &po, &a, json!({"to": "bottom"})).await;
    assert_eq!(r.status(), 409);
    let text = r.text().await.unwrap();
    assert!(
        text.contains(&format!(
            "{b2} (tier 2 (Imports)) would sit above {a} (tier 1 (Activation))"
        )),
        "{text}"
    );
    assert!(
        !text.contains(&u),
        "the override's item is not the new pair: {text}"
    );
}

/// Done work is never part of an inversion: not flagged on the backlog, not counted by the
/// advisor, and no obstacle to a strict move.
#[tokio::test]
async fn done_items_are_never_part_of_an_inversion() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let (i1, i2, _) = strategy(&app, &owner).await;
    let a = app.story_in(&owner, "guided tour", &i1).await;
    let b = app.story_in(&owner, "map fields", &i2).await;
    assert_eq!(
        move_item(&app, &owner, &b, json!({"to": "top"}))
            .await
            .status(),
        200
    );
    let flagged = flags(&app, &owner).await;
    assert_eq!(flagged[0], (b.clone(), Some(2), Some(a.clone())));
    let v = app.show(&owner, &b).await["version"].as_i64().unwrap();
    let r = app
        .patch(
            &owner,
            &format!("/api/v1/workspaces/acme/items/{b}"),
            v,
            json!({"status": "done"}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let flagged = flags(&app, &owner).await;
    assert_eq!(flagged[0], (b.clone(), Some(2), None));
    assert_eq!(flagged[1], (a.clone(), Some(1), None));
    let advisor = json_ok(app.get(&owner, &format!("{P}/advisor")).await, 200).await;
    assert_eq!(advisor["facts"]["inversions"], 0, "{advisor}");
    // A Done item of a better tier is no obstacle to a strict move above it.
    assert_eq!(app.set_tier_policy(&owner, "strict").await.status(), 204);
    let x = app.story_in(&owner, "welcome mail", &i1).await;
    let v = app.show(&owner, &x).await["version"].as_i64().unwrap();
    let r = app
        .patch(
            &owner,
            &format!("/api/v1/workspaces/acme/items/{x}"),
            v,
            json!({"status": "done"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let y = app.story_in(&owner, "import users", &i2).await;
    let r = move_item(&app, &owner, &y, json!({"before": x})).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

/// The backlog query reaches priorities and tiers (PRODUCT.md's own example), initiatives,
/// people, sprints, blockers and dates, with a real `AND`.
#[tokio::test]
async fn the_query_language_reaches_strategy_people_sprints_and_dates() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let (i1, i2, _) = strategy(&app, &owner).await;
    let a = app.story_in(&owner, "guided tour", &i1).await;
    let b = app.story_in(&owner, "map fields", &i2).await;
    let c = app.story(&owner, "tidy logs").await["key"]
        .as_str()
        .unwrap()
        .to_string();
    let v = app.show(&owner, &b).await["version"].as_i64().unwrap();
    let r = app
        .patch(
            &owner,
            &format!("/api/v1/workspaces/acme/items/{b}"),
            v,
            json!({"assignee": owner.email}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = app
        .post(
            &owner,
            &format!("/api/v1/workspaces/acme/items/{c}/dependencies"),
            json!({"blocked_by": a}),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let keys = |q: &'static str| {
        let app = &app;
        let owner = owner.clone();
        async move {
            let q: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
            let r = app.get(&owner, &format!("{P}/items?q={q}")).await;
            let status = r.status().as_u16();
            let v: Value = r.json().await.unwrap();
            if status != 200 {
                return vec![format!("{status}: {}", v["detail"])];
            }
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["key"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(keys("priority:\"Activation\"").await, vec![a.clone()]);
    assert_eq!(keys("priority:imports").await, vec![b.clone()]);
    assert_eq!(keys("tier:2").await, vec![b.clone()]);
    assert_eq!(keys("tier:none").await, vec![c.clone()]);
    assert_eq!(keys("initiative:\"Guided setup\"").await, vec![a.clone()]);
    assert_eq!(keys("assignee:me").await, vec![b.clone()]);
    assert_eq!(keys("assignee:none AND is:blocked").await, vec![c.clone()]);
    assert_eq!(keys("sprint:none tier:1").await, vec![a.clone()]);
    assert_eq!(keys("sprint:current").await, Vec::<String>::new());
    assert_eq!(
        keys("created>=2020-01-01 updated<2999-01-01 is:open")
            .await
            .len(),
        3
    );
    assert_eq!(keys("created<2020-01-01").await.len(), 0);
    assert!(keys("tier:first").await[0].starts_with("422"));
    assert!(keys("AND tier:1").await[0].starts_with("422"));
    assert!(keys("updated>yesterday").await[0].starts_with("422"));
    // sort: orders the whole result and pages through it with its own cursor.
    assert_eq!(
        keys("sort:-key").await,
        vec![c.clone(), b.clone(), a.clone()]
    );
    assert_eq!(
        keys("is:open sort:title").await,
        vec![a.clone(), b.clone(), c.clone()]
    );
    assert!(keys("-sort:key").await[0].starts_with("422"));
    assert!(keys("sort:colour").await[0].starts_with("422"));
    let first = json_ok(
        app.get(&owner, &format!("{P}/items?q=sort%3A-key&limit=2"))
            .await,
        200,
    )
    .await;
    let cursor = first["next_cursor"].as_str().unwrap().to_string();
    assert!(!cursor.contains(':'), "the cursor is opaque: {cursor}");
    let second = json_ok(
        app.get(
            &owner,
            &format!("{P}/items?q=sort%3A-key&limit=2&cursor={cursor}"),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(second["items"][0]["key"], a.as_str());
    assert!(second["next_cursor"].is_null());
    let e = json_ok(
        app.get(&owner, &format!("{P}/items?limit=2&cursor={cursor}"))
            .await,
        422,
    )
    .await;
    assert_eq!(e["field"], "cursor");
    let e = json_ok(app.get(&owner, &format!("{P}/items?cursor=zz")).await, 422).await;
    assert_eq!(e["field"], "cursor");
}

/// A saved view its owner shares is offered to everyone on the product; only the owner
/// deletes it.
#[tokio::test]
async fn a_shared_view_is_offered_to_the_product() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let po = app.member(&owner, "Olive", &["po"]).await;
    let mine = json_ok(
        app.post(
            &owner,
            &format!("{P}/views"),
            json!({"name": "Mine", "query": "is:open"}),
        )
        .await,
        201,
    )
    .await;
    let shared = json_ok(
        app.post(
            &owner,
            &format!("{P}/views"),
            json!({"name": "Imports", "query": "priority:imports", "shared": true}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(mine["shared"], false);
    let seen = json_ok(app.get(&po, &format!("{P}/views")).await, 200).await;
    let names: Vec<(&str, bool)> = seen
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["name"].as_str().unwrap(), v["mine"].as_bool().unwrap()))
        .collect();
    assert_eq!(names, vec![("Imports", false)]);
    let r = app
        .req(
            &po,
            reqwest::Method::DELETE,
            &format!("{P}/views/{}", shared["id"]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

/// Each settings group has its own version: saving the tier policy leaves the ETags of the
/// Definition of Ready, the advisor's thresholds and the vision as they were.
#[tokio::test]
async fn settings_groups_keep_their_own_versions() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let etag = |path: &'static str| {
        let (app, owner) = (&app, &owner);
        async move {
            let r = app.get(owner, &format!("{P}/{path}")).await;
            assert_eq!(r.status(), 200, "{path}");
            r.headers()["etag"].to_str().unwrap().to_string()
        }
    };
    let (rules, advisor) = (etag("ready-rules").await, etag("advisor").await);
    let vision =
        json_ok(app.get(&owner, &format!("{P}/vision")).await, 200).await["version"].clone();
    assert_eq!(app.set_tier_policy(&owner, "strict").await.status(), 204);
    assert_eq!(etag("ready-rules").await, rules);
    assert_eq!(etag("advisor").await, advisor);
    assert_eq!(
        json_ok(app.get(&owner, &format!("{P}/vision")).await, 200).await["version"],
        vision
    );
    // The advisor's thresholds save with the ETag read before the tier change.
    let r = app
        .req(&owner, reqwest::Method::PUT, &format!("{P}/advisor"))
        .header("If-Match", advisor)
        .json(&json!({"inversions": 3}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
}

#[tokio::test]
async fn a_sorted_page_flags_each_item_as_the_backlog_order_does() {
    let t = Tiers::backlog().await;
    assert_eq!(t.po_moves_to_top(&t.c, None).await.status(), 200);
    let in_order = flags(&t.app, &t.owner).await;
    assert!(
        in_order.iter().any(|f| f.2.is_some()),
        "c above the priorities is an inversion: {in_order:?}"
    );
    let mut sorted = flags_of(&t.app, &t.owner, "sort%3A-key").await;
    let mut in_order = in_order;
    sorted.sort();
    in_order.sort();
    assert_eq!(sorted, in_order);
}
