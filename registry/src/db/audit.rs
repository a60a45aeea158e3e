//! The audit trail (21 CFR 11.10(e)): one `audit_log` row per changed field, written inside the
//! caller's transaction so that a change and its audit rows commit or fail together.
//!
//! A save opens a [`ChangeSet`] (who, through which API token, why), then records each row it
//! inserts, updates or deletes. The rows of one save share the change set's id. The table itself
//! refuses UPDATE and DELETE (triggers), so nothing here can rewrite history.
//!
//! ```ignore
//! conn.transaction(|conn| {
//!     let set = ChangeSet::begin(conn, user, None, Some("Corrected date"))?;
//!     /* update the follow-up */
//!     set.record_update(conn, "follow_ups", id.0, Some(patient), &before, &after)?;
//!     Ok(())
//! })
//! ```

use chrono::NaiveDateTime;
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel::sqlite::Sqlite;

use crate::db::ids::{ApiTokenId, AuditLogId, PatientId, UserId};
use crate::db::schema::audit_log;

/// What happened to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    Insert,
    Update,
    Delete,
}

impl AuditAction {
    /// Every action, in the order the CHECK constraint lists them.
    pub const ALL: [Self; 3] = [Self::Insert, Self::Update, Self::Delete];

    /// The stored code: `INSERT`, `UPDATE` or `DELETE`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Insert => "INSERT",
            Self::Update => "UPDATE",
            Self::Delete => "DELETE",
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }
}

/// One audit row, as read back.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, serde::Serialize)]
#[diesel(table_name = audit_log, check_for_backend(Sqlite))]
pub struct AuditLogRow {
    pub id: AuditLogId,
    pub change_set_id: i32,
    pub changed_at: NaiveDateTime,
    pub user_id: UserId,
    pub api_token_id: Option<ApiTokenId>,
    /// An [`AuditAction`] code.
    pub action: String,
    pub table_name: String,
    pub record_id: i32,
    pub patient_id: Option<PatientId>,
    pub field_name: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub reason: Option<String>,
}

/// One audit row to insert. Prefer [`ChangeSet`]'s methods, which fill the shared columns.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = audit_log, check_for_backend(Sqlite))]
pub struct NewAuditLog<'a> {
    pub change_set_id: i32,
    pub changed_at: NaiveDateTime,
    pub user_id: UserId,
    pub api_token_id: Option<ApiTokenId>,
    pub action: &'a str,
    pub table_name: &'a str,
    pub record_id: i32,
    pub patient_id: Option<PatientId>,
    pub field_name: &'a str,
    pub old_value: Option<&'a str>,
    pub new_value: Option<&'a str>,
    pub reason: Option<&'a str>,
}

/// A column's value as the audit trail shows it: the stored text, `None` for NULL.
pub type FieldValue = Option<String>;

/// The columns of a row by name, in a stable order, for [`ChangeSet::record_insert`] and
/// friends. [`fields_of`] builds one from any row type.
pub type Fields = Vec<(String, FieldValue)>;

/// A real number as the audit trail writes it, the same text [`fields_of`] gives a row's
/// `f64` (shortest round-trip decimal, always with a fraction: `510.0`, `1.23`), so a value
/// audited at insert and at a later correction reads alike.
pub fn real_text(value: f64) -> Option<String> {
    serde_json::Number::from_f64(value).map(|n| n.to_string())
}

/// Flattens a row (any `Serialize` struct of scalar fields, such as the `XRow` and `NewX`
/// types of this module's siblings) into `(column, text)` pairs: strings as they are, numbers
/// in decimal, booleans as `1`/`0` (as stored), dates ISO. Nested values are written as JSON.
pub fn fields_of<T: serde::Serialize>(row: &T) -> Result<Fields, DieselError> {
    let value =
        serde_json::to_value(row).map_err(|e| DieselError::SerializationError(Box::new(e)))?;
    let serde_json::Value::Object(map) = value else {
        return Err(DieselError::QueryBuilderError(
            "audit::fields_of expects a struct".into(),
        ));
    };
    Ok(map
        .into_iter()
        .map(|(k, v)| {
            let text = match v {
                serde_json::Value::Null => None,
                serde_json::Value::String(s) => Some(s),
                serde_json::Value::Bool(b) => Some(if b { "1" } else { "0" }.to_owned()),
                other => Some(other.to_string()),
            };
            (k, text)
        })
        .collect())
}

