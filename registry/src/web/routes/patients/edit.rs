//! `/patients/{id}/edit`: corrections of the patient record by a coordinator of the patient's
//! site. Two forms on one page, each saved on its own:
//!
//! - demographics (`POST /patients/{id}/edit`): the fields of the enrolment form, checked by the
//!   same validation as at enrolment (`new::EnrolForm::validate`); site and registry id are
//!   identities and stay as they are;
//! - long-term follow-up status (`POST /patients/{id}/status`): active, lost, withdrawn or
//!   transferred, with the date it took effect. Dead is never set by hand: it follows the death
//!   record (recorded on a follow-up form, removed by deleting that record).
//!
//! Both ask for a reason, write their audit rows in the same transaction
//! (`db::patients::revise_patient`) and refuse a stale save with 409 and what changed.

use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Deserialize;

use super::new::{EnrolForm, parse_date};
use super::{find_patient, what_changed};
use crate::db::{
    ids::{PatientId, UserId},
    patients::{PatientRevision, PatientRow, revise_patient},
    schema::{deaths, follow_ups, sites},
};
use crate::domain::{
    access::Permission,
    patient::{ConsentStatus, LtfuStatus, Sex},
    vocabulary::Vocabulary,
};
use crate::web::{
    auth::{extract::CurrentUser, session::TypedSession},
    error::{AppError, render, see_other},
    form::{Field, SelectOption, options},
    layout::Layout,
    startup::AppState,
};

/// The demographics form: the enrolment form's fields, the version read, and a reason.
#[derive(Debug, Clone, Default)]
pub struct DemographicsForm {
    pub fields: EnrolForm,
    pub row_version: i32,
    pub reason: Field,
    /// Shown above the form: a stale save, or that nothing was saved.
    pub form_error: Option<String>,
}

/// The long-term follow-up status form as typed.
#[derive(Debug, Clone, Default)]
pub struct StatusForm {
    pub status: Field,
    pub status_date: Field,
    pub transfer_centre: Field,
    pub contact_attempts: Field,
    pub row_version: i32,
    pub reason: Field,
    pub form_error: Option<String>,
}

/// A validated status change.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusInput {
    pub status: LtfuStatus,
    pub date: Option<NaiveDate>,
    pub transfer_centre: Option<String>,
    pub contact_attempts: Option<i32>,
    pub reason: String,
}

/// What the status rules need to know beside the form.
#[derive(Debug, Clone, Copy)]
pub struct StatusContext {
    pub enrolment_date: NaiveDate,
    /// A death is recorded: the status is Dead until that record is deleted.
    pub dead: bool,
    /// The latest contact date of any follow-up.
    pub last_contact: Option<NaiveDate>,
}

/// The statuses a coordinator may set by hand (Dead follows the death record).
pub const SETTABLE: [LtfuStatus; 4] = [
    LtfuStatus::Active,
    LtfuStatus::Lost,
    LtfuStatus::Withdrawn,
    LtfuStatus::Transferred,
];

fn required_reason(field: &mut Field) -> Option<String> {
    let reason = field.optional();
    if reason.is_none() {
        field.fail("Give the reason for the correction.");
    }
    reason
}

impl StatusForm {
    /// The form filled from the stored row.
    pub fn from_row(row: &PatientRow) -> Self {
        Self {
            status: Field::new(row.ltfu_status.clone()),
            status_date: Field::new(
                row.ltfu_status_date
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            ),
            transfer_centre: Field::new(row.transfer_centre.clone().unwrap_or_default()),
            contact_attempts: Field::new(
                row.ltfu_contact_attempts
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
            ),
            row_version: row.row_version,
            reason: Field::default(),
            form_error: None,
        }
    }

