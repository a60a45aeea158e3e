//! `GET /patients/new`: the enrolment form, and the form's shared parts (view, validation).

use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use chrono::{Datelike, NaiveDate};

use super::sites_open_for_enrolment;
use crate::domain::{
    access::Permission,
    patient::{ConsentStatus, RegistryId, Sex},
    vocabulary::Vocabulary,
};
use crate::web::{
    auth::{
        extract::{CurrentUser, SiteFilter},
        session::TypedSession,
    },
    error::{AppError, render},
    form::{Field, SelectOption, chosen, options},
    layout::Layout,
    startup::AppState,
};

/// The enrolment form as typed.
#[derive(Debug, Clone, Default)]
pub struct EnrolForm {
    pub site: Field,
    pub registry_id: Field,
    pub sex: Field,
    pub birth_year: Field,
    pub birth_date: Field,
    pub enrolment_date: Field,
    pub consent_research: Field,
    pub consent_research_date: Field,
    pub trial_subject_id: Field,
}

/// A validated enrolment.
#[derive(Debug, Clone)]
pub struct EnrolInput {
    pub site_code: String,
    /// `None`: the next number of the site is given.
    pub registry_id: Option<RegistryId>,
    pub sex: Sex,
    pub birth_year: i32,
    pub birth_date: Option<NaiveDate>,
    pub enrolment_date: NaiveDate,
    pub consent_research: ConsentStatus,
    pub consent_research_date: Option<NaiveDate>,
    pub trial_subject_id: Option<String>,
}

/// Parses a date typed as YYYY-MM-DD, with a message for the field otherwise.
pub fn parse_date(field: &mut Field, required: bool, today: NaiveDate) -> Option<NaiveDate> {
    let text = field.value.trim();
    if text.is_empty() {
        if required {
            field.fail("Enter a date (YYYY-MM-DD).");
        }
        return None;
    }
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(date) if date > today => {
            field.fail("This date is in the future.");
            None
        }
        Ok(date) => Some(date),
        Err(_) => {
            field.fail("Use the form YYYY-MM-DD, e.g. 2024-03-15.");
            None
        }
    }
}

impl EnrolForm {
    /// Validates every field and the rules across them; `None` with messages attached when
    /// anything is wrong. `sites` are the codes the user may enrol at.
    pub fn validate(&mut self, sites: &[String], today: NaiveDate) -> Option<EnrolInput> {
        let site_code = self.site.value.trim().to_owned();
        if site_code.is_empty() {
            self.site.fail("Choose the site.");
        } else if !sites.contains(&site_code) {
            self.site.fail("You cannot enrol patients at this site.");
        }
        let registry_id = match self.registry_id.optional() {
            None => None,
            Some(text) => match RegistryId::parse(&text) {
                Ok(id) if id.site_code() != site_code && !site_code.is_empty() => {
                    self.registry_id.fail(format!(
                        "A registry id of this site starts with {site_code}-."
                    ));
                    None
                }
                Ok(id) => Some(id),
                Err(e) => {
                    self.registry_id.fail(capitalise(&e.to_string()));
                    None
                }
            },
        };
        let sex = chosen::<Sex>(&mut self.sex, true, "Choose the sex.");
        let birth_year = match self.birth_year.value.trim().parse::<i32>() {
            Ok(y) if (1900..=today.year()).contains(&y) => Some(y),
            Ok(_) => {
                self.birth_year
                    .fail(format!("Enter a year between 1900 and {}.", today.year()));
                None
            }
            Err(_) if self.birth_year.is_blank() => {
                self.birth_year.fail("Enter the year of birth.");
                None
            }
            Err(_) => {
                self.birth_year
                    .fail("Enter the year as four digits, e.g. 1961.");
                None
            }
        };
        let birth_date = parse_date(&mut self.birth_date, false, today);
        if let (Some(date), Some(year)) = (birth_date, birth_year)
            && date.year() != year
        {
            self.birth_date
                .fail("The date of birth is not in the year of birth.");
        }
        let enrolment_date = parse_date(&mut self.enrolment_date, true, today);
        if let (Some(enrolled), Some(born)) = (enrolment_date, birth_date)
            && enrolled < born
        {
            self.enrolment_date
                .fail("Enrolment cannot precede the date of birth.");
        }
        let consent_research = chosen::<ConsentStatus>(
            &mut self.consent_research,
            true,
            "Choose the consent status.",
        );
        let consent_research_date = parse_date(&mut self.consent_research_date, false, today);
        if matches!(
            consent_research,
            Some(ConsentStatus::Given | ConsentStatus::Withdrawn)
        ) && consent_research_date.is_none()
            && self.consent_research_date.error.is_none()
        {
            self.consent_research_date
                .fail("Enter the date consent was given or withdrawn.");
        }
        let trial_subject_id = self.trial_subject_id.optional();
        if trial_subject_id
            .as_ref()
            .is_some_and(|t| t.chars().count() > 40)
        {
            self.trial_subject_id.fail("Use at most 40 characters.");
        }
        if self.fields().iter().any(|f| f.error.is_some()) {
            return None;
        }
        Some(EnrolInput {
            site_code,
            registry_id,
            sex: sex?,
            birth_year: birth_year?,
            birth_date,
            enrolment_date: enrolment_date?,
            consent_research: consent_research?,
            consent_research_date,
            trial_subject_id,
        })
    }

