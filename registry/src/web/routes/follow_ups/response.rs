//! The response-assessment block of the follow-up form (domain.md §3.5): an assessment of the
//! period, by the disease's own criteria (§4.3-4.5), with how it was assessed, the Deauville
//! score of a lymphoma PET, the MRD result with its method and the assay's sensitivity, and who
//! assessed it. The reading of the answers is shared with the correction form
//! (`events::rules`); the rules across them are the domain's ([`ResponseDetails::problems`]).
//!
//! Input names: `response_date`, `response`, `response_method`, `response_deauville_score`,
//! `response_mrd`, `response_mrd_method`, `response_mrd_sensitivity`, `response_assessor`.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::{
    audit::{ChangeSet, fields_of},
    events::{NewResponseAssessment, ResponseAssessmentRow},
    ids::{CourseId, FollowUpId, PatientId, UserId},
    schema::response_assessments,
};
use crate::domain::{
    response::{
        AssessmentMethod, Assessor, DeauvilleScore, MrdMethod, MrdSensitivity, MrdStatus, Response,
        ResponseCriteria, ResponseDetails, ResponseField,
    },
    vocabulary::Vocabulary,
};
use crate::web::form::{Field, InputBlock, SelectOption, noted_code, vocabulary_options};

/// A response assessment as typed (all blank: none added).
#[derive(Debug, Clone, Default)]
pub struct NewResponseForm {
    pub date: Field,
    pub response: Field,
    pub method: Field,
    pub deauville_score: Field,
    pub mrd_status: Field,
    pub mrd_method: Field,
    pub mrd_sensitivity: Field,
    pub assessor: Field,
}

/// A validated response assessment, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewResponseEntry {
    pub date: NaiveDate,
    pub assessment: Assessment,
}

/// What an assessment found and how, as read: the response required, every other answer
/// optional.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Assessment {
    pub response: Response,
    pub method: Option<AssessmentMethod>,
    pub deauville_score: Option<DeauvilleScore>,
    pub mrd_status: Option<MrdStatus>,
    pub mrd_method: Option<MrdMethod>,
    pub mrd_sensitivity: Option<MrdSensitivity>,
    pub assessor: Option<Assessor>,
}

/// The answers as typed, by whatever names the form gives them (the date is read by the form,
/// with its own bounds).
#[derive(Debug, Clone, Copy)]
pub struct TypedAssessment<'a> {
    pub response: &'a str,
    pub method: &'a str,
    pub deauville_score: &'a str,
    pub mrd_status: &'a str,
    pub mrd_method: &'a str,
    pub mrd_sensitivity: &'a str,
    pub assessor: &'a str,
}

/// Reads the answers by the disease's criteria and checks them across: the assessment, or each
/// message with the input it belongs beside (what cannot be read first; the rules across inputs
/// once everything reads).
pub fn read_assessment(
    typed: TypedAssessment<'_>,
    criteria: ResponseCriteria,
) -> Result<Assessment, Vec<(ResponseField, String)>> {
    use ResponseField as F;
    let mut problems = Vec::new();
    let response = Response::parse(criteria, typed.response)
        .map_err(|_| {
            problems.push((
                F::Response,
                format!("Choose the response by {} criteria.", criteria.label()),
            ));
        })
        .ok();
    let deauville_score = match typed.deauville_score.trim() {
        "" => None,
        score => DeauvilleScore::parse(score)
            .map_err(|_| {
                problems.push((
                    F::DeauvilleScore,
                    "Choose the Deauville score, 1 to 5.".to_owned(),
                ));
            })
            .ok(),
    };
    let method = noted_code(
        typed.method,
        (F::Method, "Choose the method from the list."),
        &mut problems,
    );
    let mrd_status = noted_code(
        typed.mrd_status,
        (F::MrdStatus, "Choose the MRD status."),
        &mut problems,
    );
    let mrd_method = noted_code(
        typed.mrd_method,
        (F::MrdMethod, "Choose the MRD method."),
        &mut problems,
    );
    let mrd_sensitivity = noted_code(
        typed.mrd_sensitivity,
        (
            F::MrdSensitivity,
            "Choose the sensitivity of the MRD assay.",
        ),
        &mut problems,
    );
    let assessor = noted_code(
        typed.assessor,
        (F::Assessor, "Choose who assessed it."),
        &mut problems,
    );
    if !problems.is_empty() {
        return Err(problems);
    }
    let details = ResponseDetails {
        criteria,
        response,
        method,
        deauville_score,
        mrd_status,
        mrd_method,
        mrd_sensitivity,
    };
    let problems = details.problems();
    if !problems.is_empty() {
        return Err(problems);
    }
    // Read without a problem, so the response is there.
    let Some(response) = response else {
        return Err(problems);
    };
    Ok(Assessment {
        response,
        method,
        deauville_score,
        mrd_status,
        mrd_method,
        mrd_sensitivity,
        assessor,
    })
}

impl InputBlock for NewResponseForm {
    fn inputs(&mut self) -> Vec<(&'static str, &mut Field)> {
        vec![
            ("response_date", &mut self.date),
            ("response", &mut self.response),
            ("response_method", &mut self.method),
            ("response_deauville_score", &mut self.deauville_score),
            ("response_mrd", &mut self.mrd_status),
            ("response_mrd_method", &mut self.mrd_method),
            ("response_mrd_sensitivity", &mut self.mrd_sensitivity),
            ("response_assessor", &mut self.assessor),
        ]
    }
}

