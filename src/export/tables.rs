//! Every table of a workspace export, in dependency order, with its key, how it reaches the
//! workspace and its columns: the one place that knows the schema. A test compares this list
//! with the migrated database, so a migration that adds a table or a column fails until the
//! export knows it.

use std::sync::LazyLock;

use super::{Column, Kind, Scope, Table};

/// Tables deliberately not exported, with the reason (see the module doc of `export`).
pub const LEFT_OUT: &[(&str, &str)] = &[
    (
        "backlog_versions",
        "counts of changes to each product's backlog listing, kept by triggers; a restore's writes start them again",
    ),
    (
        "backlog_bumps",
        "a transaction's queue of backlog counts to bump at its commit, always empty after it",
    ),
    (
        "roadmap_versions",
        "counts of changes to each product's roadmap, kept by triggers; a restore's writes start them again",
    ),
    (
        "sessions",
        "sign-in sessions are an account's, short-lived; people sign in again",
    ),
    (
        "api_tokens",
        "tokens act for an account in all its workspaces; create new ones",
    ),
    (
        "login_attempts",
        "rate-limit counters of the sign-in form, not workspace data",
    ),
    (
        "invitations",
        "one-time links to join, short-lived and hashed; invite again",
    ),
    (
        "invitation_roles",
        "the roles of an invitation, which is left out too",
    ),
    (
        "import_uploads",
        "files waiting an hour at most for the Import page's confirmation; upload again",
    ),
    (
        "instance_settings",
        "the settings of the whole installation, not of one workspace; set them again",
    ),
    (
        "sso_providers",
        "single sign-on providers belong to the installation, with their secrets; add them again",
    ),
    (
        "sso_settings",
        "whether local passwords are on is the installation's setting, not a workspace's",
    ),
    (
        "sso_pending",
        "sign-ins under way at a provider, single use and gone in ten minutes",
    ),
    (
        "sso_sessions",
        "which provider a sign-in session came through; sessions are not exported",
    ),
    (
        "mail_outbox",
        "e-mail waiting to be sent and the log of what was, without bodies; not workspace data",
    ),
    (
        "password_resets",
        "one-time password reset links, short-lived and hashed; ask again",
    ),
    (
        "sign_in_addresses",
        "where an account signed in from, for the sign-in limit; not workspace data",
    ),
];

/// Columns the database derives itself and that are not exported: PostgreSQL's full-text
/// `search` columns (SQLite keeps the same index in FTS tables filled by triggers).
pub const DERIVED: &[(&str, &str)] = &[("insights", "search"), ("research_sources", "search")];

/// `"id:int name:text points:points? created_by:user"`: name, kind, `?` when it may be NULL.
fn columns(spec: &'static str) -> Vec<Column> {
    spec.split_whitespace()
        .map(|c| {
            let (name, kind) = c.split_once(':').unwrap_or((c, "text"));
            let nullable = kind.ends_with('?');
            let kind = match kind.trim_end_matches('?') {
                "int" => Kind::Int,
                "user" => Kind::User,
                "bool" => Kind::Bool,
                "real" => Kind::Real,
                "points" => Kind::Points,
                "time" => Kind::Time,
                "text" => Kind::Text,
                other => panic!("export table spec: unknown kind {other:?} in {spec:?}"),
            };
            Column {
                name,
                kind,
                nullable,
            }
        })
        .collect()
}

impl Table {
    fn set_after_rows(mut self, columns: &'static [&'static str]) -> Table {
        self.set_after = columns;
        self
    }

    fn rewritten_after_all(mut self, columns: &'static [&'static str]) -> Table {
        self.kept_by_triggers = columns;
        self
    }
}

fn table(
    name: &'static str,
    key: &'static [&'static str],
    scope: Scope,
    spec: &'static str,
) -> Table {
    Table {
        name,
        key,
        scope,
        columns: columns(spec),
        set_after: &[],
        kept_by_triggers: &[],
    }
}

