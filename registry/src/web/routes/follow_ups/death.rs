//! The death block of the follow-up form (CIBMTR 2900, domain.md §3.13): reported once, in the
//! period it fell in, with survival status Dead. The date (also the period's contact date), the
//! primary cause (named when Other), the causes that contributed besides it (check all; an
//! Other one named), and the autopsy (done, not done, pending; the report attached). The rules
//! across them are the domain's ([`DeathDetails::problems`]).
//!
//! Input names: `death_date`, `death_cause`, `death_cause_other`, `death_contributing_causes`
//! (one pair per ticked cause; a list in the API), `death_contributing_cause_other`,
//! `death_autopsy`, `death_autopsy_report_attached` (`1` when ticked).

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::{
    audit::{ChangeSet, fields_of},
    events::{DeathContributingCauseRow, DeathRow, NewDeath, NewDeathContributingCause},
    ids::{DeathId, FollowUpId, PatientId, UserId},
    schema::{death_contributing_causes, deaths},
};
use crate::domain::{
    death::{Autopsy, CauseOfDeath, DeathDetails, DeathField},
    vocabulary::Vocabulary,
};
use crate::web::form::{
    Field, InputBlock, SelectOption, check_options, chosen, options, short_text, ticked,
    with_other_named,
};

/// The longest name of an other cause kept.
pub const CAUSE_NAME_MAX_CHARS: usize = 200;

/// The death as typed (all blank: none reported).
#[derive(Debug, Clone, Default)]
pub struct NewDeathForm {
    pub date: Field,
    pub cause: Field,
    pub cause_other: Field,
    /// The ticked contributing causes' codes, joined by commas.
    pub contributing: Field,
    pub contributing_other: Field,
    pub autopsy: Field,
    /// `1` when the autopsy report is attached.
    pub report_attached: Field,
}

/// A validated death, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDeathEntry {
    pub date: NaiveDate,
    pub cause: CauseOfDeath,
    pub cause_other: Option<String>,
    pub contributing: Vec<CauseOfDeath>,
    pub contributing_other: Option<String>,
    pub autopsy: Option<Autopsy>,
    pub report_attached: bool,
}

impl InputBlock for NewDeathForm {
    fn inputs(&mut self) -> Vec<(&'static str, &mut Field)> {
        vec![
            ("death_date", &mut self.date),
            ("death_cause", &mut self.cause),
            ("death_cause_other", &mut self.cause_other),
            ("death_contributing_causes", &mut self.contributing),
            (
                "death_contributing_cause_other",
                &mut self.contributing_other,
            ),
            ("death_autopsy", &mut self.autopsy),
            ("death_autopsy_report_attached", &mut self.report_attached),
        ]
    }
}

/// The input of the follow-up form a domain message belongs beside.
fn input_of(field: DeathField) -> &'static str {
    match field {
        DeathField::PrimaryCause => "death_cause",
        DeathField::PrimaryCauseOther => "death_cause_other",
        DeathField::ContributingCauses => "death_contributing_causes",
        DeathField::ContributingCauseOther => "death_contributing_cause_other",
        DeathField::Autopsy => "death_autopsy",
        DeathField::AutopsyReportAttached => "death_autopsy_report_attached",
    }
}

impl NewDeathForm {
    /// Checks a reported death given its date as the form read it (`None` when wrong or
    /// missing, the message already beside it): the primary cause required, the autopsy
    /// answer required to complete the form, and the rules across the causes and the autopsy.
    /// `None` with messages when wrong.
    pub fn validate(&mut self, date: Option<NaiveDate>, complete: bool) -> Option<NewDeathEntry> {
        let cause =
            chosen::<CauseOfDeath>(&mut self.cause, true, "Choose the primary cause of death.");
        let cause_other = self.name(DeathField::PrimaryCauseOther);
        let (contributing, unknown) = ticked::<CauseOfDeath>(&self.contributing);
        if unknown {
            self.contributing
                .fail("Tick the contributing causes from the list.");
        }
        let contributing_other = self.name(DeathField::ContributingCauseOther);
        let autopsy = chosen::<Autopsy>(
            &mut self.autopsy,
            complete,
            "Answer whether an autopsy was done (or is pending).",
        );
        let report_attached = self.report_attached.tick();
        let problems = DeathDetails {
            primary_cause: cause,
            primary_cause_other: cause_other.as_deref(),
            contributing: &contributing,
            contributing_other: contributing_other.as_deref(),
            autopsy,
            autopsy_report_attached: report_attached,
        }
        .problems();
        for (field, message) in problems {
            self.fail_at(input_of(field), message);
        }
        if self.has_error() {
            return None;
        }
        Some(NewDeathEntry {
            date: date?,
            cause: cause?,
            cause_other,
            contributing,
            contributing_other,
            autopsy,
            report_attached,
        })
    }