    /// The messages by field name, after a failed `validate`.
    pub fn errors(&self) -> Vec<(&'static str, String)> {
        let names = [
            "site",
            "registry_id",
            "sex",
            "birth_year",
            "birth_date",
            "enrolment_date",
            "consent_research",
            "consent_research_date",
            "trial_subject_id",
        ];
        names
            .into_iter()
            .zip(self.fields())
            .filter_map(|(name, field)| field.error.clone().map(|e| (name, e)))
            .collect()
    }

    fn fields(&self) -> [&Field; 9] {
        [
            &self.site,
            &self.registry_id,
            &self.sex,
            &self.birth_year,
            &self.birth_date,
            &self.enrolment_date,
            &self.consent_research,
            &self.consent_research_date,
            &self.trial_subject_id,
        ]
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str() + ".")
        .unwrap_or_default()
}

/// The page.
#[derive(Template)]
#[template(path = "patients/new.html")]
pub struct EnrolPage {
    pub layout: Layout,
    pub form: EnrolForm,
    pub sites: Vec<SelectOption>,
    pub sexes: Vec<SelectOption>,
    pub consents: Vec<SelectOption>,
}

impl EnrolPage {
    /// The page around a form, with the user's sites to choose from.
    pub fn new(layout: Layout, form: EnrolForm, sites: Vec<(i32, String, String)>) -> Self {
        let site_options = sites
            .into_iter()
            .map(|(_, code, name)| SelectOption {
                selected: code == form.site.value,
                label: format!("{code}: {name}"),
                code,
            })
            .collect();
        Self {
            sexes: options(
                Sex::ALL.iter().map(|v| (v.code(), v.label())),
                &form.sex.value,
            ),
            consents: options(
                ConsentStatus::ALL.iter().map(|v| (v.code(), v.label())),
                &form.consent_research.value,
            ),
            sites: site_options,
            layout,
            form,
        }
    }
}

/// The sites a coordinator may enrol at (their own).
pub fn enrol_scope(user: &CurrentUser) -> Result<SiteFilter, AppError> {
    user.sites_for(Permission::WritePatients)
}

/// Shows an empty enrolment form.
pub async fn get(
    user: CurrentUser,
    session: TypedSession,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let scope = enrol_scope(&user)?;
    let sites = state
        .db(move |conn| Ok(sites_open_for_enrolment(conn, &scope)?))
        .await?;
    let mut form = EnrolForm::default();
    if let [(_, code, _)] = sites.as_slice() {
        form.site.value = code.clone();
    }
    form.enrolment_date.value = chrono::Utc::now().date_naive().to_string();
    let page = EnrolPage::new(Layout::new(&user, &session, "patients")?, form, sites);
    render(StatusCode::OK, &page)
}