/// Every exported table, parents before children.
pub static TABLES: LazyLock<Vec<Table>> = LazyLock::new(|| {
    vec![
        table("users", &["id"], Scope::Users,
            "id:int email:text name:text password_hash:text created_at:time placeholder:bool instance_admin:bool email_notifications:text unsubscribe_token:text?"),
        table("workspaces", &["id"], Scope::Workspace,
            "id:int slug:text name:text version:int created_at:time allow_private_webhooks:bool"),
        table("workspace_members", &["workspace_id", "user_id"], Scope::Own("workspace_id"),
            "workspace_id:int user_id:user is_admin:bool"),
        table("products", &["id"], Scope::Own("workspace_id"),
            "id:int workspace_id:int key:text name:text description:text next_number:int ready_rules:text version:int created_at:time vision:text target_segments:text positioning:text tier_policy:text unaligned_allowance_pct:int advisor_thresholds:text vision_version:int rules_version:int tiers_version:int advisor_version:int cadence:text wip_mode:text flow_wip_in_progress:int? flow_wip_in_review:int? flow_version:int"),
        table("product_roles", &["product_id", "user_id", "role"], Scope::Via("product_id", "products"),
            "product_id:int user_id:user role:text"),
        table("import_jobs", &["id"], Scope::Via("product_id", "products"),
            "id:int product_id:int created_by:user file_name:text format:text dry_run:bool status:text items_total:int report_json:text? error:text? created_at:time finished_at:time? items_done:int heartbeat_at:time?"),
        table("saved_views", &["id"], Scope::Via("product_id", "products"),
            "id:int user_id:user product_id:int name:text query:text created_at:time shared:bool"),
        table("audit_log", &["id"], Scope::Own("workspace_id"),
            "id:int workspace_id:int? actor_id:user? action:text entity_type:text entity_id:int before_json:text? after_json:text? reason:text? at:time"),
        table("teams", &["id"], Scope::Own("workspace_id"),
            "id:int workspace_id:int name:text velocity_window:int wip_todo:int? wip_in_progress:int? wip_in_review:int? version:int created_at:time cadence:text? cadence_version:int"),
        table("team_products", &["team_id", "product_id"], Scope::Via("product_id", "products"),
            "team_id:int product_id:int"),
        table("team_members", &["team_id", "user_id"], Scope::Via("team_id", "teams"),
            "team_id:int user_id:user points_per_day:real focus_pct:int"),
        table("sprints", &["id"], Scope::Via("product_id", "products"),
            "id:int product_id:int team_id:int name:text goal:text start_date:text? end_date:text? state:text started_at:time? closed_at:time? goal_met:bool? baseline_points:points? added_points:points? removed_points:points? completed_points:points? say_do_points:points? available_days:real? version:int created_at:time alignment_frozen:text?"),
        table("sprint_availability", &["sprint_id", "user_id"], Scope::Via("sprint_id", "sprints"),
            "sprint_id:int user_id:user focus_pct:int days_off:text"),
        table("retros", &["id"], Scope::Via("sprint_id", "sprints"),
            "id:int sprint_id:int vote_limit:int version:int created_at:time"),
        table("retro_entries", &["id"], Scope::Via("retro_id", "retros"),
            "id:int retro_id:int kind:text body:text author_id:user created_at:time"),
        table("retro_votes", &["entry_id", "user_id"], Scope::Via("retro_id", "retros"),
            "entry_id:int user_id:user retro_id:int"),
        table("objectives", &["id"], Scope::Via("product_id", "products"),
            "id:int product_id:int quarter:text title:text description:text version:int created_at:time updated_at:time"),
        table("metrics", &["id"], Scope::Via("product_id", "products"),
            "id:int product_id:int objective_id:int? name:text unit:text direction:text baseline:real target:real version:int created_at:time updated_at:time"),
        table("metric_values", &["metric_id", "measured_on"], Scope::Via("metric_id", "metrics"),
            "metric_id:int measured_on:text value:real recorded_by:user recorded_at:time"),
        table("priorities", &["id"], Scope::Via("product_id", "products"),
            "id:int product_id:int quarter:text title:text description:text rank:text version:int created_at:time updated_at:time"),
        table("priority_objectives", &["priority_id", "objective_id"], Scope::Via("priority_id", "priorities"),
            "priority_id:int objective_id:int"),
        table("initiatives", &["id"], Scope::Via("product_id", "products"),
            "id:int product_id:int title:text description:text status:text reach:int? impact:real? confidence:int? effort:real? business_value:int? time_criticality:int? risk_reduction:int? job_size:int? version:int created_at:time updated_at:time points_total:points points_done:points external_key:text? problem:text assumptions:text out_of_scope:text")
        .rewritten_after_all(&["points_total", "points_done"]),
        table("priority_initiatives", &["priority_id", "initiative_id"], Scope::Via("priority_id", "priorities"),
            "priority_id:int initiative_id:int quarter:text"),
        table("initiative_metrics", &["initiative_id", "metric_id"], Scope::Via("metric_id", "metrics"),
            "initiative_id:int metric_id:int"),
        table("personas", &["id"], Scope::Via("product_id", "products"),
            "id:int product_id:int name:text segment:text goals:text pains:text version:int created_at:time updated_at:time"),
        table("items", &["id"], Scope::Via("product_id", "products"),
            "id:int product_id:int number:int kind:text title:text description:text persona:text goal:text benefit:text points:points? status:text rank:text parent_id:int? ready:bool readiness:text created_by:user created_at:time updated_at:time version:int initiative_id:int? persona_id:int? assignee_id:user? external_key:text? external_updated:time? reporter_id:user?")
        .set_after_rows(&["parent_id"]),
        table("item_labels", &["item_id", "label"], Scope::Via("item_id", "items"),
            "item_id:int label:text"),
        table("criteria", &["id"], Scope::Via("item_id", "items"),
            "id:int item_id:int position:int text:text"),
        table("item_dependencies", &["blocker_id", "blocked_id"], Scope::Via("blocker_id", "items"),
            "blocker_id:int blocked_id:int"),
        table("questions", &["id"], Scope::Via("product_id", "products"),
            "id:int item_id:int product_id:int body:text asked_by:user asked_at:time answer:text? answered_by:user? answered_at:time? version:int blocking:bool"),
        table("item_status_events", &["id"], Scope::Via("item_id", "items"),
            "id:int item_id:int status:text at:time"),
        table("sprint_items", &["id"], Scope::Via("item_id", "items"),
            "id:int sprint_id:int item_id:int points:points in_baseline:bool for_goal:bool exception:text? added_at:time added_by:user add_reason:text? removed_at:time? removed_by:user? remove_reason:text? change_group:text? outcome:text? carry:text frozen_priority_id:int? accept_reason:text?"),
        table("review_verdicts", &["sprint_id", "item_id", "position"], Scope::Via("item_id", "items"),
            "sprint_id:int item_id:int position:int criterion:text pass:bool note:text decided_by:user decided_at:time"),
        table("retro_actions", &["id"], Scope::Via("item_id", "items"),
            "id:int retro_id:int entry_id:int? item_id:int owner_id:user created_at:time"),
        table("research_sources", &["id"], Scope::Via("product_id", "products"),
            "id:int product_id:int kind:text title:text happened_on:text customer:text segment:text notes:text version:int created_at:time updated_at:time"),
        table("insights", &["id"], Scope::Via("product_id", "products"),
            "id:int product_id:int source_id:int kind:text body:text importance:int persona_id:int? tags:text version:int created_at:time updated_at:time"),
        table("initiative_evidence", &["insight_id", "initiative_id"], Scope::Via("initiative_id", "initiatives"),
            "insight_id:int initiative_id:int"),
        table("item_evidence", &["insight_id", "item_id"], Scope::Via("item_id", "items"),
            "insight_id:int item_id:int"),
        table("roadmap_shares", &["id"], Scope::Via("product_id", "products"),
            "id:int product_id:int token_hash:text label:text created_by:user created_at:time revoked_at:time?"),
        table("decisions", &["id"], Scope::Via("product_id", "products"),
            "id:int product_id:int question:text options:text decision:text rationale:text decided_by:text decided_on:text version:int created_at:time updated_at:time"),
        table("decision_evidence", &["decision_id", "insight_id"], Scope::Via("decision_id", "decisions"),
            "decision_id:int insight_id:int"),
        table("decision_initiatives", &["decision_id", "initiative_id"], Scope::Via("initiative_id", "initiatives"),
            "decision_id:int initiative_id:int"),
        table("competitors", &["id"], Scope::Via("product_id", "products"),
            "id:int product_id:int name:text positioning:text strengths:text weaknesses:text our_positioning:text version:int created_at:time updated_at:time"),
        table("capabilities", &["id"], Scope::Via("product_id", "products"),
            "id:int product_id:int name:text ours:text"),
        table("capability_ratings", &["capability_id", "competitor_id"], Scope::Via("capability_id", "capabilities"),
            "capability_id:int competitor_id:int rating:text"),
        table("stakeholders", &["product_id", "user_id"], Scope::Via("product_id", "products"),
            "product_id:int user_id:user grp:text"),
        table("signoff_requests", &["id"], Scope::Via("product_id", "products"),
            "id:int product_id:int subject:text decision_id:int? title:text snapshot:text requested_by:user created_at:time"),
        table("signoff_answers", &["request_id", "user_id"], Scope::Via("request_id", "signoff_requests"),
            "request_id:int user_id:user answer:text comment:text answered_at:time"),
        table("releases", &["id"], Scope::Via("product_id", "products"),
            "id:int product_id:int name:text target_date:text status:text version:int created_at:time updated_at:time"),
        table("release_items", &["release_id", "item_id"], Scope::Via("item_id", "items"),
            "release_id:int item_id:int"),
        table("release_initiatives", &["release_id", "initiative_id"], Scope::Via("release_id", "releases"),
            "release_id:int initiative_id:int"),
        table("launches", &["id"], Scope::Via("release_id", "releases"),
            "id:int release_id:int name:text target_date:text created_at:time"),
        table("launch_tasks", &["id"], Scope::Via("launch_id", "launches"),
            "id:int launch_id:int function:text title:text owner:text due_on:text done:bool"),
        table("watchers", &["entity_type", "entity_id", "user_id"], Scope::Watched,
            "entity_type:text entity_id:int user_id:user"),
        table("notifications", &["id"], Scope::Own("workspace_id"),
            "id:int user_id:user workspace_id:int event:text title:text link:text actor_id:user? created_at:time read_at:time? mailed_at:time?"),
        table("webhooks", &["id"], Scope::Own("workspace_id"),
            "id:int workspace_id:int url:text secret:text events:text active:bool created_by:user created_at:time"),
        table("webhook_deliveries", &["id"], Scope::Via("webhook_id", "webhooks"),
            "id:int webhook_id:int event:text payload:text state:text attempts:int next_attempt_at:time leased_until:time? lease_owner:text? last_status:int? last_error:text? created_at:time delivered_at:time?"),
        table("tier_exemptions", &["id"], Scope::Via("product_id", "products"),
            "id:int product_id:int item_id:int reason:text created_by:user created_at:time revoked_at:time? revoked_by:user? revoke_reason:text?"),
        table("overrides", &["id"], Scope::Via("product_id", "products"),
            "id:int product_id:int kind:text subject:text before_json:text? after_json:text? reason:text created_by:user created_at:time"),
        table("signoff_answer_log", &["id"], Scope::Via("request_id", "signoff_requests"),
            "id:int request_id:int user_id:user answer:text comment:text answered_at:time"),
        table("comments", &["id"], Scope::Via("item_id", "items"),
            "id:int item_id:int question_id:int? body:text author_id:user created_at:time edited_at:time? version:int"),
        table("comment_edits", &["id"], Scope::Via("comment_id", "comments"),
            "id:int comment_id:int body:text edited_at:time"),
        table("kit_exceptions", &["item_id"], Scope::Via("item_id", "items"),
            "item_id:int reason:text created_by:user created_at:time"),
    ]
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_come_before_children_and_keys_are_columns() {
        let names: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
        for (i, t) in TABLES.iter().enumerate() {
            for k in t.key {
                assert!(t.column(k).is_some(), "{}: key {k} is not a column", t.name);
            }
            if let Scope::Via(col, parent) = t.scope {
                assert!(t.column(col).is_some(), "{}: {col}", t.name);
                let at = names.iter().position(|n| *n == parent);
                assert!(
                    at.is_some_and(|p| p < i),
                    "{} comes before {parent}",
                    t.name
                );
            }
        }
    }
}