/// The columns whose values the audit trail never repeats: identity and bookkeeping.
const BOOKKEEPING: [&str; 6] = [
    "id",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "row_version",
];

/// The audit context of one save: who, when, through which token and why. Every row recorded
/// through it shares its `change_set_id` and timestamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeSet {
    pub id: i32,
    pub at: NaiveDateTime,
    pub user_id: UserId,
    pub api_token_id: Option<ApiTokenId>,
    pub reason: Option<String>,
}

impl ChangeSet {
    /// Opens a change set inside the caller's transaction (refused outside one) and allocates
    /// its id: one more than the largest so far. SQLite has one writer at a time, so two saves
    /// cannot draw the same id.
    pub fn begin(
        conn: &mut SqliteConnection,
        user_id: UserId,
        api_token_id: Option<ApiTokenId>,
        reason: Option<&str>,
    ) -> QueryResult<Self> {
        ensure_in_transaction(conn)?;
        let last: Option<i32> = audit_log::table
            .select(diesel::dsl::max(audit_log::change_set_id))
            .get_result(conn)?;
        Ok(Self {
            id: last.unwrap_or(0) + 1,
            at: chrono::Utc::now().naive_utc(),
            user_id,
            api_token_id,
            reason: reason
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned),
        })
    }

    /// Records one field's change. `old`/`new` are `None` for NULL (and for the side that does
    /// not exist: `old` on insert, `new` on delete).
    #[expect(
        clippy::too_many_arguments,
        reason = "one audit row has this many columns"
    )]
    pub fn record_field(
        &self,
        conn: &mut SqliteConnection,
        action: AuditAction,
        table: &str,
        record_id: i32,
        patient_id: Option<PatientId>,
        field: &str,
        old: Option<&str>,
        new: Option<&str>,
    ) -> QueryResult<()> {
        let row = self.row(action, table, record_id, patient_id, field, old, new);
        self.write(conn, &[row])
    }

    /// Records a new row: one audit row per non-NULL column (bookkeeping columns left out).
    /// Returns the number of audit rows written.
    pub fn record_insert(
        &self,
        conn: &mut SqliteConnection,
        table: &str,
        record_id: i32,
        patient_id: Option<PatientId>,
        fields: &[(String, FieldValue)],
    ) -> QueryResult<usize> {
        let rows: Vec<NewAuditLog<'_>> = audited(fields)
            .filter_map(|(name, value)| {
                let value = value.as_deref()?;
                Some(self.row(
                    AuditAction::Insert,
                    table,
                    record_id,
                    patient_id,
                    name,
                    None,
                    Some(value),
                ))
            })
            .collect();
        self.write(conn, &rows)?;
        Ok(rows.len())
    }

    /// Records an update: one audit row per column whose value changed between `before` and
    /// `after` (matched by name; bookkeeping columns left out). Returns the number written.
    pub fn record_update(
        &self,
        conn: &mut SqliteConnection,
        table: &str,
        record_id: i32,
        patient_id: Option<PatientId>,
        before: &[(String, FieldValue)],
        after: &[(String, FieldValue)],
    ) -> QueryResult<usize> {
        let rows: Vec<NewAuditLog<'_>> = audited(after)
            .filter_map(|(name, new)| {
                let old = before
                    .iter()
                    .find(|(n, _)| n == name)
                    .and_then(|(_, v)| v.as_deref());
                (old != new.as_deref()).then(|| {
                    self.row(
                        AuditAction::Update,
                        table,
                        record_id,
                        patient_id,
                        name,
                        old,
                        new.as_deref(),
                    )
                })
            })
            .collect();
        self.write(conn, &rows)?;
        Ok(rows.len())
    }

    /// Records a deleted row: one audit row per non-NULL column it had, so its last values stay
    /// readable. Returns the number written.
    pub fn record_delete(
        &self,
        conn: &mut SqliteConnection,
        table: &str,
        record_id: i32,
        patient_id: Option<PatientId>,
        fields: &[(String, FieldValue)],
    ) -> QueryResult<usize> {
        let rows: Vec<NewAuditLog<'_>> = audited(fields)
            .filter_map(|(name, value)| {
                let value = value.as_deref()?;
                Some(self.row(
                    AuditAction::Delete,
                    table,
                    record_id,
                    patient_id,
                    name,
                    Some(value),
                    None,
                ))
            })
            .collect();
        self.write(conn, &rows)?;
        Ok(rows.len())
    }

    /// One audit row of this change set.
    #[expect(
        clippy::too_many_arguments,
        reason = "one audit row has this many columns"
    )]
    fn row<'a>(
        &'a self,
        action: AuditAction,
        table: &'a str,
        record_id: i32,
        patient_id: Option<PatientId>,
        field: &'a str,
        old: Option<&'a str>,
        new: Option<&'a str>,
    ) -> NewAuditLog<'a> {
        NewAuditLog {
            change_set_id: self.id,
            changed_at: self.at,
            user_id: self.user_id,
            api_token_id: self.api_token_id,
            action: action.code(),
            table_name: table,
            record_id,
            patient_id,
            field_name: field,
            old_value: old,
            new_value: new,
            reason: self.reason.as_deref(),
        }
    }

    /// Writes audit rows with one multi-row INSERT per chunk: a follow-up save audits about 35
    /// fields, and one statement instead of 35 is most of the save transaction's cost. Chunks
    /// keep each statement's bound parameters (12 per row) far below SQLite's limit.
    fn write(&self, conn: &mut SqliteConnection, rows: &[NewAuditLog<'_>]) -> QueryResult<()> {
        const ROWS_PER_STATEMENT: usize = 500;
        ensure_in_transaction(conn)?;
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            diesel::insert_into(audit_log::table)
                .values(chunk)
                .execute(conn)?;
        }
        Ok(())
    }
}

