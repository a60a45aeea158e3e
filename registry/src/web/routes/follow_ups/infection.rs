//! The infection block of the follow-up form: an infection diagnosed in the period (domain.md
//! §3.10): date, kind of organism and severity, and what else is known: the organism (named
//! when "other"), the sites (check all that apply, CIBMTR list; the other site named), hospital
//! and ICU admission, the outcome and the resolution date. The reading of the details, sites
//! included, is shared with the correction form (`events::rules`); the rules across them are
//! the domain's ([`InfectionDetails::problems`]).
//!
//! Input names: `infection_date`, `infection_organism_class`, `infection_severity`,
//! `infection_organism`, `infection_organism_other`, `infection_sites` (one pair per ticked
//! site; a list in the API), `infection_site_other` (the name of the site ticked "Other"),
//! `infection_hospitalised`, `infection_icu_admission`, `infection_outcome`,
//! `infection_resolution_date`.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::{
    audit::{ChangeSet, fields_of},
    events::{InfectionRow, InfectionSiteRow, NewInfection, NewInfectionSite},
    ids::{FollowUpId, InfectionId, PatientId, UserId},
    schema::{infection_sites, infections},
};
use crate::domain::{
    infection::{
        InfectionDetails, InfectionField, InfectionOutcome, InfectionSeverity, InfectionSite,
        Organism, OrganismClass,
    },
    vocabulary::Vocabulary,
};
use crate::web::form::{
    CHOOSE_YES_NO_UNKNOWN, Field, InputBlock, SelectOption, YES_NO_UNKNOWN, noted_code, noted_text,
    options, ticked, with_other_named, yes_no_unknown,
};

/// The longest organism name kept.
pub const ORGANISM_NAME_MAX_CHARS: usize = 200;

/// The longest name of an "other" site kept.
pub const SITE_NAME_MAX_CHARS: usize = 200;

/// An infection added in this period (all blank: none added).
#[derive(Debug, Clone, Default)]
pub struct NewInfectionForm {
    pub date: Field,
    pub organism_class: Field,
    pub severity: Field,
    pub organism: Field,
    pub organism_other: Field,
    /// The ticked sites' codes, joined by commas.
    pub sites: Field,
    /// The name of the site ticked "Other".
    pub site_other: Field,
    pub hospitalised: Field,
    pub icu_admission: Field,
    pub outcome: Field,
    pub resolution_date: Field,
}

/// A validated infection, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewInfectionEntry {
    pub date: NaiveDate,
    pub class: OrganismClass,
    pub severity: Option<InfectionSeverity>,
    pub details: Details,
}

/// The details as read: every one optional.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Details {
    pub organism: Option<Organism>,
    pub organism_other: Option<String>,
    /// Each ticked site once, in the order sent.
    pub sites: Vec<InfectionSite>,
    /// The name of the `OTHER` site (only with it).
    pub site_other: Option<String>,
    pub hospitalised: Option<&'static str>,
    pub icu_admission: Option<&'static str>,
    pub outcome: Option<InfectionOutcome>,
    pub resolution_date: Option<NaiveDate>,
}

impl Details {
    /// The sites as rows of `infection_sites` would hold them: each code, with the name on the
    /// `OTHER` one.
    pub fn site_rows(&self) -> Vec<(InfectionSite, Option<String>)> {
        with_other_named(
            &self.sites,
            InfectionSite::Other,
            self.site_other.as_deref(),
        )
    }
}

/// The details as typed, by whatever names the form gives them (the resolution date is read
/// by the form, with its own bounds).
#[derive(Debug, Clone, Copy)]
pub struct TypedDetails<'a> {
    pub organism: &'a str,
    pub organism_other: &'a str,
    /// The ticked sites' codes, joined by commas.
    pub sites: &'a str,
    pub site_other: &'a str,
    pub hospitalised: &'a str,
    pub icu_admission: &'a str,
    pub outcome: &'a str,
}

