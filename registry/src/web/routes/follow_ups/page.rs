//! The follow-up page: the form with its choices, and what the user may do on it.

use super::{Context, FollowUpForm, relapse};
use crate::domain::{
    follow_up::{ContactType, SignatureMeaning, SurvivalStatus},
    infection::{InfectionSeverity, InfectionSite, OrganismClass},
    persistence::{PersistenceMethod, Specimen},
    response::{RelapseAntigenStatus, RelapseMethod, ResponseCriteria},
    schedule::Schedule,
    toxicity::{CrsGrade, Hypotension, Hypoxia, ToxicityType},
    vocabulary::Vocabulary,
};
use crate::web::{
    form::{SelectOption, check_options, options},
    layout::Layout,
};

/// The page.
#[derive(askama::Template)]
#[template(path = "follow_ups/form.html")]
pub struct FollowUpPage {
    pub layout: Layout,
    pub ctx: Context,
    pub form: FollowUpForm,
    pub action: String,
    pub editable: bool,
    pub can_lock: bool,
    pub can_unlock: bool,
    pub status_label: &'static str,
    pub contact_types: Vec<SelectOption>,
    pub survival_statuses: Vec<SelectOption>,
    pub relapse_answers: Vec<SelectOption>,
    pub relapse_methods: Vec<SelectOption>,
    /// The check-all of every method that detected the relapse (selected: ticked).
    pub relapse_method_checks: Vec<SelectOption>,
    pub relapse_antigens: Vec<SelectOption>,
    /// The antigen status at relapse applies to this course's product (CD19 or BCMA).
    pub antigen_applies: bool,
    /// The Deauville score applies (Lugano 2014), or one was typed (shown with its message).
    pub deauville_shown: bool,
    pub organism_classes: Vec<SelectOption>,
    pub severities: Vec<SelectOption>,
    pub meanings: Vec<SelectOption>,
    pub causes: Vec<SelectOption>,
    /// The check-all of the causes that contributed to a death (selected: ticked).
    pub contributing_causes: Vec<SelectOption>,
    pub autopsy_answers: Vec<SelectOption>,
    pub toxicity_kinds: Vec<SelectOption>,
    pub responses: Vec<SelectOption>,
    pub response_methods: Vec<SelectOption>,
    pub deauville_scores: Vec<SelectOption>,
    pub mrd_methods: Vec<SelectOption>,
    pub mrd_sensitivities: Vec<SelectOption>,
    pub assessors: Vec<SelectOption>,
    pub malignancy_types: Vec<SelectOption>,
    pub malignancy_ebv_answers: Vec<SelectOption>,
    pub malignancy_product_derived_answers: Vec<SelectOption>,
    pub ig_routes: Vec<SelectOption>,
    pub ig_indications: Vec<SelectOption>,
    pub specimens: Vec<SelectOption>,
    pub persistence_methods: Vec<SelectOption>,
    pub detected_answers: Vec<SelectOption>,
    pub organisms: Vec<SelectOption>,
    pub infection_sites: Vec<SelectOption>,
    pub hospitalised_answers: Vec<SelectOption>,
    pub icu_answers: Vec<SelectOption>,
    pub infection_outcomes: Vec<SelectOption>,
    pub persistence_units: Vec<SelectOption>,
    pub therapy_categories: Vec<SelectOption>,
    pub therapy_intents: Vec<SelectOption>,
    pub therapy_responses: Vec<SelectOption>,
    pub transgene_results: Vec<SelectOption>,
    pub mrd_statuses: Vec<SelectOption>,
    pub grades: Vec<SelectOption>,
    pub hypotensions: Vec<SelectOption>,
    pub hypoxias: Vec<SelectOption>,
    pub lock_error: Option<String>,
    pub unlock_error: Option<String>,
    pub window: String,
}

fn vocab<T: Vocabulary>(selected: &str) -> Vec<SelectOption> {
    options(T::ALL.iter().map(|v| (v.code(), v.label())), selected)
}

