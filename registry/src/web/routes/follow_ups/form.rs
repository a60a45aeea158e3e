//! The follow-up form as typed: its fields by input name, filled from a saved form or a post,
//! with each event section's events sorted into this period's, earlier and later ones.

use super::{
    Context, NewInfectionForm, NewToxicityForm, death, immunoglobulin, labs, malignancy,
    persistence, response, therapy,
};
use crate::web::{
    form::{Field, InputBlock},
    routes::patients::events::{EventLine, SECTIONS},
};

/// One event section of the form as typed: "none" (nothing to report), "events", or "" (not
/// answered yet).
#[derive(Debug, Clone)]
pub struct SectionField {
    pub key: &'static str,
    pub label: &'static str,
    pub answer: Field,
    /// Reported in earlier periods (shown, not re-entered).
    pub previous: Vec<EventLine>,
    /// Reported in later periods (dated after this period's contact).
    pub later: Vec<EventLine>,
    /// Reported in this period.
    pub current: Vec<EventLine>,
}

/// The follow-up form as typed.
#[derive(Debug, Clone)]
pub struct FollowUpForm {
    pub row_version: i32,
    pub contact_date: Field,
    pub contact_type: Field,
    pub survival_status: Field,
    pub ecog: Field,
    pub relapse_since_last: Field,
    pub relapse_date: Field,
    pub relapse_method: Field,
    /// Every method that detected the relapse: the ticked codes, comma-separated.
    pub relapse_methods: Field,
    pub relapse_antigen_status: Field,
    pub sections: Vec<SectionField>,
    pub infection: NewInfectionForm,
    pub toxicity: NewToxicityForm,
    /// An immunoglobulin course started in this period.
    pub immunoglobulin: immunoglobulin::NewIgForm,
    /// A CAR-T persistence test of this period.
    pub persistence: persistence::NewPersistenceForm,
    /// A subsequent therapy started in this period.
    pub therapy: therapy::NewTherapyForm,
    /// A new malignancy added in this period.
    pub malignancy: malignancy::NewMalignancyForm,
    /// A lab panel of this period: one sample, a row per analyte.
    pub lab: labs::LabPanelForm,
    /// A response assessment added in this period (by the disease's own criteria).
    pub response: response::NewResponseForm,
    /// The death, when this period reports it (survival status dead).
    pub death: death::NewDeathForm,
    pub reason: Field,
    /// The user confirmed a contact outside its window (a soft rule).
    pub confirm_window: bool,
    /// Shown when the contact is outside the window and not yet confirmed.
    pub window_warning: Option<String>,
    /// Shown above the form: a stale edit, or the form-level outcome.
    pub form_error: Option<String>,
}

fn answer_code(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "none",
        Some(false) => "events",
        None => "",
    }
}

impl FollowUpForm {
    /// The form filled from the stored follow-up (or blank).
    pub fn from_context(ctx: &Context) -> Self {
        let row = ctx.existing.as_ref();
        let text = |v: Option<String>| Field::new(v.unwrap_or_default());
        let flag = |key: &str| -> Option<bool> {
            let r = row?;
            match key {
                "responses" => r.responses_none_to_report,
                "toxicities" => r.toxicities_none_to_report,
                "infections" => r.infections_none_to_report,
                "immunoglobulin" => r.immunoglobulin_none_to_report,
                "lab_results" => r.lab_results_none_to_report,
                "persistence_tests" => r.persistence_tests_none_to_report,
                "new_malignancies" => r.new_malignancies_none_to_report,
                "subsequent_therapies" => r.subsequent_therapies_none_to_report,
                _ => None,
            }
        };
        let mut form = Self {
            row_version: row.map_or(0, |r| r.row_version),
            contact_date: text(row.and_then(|r| r.contact_date.map(|d| d.to_string()))),
            contact_type: text(row.and_then(|r| r.contact_type.clone())),
            survival_status: text(row.and_then(|r| r.survival_status.clone())),
            ecog: text(row.and_then(|r| r.ecog_performance_status.map(|e| e.to_string()))),
            relapse_since_last: text(row.and_then(|r| r.relapse_since_last.clone())),
            relapse_date: text(row.and_then(|r| r.relapse_date.map(|d| d.to_string()))),
            relapse_method: text(row.and_then(|r| r.relapse_method.clone())),
            relapse_methods: Field::new(ctx.relapse_methods.join(",")),
            relapse_antigen_status: text(row.and_then(|r| r.relapse_antigen_status.clone())),
            sections: Vec::new(),
            infection: NewInfectionForm::default(),
            toxicity: NewToxicityForm::default(),
            immunoglobulin: immunoglobulin::NewIgForm::default(),
            persistence: persistence::NewPersistenceForm::default(),
            therapy: therapy::NewTherapyForm::default(),
            malignancy: malignancy::NewMalignancyForm::default(),
            lab: labs::LabPanelForm::default(),
            response: response::NewResponseForm::default(),
            death: death::NewDeathForm::default(),
            reason: Field::default(),
            confirm_window: false,
            window_warning: None,
            form_error: None,
        };
        form.sections = SECTIONS
            .iter()
            .map(|(key, label)| SectionField {
                key,
                label,
                answer: Field::new(answer_code(flag(key))),
                previous: Vec::new(),
                later: Vec::new(),
                current: Vec::new(),
            })
            .collect();
        form.attach_events(ctx);
        form
    }