    /// Validates the status change (domain.md §3.1): a settable status, dated unless active, not
    /// before enrolment nor before the last recorded contact, a centre for a transfer, contact
    /// attempts only for lost, and never while a death is recorded.
    pub fn validate(&mut self, ctx: StatusContext, today: NaiveDate) -> Option<StatusInput> {
        let status = match LtfuStatus::parse(&self.status.value) {
            Ok(LtfuStatus::Dead) => {
                self.status.fail(
                    "Dead is recorded with the death, on the follow-up form of the period it fell in.",
                );
                None
            }
            Ok(s) => Some(s),
            Err(_) => {
                self.status.fail("Choose the follow-up status.");
                None
            }
        };
        if ctx.dead {
            self.status.fail(
                "A death is recorded for this patient: correct or delete the death record first.",
            );
        }
        let date = parse_date(
            &mut self.status_date,
            status.is_some_and(|s| s != LtfuStatus::Active),
            today,
        );
        if let Some(d) = date {
            if d < ctx.enrolment_date {
                self.status_date.fail(format!(
                    "The status cannot take effect before enrolment ({}).",
                    ctx.enrolment_date
                ));
            } else if status.is_some_and(|s| s != LtfuStatus::Active)
                && ctx.last_contact.is_some_and(|c| d < c)
            {
                self.status_date.fail(format!(
                    "A follow-up contact is recorded on {}: the status cannot take effect before it.",
                    ctx.last_contact.unwrap_or(d)
                ));
            }
        }
        let transfer_centre = self.transfer_centre.optional();
        match (status, &transfer_centre) {
            (Some(LtfuStatus::Transferred), None) => self
                .transfer_centre
                .fail("Name the centre that took over follow-up."),
            (Some(LtfuStatus::Transferred), Some(c)) if c.chars().count() > 200 => {
                self.transfer_centre.fail("Use at most 200 characters.")
            }
            (Some(s), Some(_)) if s != LtfuStatus::Transferred => self
                .transfer_centre
                .fail("A centre goes with a transfer: choose Transferred or clear it."),
            _ => {}
        }
        let contact_attempts = if self.contact_attempts.is_blank() {
            None
        } else {
            match self.contact_attempts.value.trim().parse::<i32>() {
                Ok(n) if (0..=1000).contains(&n) => {
                    if status.is_some_and(|s| s != LtfuStatus::Lost) {
                        self.contact_attempts
                            .fail("Contact attempts go with lost to follow-up: clear them.");
                    }
                    Some(n)
                }
                _ => {
                    self.contact_attempts
                        .fail("Enter the number of attempts as a whole number, e.g. 3.");
                    None
                }
            }
        };
        let reason = required_reason(&mut self.reason);
        let failed = [
            &self.status,
            &self.status_date,
            &self.transfer_centre,
            &self.contact_attempts,
            &self.reason,
        ]
        .iter()
        .any(|f| f.error.is_some());
        if failed {
            return None;
        }
        Some(StatusInput {
            status: status?,
            date,
            transfer_centre,
            contact_attempts,
            reason: reason?,
        })
    }
}

/// The page: both forms.
#[derive(Template)]
#[template(path = "patients/edit.html")]
pub struct EditPage {
    pub layout: Layout,
    pub patient_id: i32,
    pub registry_id: String,
    pub site: String,
    pub demographics: DemographicsForm,
    pub status: StatusForm,
    pub sexes: Vec<SelectOption>,
    pub consents: Vec<SelectOption>,
    pub statuses: Vec<SelectOption>,
}

impl EditPage {
    fn new(
        layout: Layout,
        patient: &PatientRow,
        site: String,
        demographics: DemographicsForm,
        status: StatusForm,
    ) -> Self {
        Self {
            sexes: options(
                Sex::ALL.iter().map(|v| (v.code(), v.label())),
                &demographics.fields.sex.value,
            ),
            consents: options(
                ConsentStatus::ALL.iter().map(|v| (v.code(), v.label())),
                &demographics.fields.consent_research.value,
            ),
            statuses: options(
                SETTABLE.iter().map(|v| (v.code(), v.label())),
                &status.status.value,
            ),
            layout,
            patient_id: patient.id.0,
            registry_id: patient.registry_id.clone(),
            site,
            demographics,
            status,
        }
    }
}