/// The columns an audit trail shows: every one but the bookkeeping columns.
fn audited(fields: &[(String, FieldValue)]) -> impl Iterator<Item = (&str, &FieldValue)> {
    fields
        .iter()
        .map(|(name, value)| (name.as_str(), value))
        .filter(|(name, _)| !BOOKKEEPING.contains(name))
}

/// Audit rows written outside a transaction could survive a change that failed (or miss one
/// that succeeded): refuse.
fn ensure_in_transaction(conn: &mut SqliteConnection) -> QueryResult<()> {
    let depth = AnsiTransactionManager::transaction_manager_status_mut(conn).transaction_depth()?;
    if depth.is_some() {
        Ok(())
    } else {
        Err(DieselError::QueryBuilderError(
            "audit rows must be written inside the caller's transaction".into(),
        ))
    }
}

/// The audit trail of one record, oldest first.
pub fn trail_of_record(
    conn: &mut SqliteConnection,
    table: &str,
    record_id: i32,
) -> QueryResult<Vec<AuditLogRow>> {
    audit_log::table
        .filter(audit_log::table_name.eq(table))
        .filter(audit_log::record_id.eq(record_id))
        .order(audit_log::id)
        .select(AuditLogRow::as_select())
        .load(conn)
}

/// The audit trail of everything recorded about one patient, oldest first.
pub fn trail_of_patient(
    conn: &mut SqliteConnection,
    patient_id: PatientId,
) -> QueryResult<Vec<AuditLogRow>> {
    audit_log::table
        .filter(audit_log::patient_id.eq(patient_id))
        .order(audit_log::id)
        .select(AuditLogRow::as_select())
        .load(conn)
}