/// Reads the details and checks them against the infection's date, kind, severity and
/// resolution date: the details, or each message with the input it belongs beside (what
/// cannot be read first; the rules across inputs once everything reads).
pub fn read_details(
    typed: TypedDetails<'_>,
    diagnosis_date: Option<NaiveDate>,
    class: Option<OrganismClass>,
    severity: Option<InfectionSeverity>,
    resolution_date: Option<NaiveDate>,
) -> Result<Details, Vec<(InfectionField, String)>> {
    use InfectionField as F;
    let mut problems = Vec::new();
    let organism = noted_code::<Organism, _>(
        typed.organism,
        (F::Organism, "Choose the organism from the list."),
        &mut problems,
    );
    let organism_other = noted_text(
        typed.organism_other,
        (ORGANISM_NAME_MAX_CHARS, "the name"),
        F::OrganismOther,
        &mut problems,
    );
    let (sites, unknown) = ticked::<InfectionSite>(&Field::new(typed.sites));
    if unknown {
        problems.push((F::Sites, "Tick the sites from the list.".to_owned()));
    }
    let site_other = noted_text(
        typed.site_other,
        (SITE_NAME_MAX_CHARS, "the site's name"),
        F::SiteOther,
        &mut problems,
    );
    let mut answer = |typed: &str, field: F| -> Option<&'static str> {
        yes_no_unknown(typed).unwrap_or_else(|_| {
            problems.push((field, CHOOSE_YES_NO_UNKNOWN.to_owned()));
            None
        })
    };
    let hospitalised = answer(typed.hospitalised, F::Hospitalised);
    let icu_admission = answer(typed.icu_admission, F::IcuAdmission);
    let outcome = noted_code::<InfectionOutcome, _>(
        typed.outcome,
        (F::Outcome, "Choose the outcome."),
        &mut problems,
    );
    if !problems.is_empty() {
        return Err(problems);
    }
    let problems = InfectionDetails {
        diagnosis_date,
        class,
        organism,
        organism_other: organism_other.as_deref(),
        sites: &sites,
        site_other: site_other.as_deref(),
        severity,
        hospitalised,
        icu_admission,
        outcome,
        resolution_date,
    }
    .problems();
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Details {
        organism,
        organism_other,
        sites,
        site_other,
        hospitalised,
        icu_admission,
        outcome,
        resolution_date,
    })
}

impl InputBlock for NewInfectionForm {
    fn inputs(&mut self) -> Vec<(&'static str, &mut Field)> {
        vec![
            ("infection_date", &mut self.date),
            ("infection_organism_class", &mut self.organism_class),
            ("infection_severity", &mut self.severity),
            ("infection_organism", &mut self.organism),
            ("infection_organism_other", &mut self.organism_other),
            ("infection_sites", &mut self.sites),
            ("infection_site_other", &mut self.site_other),
            ("infection_hospitalised", &mut self.hospitalised),
            ("infection_icu_admission", &mut self.icu_admission),
            ("infection_outcome", &mut self.outcome),
            ("infection_resolution_date", &mut self.resolution_date),
        ]
    }
}

