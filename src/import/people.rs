//! The people an import names (assignees, reporters, comment authors) become members of the
//! workspace. Someone is found by e-mail (any account, in any case) when the file gives one,
//! else by name among the workspace's placeholders (an earlier import made them); anyone else
//! gets a placeholder account, which cannot sign in until an admin invites them. Nobody is
//! e-mailed.

use std::collections::{BTreeSet, HashMap};

use super::Person;

use crate::auth::store as accounts;
use crate::db::Tx;
use crate::error::Result;
use crate::workspace::store as workspace;

/// Who each person of the file is here, and how many were found or created.
#[derive(Debug, Default)]
pub struct People {
    ids: HashMap<Person, i64>,
    /// The placeholder accounts made for this file.
    pub created: Vec<i64>,
    pub matched: usize,
}

impl People {
    /// The account of someone [`resolve`] was given.
    pub fn id(&self, p: &Person) -> Option<i64> {
        self.ids.get(p).copied()
    }
}

/// A name as accounts are matched on it.
fn name_key(name: &str) -> String {
    Person {
        name: name.into(),
        email: None,
    }
    .key()
}

/// Finds or creates an account for each person and makes it a member of the workspace.
pub async fn resolve(tx: &mut Tx, workspace_id: i64, wanted: BTreeSet<&Person>) -> Result<People> {
    let mut people = People::default();
    if wanted.is_empty() {
        return Ok(people);
    }
    let mut by_name: HashMap<String, i64> = HashMap::new();
    for (id, name) in workspace::placeholders(&mut tx.conn(), workspace_id).await? {
        by_name.entry(name_key(&name)).or_insert(id);
    }
    // One account per key (e-mail, else name): the file may spell a name two ways.
    let mut ids: HashMap<String, i64> = HashMap::new();
    for p in wanted {
        if let Some(&id) = ids.get(&p.key()) {
            people.ids.insert(p.clone(), id);
            continue;
        }
        // An address our accounts would refuse is no address: the person is known by name.
        let email = p
            .email
            .as_deref()
            .filter(|e| crate::auth::validate_email(e).is_ok());
        let found = match email {
            Some(e) => accounts::id_by_email(&mut tx.conn(), e).await?,
            None => by_name.get(&name_key(&p.name)).copied(),
        };
        let id = match found {
            Some(id) => {
                people.matched += 1;
                id
            }
            None => {
                let id = accounts::create_placeholder(tx, &p.name, email).await?;
                if email.is_none() {
                    by_name.insert(name_key(&p.name), id);
                }
                people.created.push(id);
                id
            }
        };
        workspace::join(&mut tx.conn(), workspace_id, id).await?;
        ids.insert(p.key(), id);
        people.ids.insert(p.clone(), id);
    }
    Ok(people)
}