/// The demographics form filled from the stored row.
fn demographics_of(row: &PatientRow, site: &str) -> DemographicsForm {
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    DemographicsForm {
        fields: EnrolForm {
            site: Field::new(site),
            registry_id: Field::new(row.registry_id.clone()),
            sex: Field::new(row.sex.clone()),
            birth_year: Field::new(row.birth_year.to_string()),
            birth_date: Field::new(date(row.birth_date)),
            enrolment_date: Field::new(row.enrolment_date.to_string()),
            consent_research: Field::new(row.consent_research.clone()),
            consent_research_date: Field::new(date(row.consent_research_date)),
            trial_subject_id: Field::new(row.trial_subject_id.clone().unwrap_or_default()),
        },
        row_version: row.row_version,
        reason: Field::default(),
        form_error: None,
    }
}

/// The patient (in the user's write scope, else 404), its site code and the status context.
fn load(
    conn: &mut SqliteConnection,
    user: &CurrentUser,
    id: i32,
) -> Result<(PatientRow, String, StatusContext), AppError> {
    let scope = user.sites_for(Permission::WritePatients)?;
    let patient = find_patient(conn, &scope, id)?.ok_or(AppError::NotFound)?;
    let site: String = sites::table
        .find(patient.site_id.0)
        .select(sites::code)
        .first(conn)?;
    let dead = deaths::table
        .filter(deaths::patient_id.eq(id))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    let last_contact: Option<NaiveDate> = follow_ups::table
        .filter(follow_ups::patient_id.eq(id))
        .select(diesel::dsl::max(follow_ups::contact_date))
        .first(conn)?;
    let ctx = StatusContext {
        enrolment_date: patient.enrolment_date,
        dead: dead || patient.ltfu_status == LtfuStatus::Dead.code(),
        last_contact,
    };
    Ok((patient, site, ctx))
}

/// Shows both forms filled from the stored record.
pub async fn get(
    user: CurrentUser,
    session: TypedSession,
    path: web::Path<i32>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let who = user.clone();
    let (patient, site, _) = state.db(move |conn| load(conn, &who, id)).await?;
    let page = EditPage::new(
        Layout::new(&user, &session, "patients")?,
        &patient,
        site.clone(),
        demographics_of(&patient, &site),
        StatusForm::from_row(&patient),
    );
    render(StatusCode::OK, &page)
}

/// The demographics form as sent.
#[derive(Debug, Deserialize)]
pub struct DemographicsFields {
    #[serde(default)]
    sex: String,
    #[serde(default)]
    birth_year: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    enrolment_date: String,
    #[serde(default)]
    consent_research: String,
    #[serde(default)]
    consent_research_date: String,
    #[serde(default)]
    trial_subject_id: String,
    #[serde(default)]
    row_version: String,
    #[serde(default)]
    reason: String,
}