impl NewInfectionForm {
    /// Checks a block that is not blank, given its diagnosis and resolution dates as the form
    /// read them (`None` when wrong or missing, the message already beside it; the resolution
    /// date may also be blank): the kind required, the severity, and the details (the sites
    /// among them) as [`read_details`] reads them. `None` with messages when wrong.
    pub fn validate(
        &mut self,
        date: Option<NaiveDate>,
        resolution_date: Option<NaiveDate>,
    ) -> Option<NewInfectionEntry> {
        let class = OrganismClass::parse(&self.organism_class.value).ok();
        if class.is_none() {
            self.organism_class.fail("Choose the kind of organism.");
        }
        let severity = match self.severity.value.trim() {
            "" => Some(None),
            code => InfectionSeverity::parse(code).ok().map(Some),
        };
        if severity.is_none() {
            self.severity.fail("Choose the severity.");
        }
        let typed = TypedDetails {
            organism: &self.organism.value,
            organism_other: &self.organism_other.value,
            sites: &self.sites.value,
            site_other: &self.site_other.value,
            hospitalised: &self.hospitalised.value,
            icu_admission: &self.icu_admission.value,
            outcome: &self.outcome.value,
        };
        let details = match read_details(typed, date, class, severity.flatten(), resolution_date) {
            Ok(details) => Some(details),
            Err(problems) => {
                for (field, message) in problems {
                    self.fail_at(&format!("infection_{}", field.column()), message);
                }
                None
            }
        };
        if self.has_error() {
            return None;
        }
        Some(NewInfectionEntry {
            date: date?,
            class: class?,
            severity: severity?,
            details: details?,
        })
    }

    /// The organisms, grouped by kind in the label, the typed one selected.
    pub fn organism_options(&self) -> Vec<SelectOption> {
        let typed = self.organism.value.trim();
        Organism::ALL
            .iter()
            .map(|o| SelectOption {
                code: o.code().to_owned(),
                label: format!("{} — {}", o.class().label(), o.label()),
                selected: o.code() == typed,
            })
            .collect()
    }

    pub fn hospitalised_options(&self) -> Vec<SelectOption> {
        options(YES_NO_UNKNOWN, self.hospitalised.value.trim())
    }

    pub fn icu_options(&self) -> Vec<SelectOption> {
        options(YES_NO_UNKNOWN, self.icu_admission.value.trim())
    }

    pub fn outcome_options(&self) -> Vec<SelectOption> {
        options(
            InfectionOutcome::ALL.iter().map(|o| (o.code(), o.label())),
            self.outcome.value.trim(),
        )
    }
}

/// Inserts the infection and its sites, reported by `follow_up_id`, with their audit rows in
/// `changes`.
pub fn insert(
    conn: &mut SqliteConnection,
    changes: &ChangeSet,
    pid: i32,
    follow_up_id: i32,
    actor: i32,
    entry: &NewInfectionEntry,
) -> QueryResult<()> {
    let details = &entry.details;
    let infection: InfectionRow = diesel::insert_into(infections::table)
        .values(NewInfection {
            patient_id: PatientId(pid),
            reported_in_follow_up_id: Some(FollowUpId(follow_up_id)),
            diagnosis_date: entry.date,
            diagnosis_date_estimated: false,
            organism_class: entry.class.code().to_owned(),
            organism: details.organism.map(|o| o.code().to_owned()),
            organism_other: details.organism_other.clone(),
            severity: entry.severity.map(|s| s.code().to_owned()),
            hospitalised: details.hospitalised.map(str::to_owned),
            icu_admission: details.icu_admission.map(str::to_owned),
            outcome: details.outcome.map(|o| o.code().to_owned()),
            resolution_date: details.resolution_date,
            resolution_date_estimated: false,
            recurrence_of_infection_id: None,
            created_by: UserId(actor),
            updated_by: UserId(actor),
        })
        .returning(InfectionRow::as_returning())
        .get_result(conn)?;
    changes.record_insert(
        conn,
        "infections",
        infection.id.0,
        Some(PatientId(pid)),
        &fields_of(&infection)?,
    )?;
    for (site, site_other) in details.site_rows() {
        let row: InfectionSiteRow = diesel::insert_into(infection_sites::table)
            .values(NewInfectionSite {
                infection_id: InfectionId(infection.id.0),
                site: site.code().to_owned(),
                site_other,
                created_by: UserId(actor),
                updated_by: UserId(actor),
            })
            .returning(InfectionSiteRow::as_returning())
            .get_result(conn)?;
        changes.record_insert(
            conn,
            "infection_sites",
            row.id.0,
            Some(PatientId(pid)),
            &fields_of(&row)?,
        )?;
    }
    Ok(())
}
