//! The first steps after setup, each ticked by the data itself rather than by a click: people
//! invited, the PM and PO set, a backlog in, this quarter's priorities set.

use serde::Serialize;

use crate::calendar::{today, Quarter};
use crate::db::batch::{Read, Rows};
use crate::db::Db;
use crate::error::Result;

/// One step: what to do, where it is done, whether it is done.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = ChecklistStep)]
pub struct Step {
    pub title: String,
    pub detail: String,
    pub href: String,
    pub done: bool,
}

/// What the steps are ticked by, for one product.
#[derive(Clone, Debug, Default)]
pub struct ProductFacts {
    pub key: String,
    pub name: String,
    /// The distinct people holding the PM role, and the PO role.
    pub pms: Vec<i64>,
    pub pos: Vec<i64>,
    pub has_items: bool,
    pub priorities_this_quarter: i64,
}

/// What the workspace-wide step is ticked by.
#[derive(Clone, Debug, Default)]
pub struct WorkspaceFacts {
    pub slug: String,
    /// Members who can sign in, and invitations made (open or accepted).
    pub people: i64,
    pub invitations: i64,
    pub quarter: String,
    pub products: Vec<ProductFacts>,
}

/// The checklist, in the order a new team goes through it.
pub fn steps(f: &WorkspaceFacts) -> Vec<Step> {
    let ws = &f.slug;
    let mut out = vec![Step {
        title: "Invite your team".into(),
        detail: "Send invitation links from the Members page; each link sets the person's roles."
            .into(),
        href: format!("/w/{ws}/members"),
        done: f.people > 1 || f.invitations > 0,
    }];
    for p in &f.products {
        let base = format!("/w/{ws}/p/{}", p.key);
        // Held, and not both by one and the same person alone.
        let one_person = matches!((p.pms.as_slice(), p.pos.as_slice()), ([a], [b]) if a == b);
        let split = !p.pms.is_empty() && !p.pos.is_empty() && !one_person;
        out.push(Step {
            title: format!("Set the PM and the PO of {}", p.name),
            detail: "Strategy belongs to the Product Manager, the backlog to the Product Owner. \
                     One person can hold both; the team-shape advisor says what that costs."
                .into(),
            href: format!("/w/{ws}/members"),
            done: split,
        });
        out.push(Step {
            title: format!("Bring in the backlog of {}", p.name),
            detail: "Import an export from Jira, Trello, GitHub, Linear and others, or write the \
                     first stories."
                .into(),
            href: format!("{base}/import"),
            done: p.has_items,
        });
        out.push(Step {
            title: format!("Set {}'s priorities for {}", p.name, f.quarter),
            detail: "Rank what matters this quarter, so the backlog's order can be checked \
                     against it."
                .into(),
            href: format!("{base}/strategy"),
            done: p.priorities_this_quarter > 0,
        });
    }
    out
}

/// The facts of a workspace, read in one round trip.
pub async fn facts(db: &Db, workspace_id: i64, slug: &str) -> Result<WorkspaceFacts> {
    Ok(facts_read(workspace_id, slug).on(db).await?)
}

/// [`facts`] as a read that may share a round trip with others.
pub fn facts_read(workspace_id: i64, slug: &str) -> Read<WorkspaceFacts> {
    let slug = slug.to_string();
    let quarter = Quarter::of(today()).to_string();
    let count = |rows: Rows| rows.one::<(i64,)>().map(|r| r.0);
    type ProductRow = (i64, String, String, bool, i64);
    let read = Read::query(
        "SELECT COUNT(*) FROM workspace_members m JOIN users u ON u.id = m.user_id
         WHERE m.workspace_id = $1 AND NOT u.placeholder",
        vec![workspace_id.into()],
        count,
    )
    .and(Read::query(
        "SELECT COUNT(*) FROM invitations WHERE workspace_id = $1 AND revoked_at IS NULL",
        vec![workspace_id.into()],
        count,
    ))
    // Whether a product has items is all the steps ask: counting them read every item. The
    // first item by number, rather than `EXISTS`, so that the product's range of the
    // (product_id, number) index is read: PostgreSQL may plan an `EXISTS` as a scan of the
    // items in storage order, which on a workspace of 20 products of 5,000 items each took
    // 200 ms instead of 1 (seen on one copy of the benchmark's database, not on another).
    .and(Read::query(
        "SELECT p.id, p.key, p.name,
                (SELECT i.number FROM items i WHERE i.product_id = p.id ORDER BY i.number LIMIT 1) IS NOT NULL,
                (SELECT COUNT(*) FROM priorities q WHERE q.product_id = p.id AND q.quarter = $2)
         FROM products p WHERE p.workspace_id = $1 ORDER BY p.key",
        vec![workspace_id.into(), quarter.clone().into()],
        |rows| rows.all::<ProductRow>(),
    ))
    .and(Read::query(
        "SELECT r.product_id, r.user_id, r.role FROM product_roles r
         JOIN products p ON p.id = r.product_id
         WHERE p.workspace_id = $1 AND r.role IN ('pm', 'po') ORDER BY r.user_id",
        vec![workspace_id.into()],
        |rows| rows.all::<(i64, i64, String)>(),
    ));
    read.map(move |(((people, invitations), rows), roles)| {
        let products = rows
            .into_iter()
            .map(|(id, key, name, has_items, priorities)| {
                let held = |role: &str| {
                    roles
                        .iter()
                        .filter(|r| r.0 == id && r.2 == role)
                        .map(|r| r.1)
                        .collect()
                };
                ProductFacts {
                    key,
                    name,
                    pms: held("pm"),
                    pos: held("po"),
                    has_items,
                    priorities_this_quarter: priorities,
                }
            })
            .collect();
        Ok(WorkspaceFacts {
            slug,
            people,
            invitations,
            quarter,
            products,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(pms: &[i64], pos: &[i64]) -> ProductFacts {
        ProductFacts {
            key: "ONB".into(),
            name: "Onboarding".into(),
            pms: pms.to_vec(),
            pos: pos.to_vec(),
            ..Default::default()
        }
    }

    #[test]
    fn a_fresh_workspace_has_nothing_ticked() {
        let f = WorkspaceFacts {
            slug: "acme".into(),
            people: 1,
            quarter: "2026-Q4".into(),
            products: vec![product(&[1], &[1])],
            ..Default::default()
        };
        let s = steps(&f);
        assert_eq!(s.len(), 4);
        assert!(s.iter().all(|s| !s.done));
        assert_eq!(s[2].href, "/w/acme/p/ONB/import");
        assert!(s[3].title.contains("2026-Q4"));
    }

    #[test]
    fn steps_tick_themselves_from_the_data() {
        let mut p = product(&[1], &[2]);
        p.has_items = true;
        p.priorities_this_quarter = 1;
        let f = WorkspaceFacts {
            slug: "acme".into(),
            people: 2,
            quarter: "2026-Q4".into(),
            products: vec![p],
            ..Default::default()
        };
        assert!(steps(&f).iter().all(|s| s.done));
        // The same person as PM and PO is not yet a split of the roles; a second PO is.
        assert!(
            !steps(&WorkspaceFacts {
                products: vec![product(&[1], &[1])],
                ..f.clone()
            })[1]
                .done
        );
        assert!(
            steps(&WorkspaceFacts {
                products: vec![product(&[1], &[1, 2])],
                ..f
            })[1]
                .done
        );
    }
}
