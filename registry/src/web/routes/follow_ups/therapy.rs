//! The subsequent-therapy block of the follow-up form (domain.md §3.12): an anticancer therapy
//! started in the period, with why it was given (its intent decides whether responses after it
//! still count toward the CAR-T's best response, [S8]), the regimen (naming an "other"
//! therapy), when it ended, and the best response to it. The rules across them are the
//! domain's ([`TherapyDetails::problems`]).
//!
//! Input names: `therapy_category`, `therapy_start_date`, `therapy_intent`, `therapy_regimen`,
//! `therapy_end_date`, `therapy_best_response`.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::{
    audit::{ChangeSet, fields_of},
    events::{NewSubsequentTherapy, SubsequentTherapyRow},
    ids::{CourseId, FollowUpId, PatientId, UserId},
    schema::subsequent_therapies,
};
use crate::domain::{
    response::GenericResponse,
    therapy::{SubsequentTherapyCategory, TherapyDetails, TherapyField, TherapyIntent},
    vocabulary::Vocabulary,
};
use crate::web::form::{Field, InputBlock, SelectOption, chosen, short_text, vocabulary_options};

/// The longest regimen kept.
pub const REGIMEN_MAX_CHARS: usize = 200;

/// A subsequent therapy added in this period (all blank: none added).
#[derive(Debug, Clone, Default)]
pub struct NewTherapyForm {
    pub category: Field,
    pub start_date: Field,
    pub intent: Field,
    pub regimen: Field,
    pub end_date: Field,
    pub best_response: Field,
}

/// A validated subsequent therapy, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTherapyEntry {
    pub category: SubsequentTherapyCategory,
    pub start_date: NaiveDate,
    pub intent: Option<TherapyIntent>,
    pub regimen: Option<String>,
    pub end_date: Option<NaiveDate>,
    pub best_response: Option<GenericResponse>,
}

impl InputBlock for NewTherapyForm {
    fn inputs(&mut self) -> Vec<(&'static str, &mut Field)> {
        vec![
            ("therapy_category", &mut self.category),
            ("therapy_start_date", &mut self.start_date),
            ("therapy_intent", &mut self.intent),
            ("therapy_regimen", &mut self.regimen),
            ("therapy_end_date", &mut self.end_date),
            ("therapy_best_response", &mut self.best_response),
        ]
    }
}

impl NewTherapyForm {
    /// Checks a block that is not blank, given its start and end dates as the form read them
    /// (`None` when wrong or missing, the message already beside it; the end may be blank):
    /// the kind required, the intent required to complete the form, and the rules across
    /// them. `None` with messages when wrong.
    pub fn validate(
        &mut self,
        start_date: Option<NaiveDate>,
        end_date: Option<NaiveDate>,
        complete: bool,
    ) -> Option<NewTherapyEntry> {
        let category = chosen::<SubsequentTherapyCategory>(
            &mut self.category,
            true,
            "Choose the kind of therapy.",
        );
        let intent = chosen::<TherapyIntent>(
            &mut self.intent,
            complete,
            "Choose why the therapy was given.",
        );
        let regimen = short_text(&self.regimen.value, REGIMEN_MAX_CHARS, "the regimen")
            .unwrap_or_else(|message| {
                self.regimen.fail(message);
                None
            });
        let best_response = chosen::<GenericResponse>(
            &mut self.best_response,
            false,
            "Choose the best response from the list.",
        );
        let problems = TherapyDetails {
            category,
            intent,
            regimen: regimen.as_deref(),
            start_date,
            end_date,
        }
        .problems();
        for (field, message) in problems {
            self.fail_at(&input_of(field), message);
        }
        if self.has_error() {
            return None;
        }
        Some(NewTherapyEntry {
            category: category?,
            start_date: start_date?,
            intent,
            regimen,
            end_date,
            best_response,
        })
    }

    pub fn category_options(&self) -> Vec<SelectOption> {
        vocabulary_options::<SubsequentTherapyCategory>(&self.category)
    }

    pub fn intent_options(&self) -> Vec<SelectOption> {
        vocabulary_options::<TherapyIntent>(&self.intent)
    }

    pub fn best_response_options(&self) -> Vec<SelectOption> {
        vocabulary_options::<GenericResponse>(&self.best_response)
    }
}

/// The input a domain message belongs beside on the follow-up form.
fn input_of(field: TherapyField) -> String {
    format!("therapy_{}", field.column())
}

/// Inserts the therapy, reported by `follow_up_id` after course `course`, with its audit rows
/// in `changes`.
pub fn insert(
    conn: &mut SqliteConnection,
    changes: &ChangeSet,
    (pid, course): (i32, i32),
    follow_up_id: i32,
    actor: i32,
    entry: &NewTherapyEntry,
) -> QueryResult<()> {
    let row: SubsequentTherapyRow = diesel::insert_into(subsequent_therapies::table)
        .values(NewSubsequentTherapy {
            patient_id: PatientId(pid),
            course_id: CourseId(course),
            reported_in_follow_up_id: Some(FollowUpId(follow_up_id)),
            category: entry.category.code().to_owned(),
            intent: entry.intent.map(|i| i.code().to_owned()),
            regimen: entry.regimen.clone(),
            start_date: entry.start_date,
            start_date_estimated: false,
            end_date: entry.end_date,
            end_date_estimated: false,
            best_response: entry.best_response.map(|r| r.code().to_owned()),
            created_by: UserId(actor),
            updated_by: UserId(actor),
        })
        .returning(SubsequentTherapyRow::as_returning())
        .get_result(conn)?;
    changes
        .record_insert(
            conn,
            "subsequent_therapies",
            row.id.0,
            Some(PatientId(pid)),
            &fields_of(&row)?,
        )
        .map(|_| ())
}