impl FollowUpPage {
    /// The page for a user with these rights.
    pub fn new(layout: Layout, ctx: Context, form: FollowUpForm, rights: Rights) -> Self {
        let status = ctx.status();
        let locked = ctx.locked();
        let window = Schedule::default()
            .window(ctx.timepoint)
            .and_then(|w| w.dates(ctx.day0))
            .map(|w| format!("{} to {} (target {})", w.earliest, w.latest, w.target))
            .unwrap_or_default();
        Self {
            action: format!(
                "/patients/{}/courses/{}/follow-ups/{}",
                ctx.patient.id.0,
                ctx.course_id,
                ctx.timepoint.code()
            ),
            editable: rights.write && !locked,
            can_lock: rights.lock && !locked && status.is_complete(),
            can_unlock: rights.unlock && locked,
            status_label: status.label(),
            contact_types: vocab::<ContactType>(&form.contact_type.value),
            survival_statuses: vocab::<SurvivalStatus>(&form.survival_status.value),
            relapse_answers: options(
                [
                    ("N", "No"),
                    ("Y", "Yes"),
                    ("PREV", "Previously reported"),
                    ("UNK", "Unknown"),
                ],
                &form.relapse_since_last.value,
            ),
            relapse_methods: vocab::<RelapseMethod>(&form.relapse_method.value),
            relapse_method_checks: check_options::<RelapseMethod>(&form.relapse_methods),
            relapse_antigens: vocab::<RelapseAntigenStatus>(&form.relapse_antigen_status.value),
            antigen_applies: relapse::antigen_applies(ctx.target),
            deauville_shown: ctx.criteria == ResponseCriteria::Lugano2014
                || !form.response.deauville_score.is_blank(),
            organism_classes: vocab::<OrganismClass>(&form.infection.organism_class.value),
            severities: vocab::<InfectionSeverity>(&form.infection.severity.value),
            organisms: form.infection.organism_options(),
            infection_sites: check_options::<InfectionSite>(&form.infection.sites),
            hospitalised_answers: form.infection.hospitalised_options(),
            icu_answers: form.infection.icu_options(),
            infection_outcomes: form.infection.outcome_options(),
            meanings: vocab::<SignatureMeaning>(""),
            causes: form.death.cause_options(),
            contributing_causes: form.death.contributing_checks(),
            autopsy_answers: form.death.autopsy_options(),
            toxicity_kinds: vocab::<ToxicityType>(&form.toxicity.kind.value),
            grades: vocab::<CrsGrade>(&form.toxicity.max_grade.value)
                .into_iter()
                .map(|mut o| {
                    o.label = o.code.replace('G', "Grade ");
                    o
                })
                .collect(),
            hypotensions: vocab::<Hypotension>(&form.toxicity.hypotension.value),
            responses: form.response.response_options(ctx.criteria),
            response_methods: form.response.method_options(),
            deauville_scores: form.response.deauville_options(),
            mrd_statuses: form.response.mrd_status_options(),
            mrd_methods: form.response.mrd_method_options(),
            mrd_sensitivities: form.response.mrd_sensitivity_options(),
            assessors: form.response.assessor_options(),
            malignancy_types: form.malignancy.type_options(),
            malignancy_ebv_answers: form.malignancy.ebv_options(),
            malignancy_product_derived_answers: form.malignancy.product_derived_options(),
            ig_routes: form.immunoglobulin.route_options(),
            ig_indications: form.immunoglobulin.indication_options(),
            specimens: vocab::<Specimen>(&form.persistence.specimen.value),
            persistence_methods: vocab::<PersistenceMethod>(&form.persistence.method.value),
            detected_answers: options(
                [("Y", "Detected"), ("N", "Not detected")],
                &form.persistence.detected.value,
            ),
            persistence_units: form.persistence.unit_options(),
            therapy_categories: form.therapy.category_options(),
            therapy_intents: form.therapy.intent_options(),
            therapy_responses: form.therapy.best_response_options(),
            transgene_results: form.malignancy.transgene_options(),
            hypoxias: vocab::<Hypoxia>(&form.toxicity.hypoxia.value),
            lock_error: None,
            unlock_error: None,
            window,
            layout,
            ctx,
            form,
        }
    }
}

/// What the user may do on this form.
#[derive(Debug, Clone, Copy)]
pub struct Rights {
    pub write: bool,
    pub lock: bool,
    pub unlock: bool,
}

impl Rights {
    /// From the user's permissions (the scope was checked when loading the context).
    pub fn of(user: &crate::web::auth::extract::CurrentUser) -> Self {
        use crate::domain::access::Permission as P;
        Self {
            write: user.can(P::WritePatients),
            lock: user.can(P::LockFollowUp),
            unlock: user.can(P::UnlockFollowUp),
        }
    }
}