    /// The name typed for an other cause, within its length (a message beside it otherwise).
    fn name(&mut self, field: DeathField) -> Option<String> {
        let input = input_of(field);
        let typed = self
            .inputs()
            .into_iter()
            .find(|(n, _)| *n == input)
            .map(|(_, f)| f.value.clone())
            .unwrap_or_default();
        short_text(&typed, CAUSE_NAME_MAX_CHARS, "the cause").unwrap_or_else(|message| {
            self.fail_at(input, message);
            None
        })
    }

    /// The causes of death, the typed one selected.
    pub fn cause_options(&self) -> Vec<SelectOption> {
        options(
            CauseOfDeath::ALL.iter().map(|c| (c.code(), c.label())),
            self.cause.value.trim(),
        )
    }

    /// The contributing causes' check-all (selected: ticked).
    pub fn contributing_checks(&self) -> Vec<SelectOption> {
        check_options::<CauseOfDeath>(&self.contributing)
    }

    pub fn autopsy_options(&self) -> Vec<SelectOption> {
        options(
            Autopsy::ALL.iter().map(|a| (a.code(), a.label())),
            self.autopsy.value.trim(),
        )
    }

    /// The report box is ticked.
    pub fn report_ticked(&self) -> bool {
        self.report_attached.value.trim() == "1"
    }
}

/// Inserts the death and its contributing causes, reported by `follow_up_id`, with their audit
/// rows in `changes`.
pub fn insert(
    conn: &mut SqliteConnection,
    changes: &ChangeSet,
    pid: i32,
    follow_up_id: i32,
    actor: i32,
    entry: &NewDeathEntry,
) -> QueryResult<()> {
    let death: DeathRow = diesel::insert_into(deaths::table)
        .values(NewDeath {
            patient_id: PatientId(pid),
            reported_in_follow_up_id: Some(FollowUpId(follow_up_id)),
            death_date: entry.date,
            death_date_estimated: false,
            primary_cause: entry.cause.code().to_owned(),
            primary_cause_other: entry.cause_other.clone(),
            autopsy: entry.autopsy.map(|a| a.code().to_owned()),
            autopsy_report_attached: entry.report_attached,
            created_by: UserId(actor),
            updated_by: UserId(actor),
        })
        .returning(DeathRow::as_returning())
        .get_result(conn)?;
    changes.record_insert(
        conn,
        "deaths",
        death.id.0,
        Some(PatientId(pid)),
        &fields_of(&death)?,
    )?;
    let contributing = with_other_named(
        &entry.contributing,
        CauseOfDeath::Other,
        entry.contributing_other.as_deref(),
    );
    for (cause, cause_other) in contributing {
        let row: DeathContributingCauseRow = diesel::insert_into(death_contributing_causes::table)
            .values(NewDeathContributingCause {
                death_id: DeathId(death.id.0),
                cause: cause.code().to_owned(),
                cause_other,
                created_by: UserId(actor),
                updated_by: UserId(actor),
            })
            .returning(DeathContributingCauseRow::as_returning())
            .get_result(conn)?;
        changes.record_insert(
            conn,
            "death_contributing_causes",
            row.id.0,
            Some(PatientId(pid)),
            &fields_of(&row)?,
        )?;
    }
    Ok(())
}