/// The input of the follow-up form a domain message belongs beside.
fn input_of(field: ResponseField) -> &'static str {
    match field {
        ResponseField::Response => "response",
        ResponseField::Method => "response_method",
        ResponseField::DeauvilleScore => "response_deauville_score",
        ResponseField::MrdStatus => "response_mrd",
        ResponseField::MrdMethod => "response_mrd_method",
        ResponseField::MrdSensitivity => "response_mrd_sensitivity",
        ResponseField::Assessor => "response_assessor",
    }
}

impl NewResponseForm {
    /// Checks a block that is not blank, given its date as the form read it (`None` when wrong
    /// or missing, the message already beside it): the answers read by the disease's criteria
    /// and checked across ([`read_assessment`]). `None` with messages when wrong.
    pub fn validate(
        &mut self,
        criteria: ResponseCriteria,
        date: Option<NaiveDate>,
    ) -> Option<NewResponseEntry> {
        let typed = TypedAssessment {
            response: &self.response.value,
            method: &self.method.value,
            deauville_score: &self.deauville_score.value,
            mrd_status: &self.mrd_status.value,
            mrd_method: &self.mrd_method.value,
            mrd_sensitivity: &self.mrd_sensitivity.value,
            assessor: &self.assessor.value,
        };
        let assessment = read_assessment(typed, criteria)
            .map_err(|problems| {
                for (field, message) in problems {
                    self.fail_at(input_of(field), message);
                }
            })
            .ok();
        if self.has_error() {
            return None;
        }
        Some(NewResponseEntry {
            date: date?,
            assessment: assessment?,
        })
    }

    /// The responses of the criteria, best first, the typed one selected.
    pub fn response_options(&self, criteria: ResponseCriteria) -> Vec<SelectOption> {
        selected_in(response_choices(criteria), &self.response)
    }

    pub fn method_options(&self) -> Vec<SelectOption> {
        vocabulary_options::<AssessmentMethod>(&self.method)
    }

    pub fn deauville_options(&self) -> Vec<SelectOption> {
        selected_in(deauville_choices(), &self.deauville_score)
    }

    pub fn mrd_status_options(&self) -> Vec<SelectOption> {
        vocabulary_options::<MrdStatus>(&self.mrd_status)
    }

    pub fn mrd_method_options(&self) -> Vec<SelectOption> {
        vocabulary_options::<MrdMethod>(&self.mrd_method)
    }

    pub fn mrd_sensitivity_options(&self) -> Vec<SelectOption> {
        vocabulary_options::<MrdSensitivity>(&self.mrd_sensitivity)
    }

    pub fn assessor_options(&self) -> Vec<SelectOption> {
        vocabulary_options::<Assessor>(&self.assessor)
    }
}

/// The choices as options, the one typed in `field` selected.
fn selected_in(choices: Vec<(String, String)>, field: &Field) -> Vec<SelectOption> {
    choices
        .into_iter()
        .map(|(code, label)| SelectOption {
            selected: code == field.value.trim(),
            code,
            label,
        })
        .collect()
}

/// The responses of the criteria as (code, label), best first.
pub fn response_choices(criteria: ResponseCriteria) -> Vec<(String, String)> {
    Response::all_for(criteria)
        .into_iter()
        .map(|r| (r.code().to_owned(), r.label().to_owned()))
        .collect()
}

/// The Deauville scores as (code, label), 1 to 5.
pub fn deauville_choices() -> Vec<(String, String)> {
    (1..=5)
        .filter_map(|n| DeauvilleScore::new(n).ok())
        .map(|s| (s.to_string(), s.label().to_owned()))
        .collect()
}

/// Inserts the assessment, reported by `follow_up_id` after course `course`, with its audit
/// rows in `changes`.
pub fn insert(
    conn: &mut SqliteConnection,
    changes: &ChangeSet,
    (pid, course): (i32, i32),
    follow_up_id: i32,
    actor: i32,
    entry: &NewResponseEntry,
) -> QueryResult<()> {
    let a = &entry.assessment;
    let code = |c: Option<&'static str>| c.map(str::to_owned);
    let row: ResponseAssessmentRow = diesel::insert_into(response_assessments::table)
        .values(NewResponseAssessment {
            patient_id: PatientId(pid),
            course_id: CourseId(course),
            reported_in_follow_up_id: Some(FollowUpId(follow_up_id)),
            assessment_date: entry.date,
            assessment_date_estimated: false,
            method: code(a.method.map(|m| m.code())),
            criteria: a.response.criteria().code().to_owned(),
            response: a.response.code().to_owned(),
            deauville_score: a.deauville_score.map(|s| i32::from(s.get())),
            mrd_status: code(a.mrd_status.map(|m| m.code())),
            mrd_method: code(a.mrd_method.map(|m| m.code())),
            mrd_sensitivity: code(a.mrd_sensitivity.map(|s| s.code())),
            assessor: code(a.assessor.map(|s| s.code())),
            created_by: UserId(actor),
            updated_by: UserId(actor),
        })
        .returning(ResponseAssessmentRow::as_returning())
        .get_result(conn)?;
    changes
        .record_insert(
            conn,
            "response_assessments",
            row.id.0,
            Some(PatientId(pid)),
            &fields_of(&row)?,
        )
        .map(|_| ())
}