/// Saves the demographics (303 to the patient page), or 422 / 409 with the values kept.
pub async fn post_demographics(
    user: CurrentUser,
    session: TypedSession,
    path: web::Path<i32>,
    form: web::Form<DemographicsFields>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let who = user.clone();
    let (patient, site, _) = state.db(move |conn| load(conn, &who, id)).await?;
    let f = form.into_inner();
    let mut view = DemographicsForm {
        fields: EnrolForm {
            site: Field::new(site.clone()),
            registry_id: Field::new(patient.registry_id.clone()),
            sex: Field::new(f.sex),
            birth_year: Field::new(f.birth_year),
            birth_date: Field::new(f.birth_date),
            enrolment_date: Field::new(f.enrolment_date),
            consent_research: Field::new(f.consent_research),
            consent_research_date: Field::new(f.consent_research_date),
            trial_subject_id: Field::new(f.trial_subject_id),
        },
        row_version: f.row_version.trim().parse().unwrap_or(-1),
        reason: Field::new(f.reason),
        form_error: None,
    };
    let today = chrono::Utc::now().date_naive();
    let input = view.fields.validate(std::slice::from_ref(&site), today);
    let reason = required_reason(&mut view.reason);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    let mut shown = patient.clone();
    if let (Some(input), Some(reason)) = (input, reason) {
        let (actor, version) = (UserId(user.id), view.row_version);
        let outcome = state
            .db(move |conn| {
                Ok(revise_patient(
                    conn,
                    actor,
                    PatientId(id),
                    version,
                    &reason,
                    |set| {
                        set.sex = input.sex.code().to_owned();
                        set.birth_year = input.birth_year;
                        set.birth_date = input.birth_date;
                        set.enrolment_date = input.enrolment_date;
                        set.consent_research = input.consent_research.code().to_owned();
                        set.consent_research_date = input.consent_research_date;
                        set.trial_subject_id = input.trial_subject_id;
                    },
                )?)
            })
            .await?;
        match outcome {
            PatientRevision::Saved(_) => return Ok(see_other(&format!("/patients/{id}"))),
            PatientRevision::Stale { current, by } => {
                status = StatusCode::CONFLICT;
                let stored = demographics_of(&current, &site).fields;
                let typed = &view.fields;
                view.form_error = Some(what_changed(
                    &by,
                    current.updated_at,
                    &[
                        ("Sex", &typed.sex.value, &stored.sex.value),
                        (
                            "Year of birth",
                            &typed.birth_year.value,
                            &stored.birth_year.value,
                        ),
                        (
                            "Date of birth",
                            &typed.birth_date.value,
                            &stored.birth_date.value,
                        ),
                        (
                            "Enrolment date",
                            &typed.enrolment_date.value,
                            &stored.enrolment_date.value,
                        ),
                        (
                            "Research consent",
                            &typed.consent_research.value,
                            &stored.consent_research.value,
                        ),
                        (
                            "Consent date",
                            &typed.consent_research_date.value,
                            &stored.consent_research_date.value,
                        ),
                        (
                            "Trial subject id",
                            &typed.trial_subject_id.value,
                            &stored.trial_subject_id.value,
                        ),
                    ],
                ));
                view.row_version = current.row_version;
                shown = *current;
            }
        }
    }
    if view.form_error.is_none() {
        view.form_error = Some("The demographics were not saved: see the messages below.".into());
    }
    let page = EditPage::new(
        Layout::new(&user, &session, "patients")?,
        &shown,
        site,
        view,
        StatusForm::from_row(&shown),
    );
    render(status, &page)
}

/// The status form as sent.
#[derive(Debug, Deserialize)]
pub struct StatusFields {
    #[serde(default)]
    status: String,
    #[serde(default)]
    status_date: String,
    #[serde(default)]
    transfer_centre: String,
    #[serde(default)]
    contact_attempts: String,
    #[serde(default)]
    row_version: String,
    /// Named apart from the demographics form's `reason`: both forms are on one page.
    #[serde(default)]
    status_reason: String,
}