    /// Every text field with its input name (the form's `name=` and the API's JSON key), in
    /// page order: what a POST or an API body fills and what an error list reports.
    pub fn fields_mut(&mut self) -> Vec<(String, &mut Field)> {
        let mut out: Vec<(String, &mut Field)> = vec![
            ("contact_date".into(), &mut self.contact_date),
            ("contact_type".into(), &mut self.contact_type),
            ("survival_status".into(), &mut self.survival_status),
            ("ecog".into(), &mut self.ecog),
            ("relapse_since_last".into(), &mut self.relapse_since_last),
            ("relapse_date".into(), &mut self.relapse_date),
            ("relapse_method".into(), &mut self.relapse_method),
            ("relapse_methods".into(), &mut self.relapse_methods),
            (
                "relapse_antigen_status".into(),
                &mut self.relapse_antigen_status,
            ),
        ];
        out.extend(self.death.named_inputs());
        for section in &mut self.sections {
            out.push((format!("none_{}", section.key), &mut section.answer));
        }
        out.extend([
            ("toxicity_kind".into(), &mut self.toxicity.kind),
            ("toxicity_term".into(), &mut self.toxicity.term),
            ("toxicity_onset_date".into(), &mut self.toxicity.onset_date),
            (
                "toxicity_resolution_date".into(),
                &mut self.toxicity.resolution_date,
            ),
            ("toxicity_max_grade".into(), &mut self.toxicity.max_grade),
            (
                "toxicity_max_grade_date".into(),
                &mut self.toxicity.max_grade_date,
            ),
            (
                "toxicity_max_grade_date_estimated".into(),
                &mut self.toxicity.max_grade_date_estimated,
            ),
            (
                "toxicity_hypotension".into(),
                &mut self.toxicity.hypotension,
            ),
            ("toxicity_hypoxia".into(), &mut self.toxicity.hypoxia),
            ("toxicity_ice_score".into(), &mut self.toxicity.ice_score),
            (
                "toxicity_icaht_days_anc_le_500".into(),
                &mut self.toxicity.icaht_days_anc_le_500,
            ),
            (
                "toxicity_icaht_days_anc_le_100".into(),
                &mut self.toxicity.icaht_days_anc_le_100,
            ),
            (
                "toxicity_icaht_anc_nadir".into(),
                &mut self.toxicity.icaht_anc_nadir,
            ),
        ]);
        out.extend(self.toxicity.treatments.fields_mut());
        out.extend(self.infection.named_inputs());
        out.extend(self.immunoglobulin.named_inputs());
        out.extend(self.persistence.named_inputs());
        out.extend(self.therapy.named_inputs());
        out.extend(self.malignancy.named_inputs());
        out.extend(self.lab.fields_mut());
        out.extend(self.response.named_inputs());
        out.push(("reason".into(), &mut self.reason));
        out
    }

    /// Fills the fields from name/value pairs (a POST body, or an API body as text), over the
    /// stored values: a name not sent is blank, as in a submitted HTML form.
    pub fn fill(&mut self, pairs: &crate::web::form::FormPairs) {
        self.row_version = pairs.get("row_version").trim().parse().unwrap_or(-1);
        for (name, field) in self.fields_mut() {
            *field = Field::new(pairs.get(&name));
        }
        // A check-all sends one pair per ticked box.
        self.relapse_methods = Field::new(pairs.all("relapse_methods").join(","));
        self.infection.sites = Field::new(pairs.all("infection_sites").join(","));
        self.death.contributing = Field::new(pairs.all("death_contributing_causes").join(","));
        self.confirm_window = pairs.get("confirm_window") == "1";
    }

    /// The messages of a failed validation, by input name (the window warning under
    /// `contact_date` when no other message is there).
    pub fn errors(&mut self) -> Vec<(String, String)> {
        let warning = self.window_warning.clone();
        let mut out: Vec<(String, String)> = self
            .fields_mut()
            .into_iter()
            .filter_map(|(name, f)| f.error.clone().map(|e| (name, e)))
            .collect();
        if let Some(w) = warning
            && !out.iter().any(|(n, _)| n == "contact_date")
        {
            out.push(("contact_date".to_owned(), w));
        }
        out
    }

    /// Lists each section's events: this period's; those of other periods dated up to this
    /// period's contact as previously reported; and those dated after it as reported later
    /// (a form reopened after later visits were entered). Without a contact date yet, every
    /// other event counts as previously reported.
    pub fn attach_events(&mut self, ctx: &Context) {
        let this = ctx.existing.as_ref().map(|r| r.id.0);
        let end = ctx.existing.as_ref().and_then(|r| r.contact_date);
        for section in &mut self.sections {
            let (mut current, mut previous, mut later) = (Vec::new(), Vec::new(), Vec::new());
            for e in ctx.events.iter().filter(|e| e.section == section.key) {
                if this.is_some() && e.reported_in == this {
                    current.push(e.clone());
                } else if end.is_some_and(|end| e.date > end) {
                    later.push(e.clone());
                } else {
                    previous.push(e.clone());
                }
            }
            section.current = current;
            section.previous = previous;
            section.later = later;
        }
    }
}