/// Saves the follow-up status (303 to the patient page), or 422 / 409 with the values kept.
pub async fn post_status(
    user: CurrentUser,
    session: TypedSession,
    path: web::Path<i32>,
    form: web::Form<StatusFields>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let who = user.clone();
    let (patient, site, ctx) = state.db(move |conn| load(conn, &who, id)).await?;
    let f = form.into_inner();
    let mut view = StatusForm {
        status: Field::new(f.status),
        status_date: Field::new(f.status_date),
        transfer_centre: Field::new(f.transfer_centre),
        contact_attempts: Field::new(f.contact_attempts),
        row_version: f.row_version.trim().parse().unwrap_or(-1),
        reason: Field::new(f.status_reason),
        form_error: None,
    };
    let today = chrono::Utc::now().date_naive();
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    let mut shown = patient.clone();
    if let Some(input) = view.validate(ctx, today) {
        let (actor, version) = (UserId(user.id), view.row_version);
        let reason = input.reason.clone();
        let outcome = state
            .db(move |conn| {
                Ok(revise_patient(
                    conn,
                    actor,
                    PatientId(id),
                    version,
                    &reason,
                    |set| {
                        set.ltfu_status = input.status.code().to_owned();
                        set.ltfu_status_date = input.date;
                        set.ltfu_status_date_estimated = false;
                        set.transfer_centre = input.transfer_centre;
                        set.ltfu_contact_attempts = input.contact_attempts;
                    },
                )?)
            })
            .await?;
        match outcome {
            PatientRevision::Saved(_) => return Ok(see_other(&format!("/patients/{id}"))),
            PatientRevision::Stale { current, by } => {
                status = StatusCode::CONFLICT;
                let stored = StatusForm::from_row(&current);
                view.form_error = Some(what_changed(
                    &by,
                    current.updated_at,
                    &[
                        ("Status", &view.status.value, &stored.status.value),
                        (
                            "Status date",
                            &view.status_date.value,
                            &stored.status_date.value,
                        ),
                        (
                            "Transfer centre",
                            &view.transfer_centre.value,
                            &stored.transfer_centre.value,
                        ),
                        (
                            "Contact attempts",
                            &view.contact_attempts.value,
                            &stored.contact_attempts.value,
                        ),
                    ],
                ));
                view.row_version = current.row_version;
                shown = *current;
            }
        }
    }
    if view.form_error.is_none() {
        view.form_error = Some("The status was not saved: see the messages below.".into());
    }
    let page = EditPage::new(
        Layout::new(&user, &session, "patients")?,
        &shown,
        site.clone(),
        demographics_of(&shown, &site),
        view,
    );
    render(status, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn ctx() -> StatusContext {
        StatusContext {
            enrolment_date: date("2024-01-10"),
            dead: false,
            last_contact: Some(date("2024-06-01")),
        }
    }

    fn form(status: &str, d: &str, centre: &str, attempts: &str) -> StatusForm {
        StatusForm {
            status: Field::new(status),
            status_date: Field::new(d),
            transfer_centre: Field::new(centre),
            contact_attempts: Field::new(attempts),
            row_version: 1,
            reason: Field::new("Coordinator confirmed"),
            form_error: None,
        }
    }

    /// (status, date, centre, attempts, the field that must carry the message)
    type Case = (
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        fn(&StatusForm) -> &Field,
    );

    #[test]
    fn status_rules_name_the_wrong_field() {
        let today = date("2025-01-01");
        let cases: [Case; 8] = [
            ("DEAD", "2024-07-01", "", "", |f| &f.status),
            ("", "", "", "", |f| &f.status),
            ("LOST", "", "", "3", |f| &f.status_date),
            ("LOST", "2024-05-01", "", "3", |f| &f.status_date),
            ("WITHDRAWN", "2023-12-31", "", "", |f| &f.status_date),
            ("TRANSFERRED", "2024-07-01", "", "", |f| &f.transfer_centre),
            ("WITHDRAWN", "2024-07-01", "Other centre", "", |f| {
                &f.transfer_centre
            }),
            ("WITHDRAWN", "2024-07-01", "", "2", |f| &f.contact_attempts),
        ];
        for (status, d, centre, attempts, field) in cases {
            let mut f = form(status, d, centre, attempts);
            assert!(f.validate(ctx(), today).is_none(), "{status} {d} accepted");
            assert!(field(&f).error.is_some(), "{status} {d}: {f:?}");
        }
        let mut ok = form("TRANSFERRED", "2024-07-01", "Other centre", "");
        let input = ok.validate(ctx(), today).unwrap();
        assert_eq!(input.status, LtfuStatus::Transferred);
        assert_eq!(input.transfer_centre.as_deref(), Some("Other centre"));
        let mut dead = form("ACTIVE", "", "", "");
        let dead_ctx = StatusContext {
            dead: true,
            ..ctx()
        };
        assert!(dead.validate(dead_ctx, today).is_none());
        let mut no_reason = form("ACTIVE", "", "", "");
        no_reason.reason = Field::default();
        assert!(no_reason.validate(ctx(), today).is_none());
        assert!(no_reason.reason.error.is_some());
    }
}
