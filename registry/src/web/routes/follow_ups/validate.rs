//! The checks of a follow-up save: every field, the rules across fields and sections
//! (domain.md §9), and the validated input a save writes.

use chrono::NaiveDate;

use super::{
    Context, FollowUpForm, NewToxicity, immunoglobulin, infection, labs, persistence, relapse,
    toxicity,
};
use crate::domain::{
    death::CauseOfDeath,
    follow_up::{ContactType, SurvivalStatus},
    malignancy::{NewMalignancyType, TransgeneResult},
    response::{MrdStatus, RelapseMethod, Response},
    schedule::{Schedule, WindowCheck},
    therapy::SubsequentTherapyCategory,
    vocabulary::Vocabulary,
};
use crate::web::form::{Field, InputBlock};

/// A validated save.
#[derive(Debug, Clone)]
pub struct FollowUpInput {
    pub expected_row_version: i32,
    pub complete: bool,
    pub contact_date: Option<NaiveDate>,
    pub contact_type: Option<ContactType>,
    pub survival_status: Option<SurvivalStatus>,
    pub ecog: Option<i32>,
    /// The relapse answer; `None` when not answered (a draft).
    pub relapse: Option<relapse::RelapseAnswer>,
    /// Every method that detected a relapse reported here (empty otherwise).
    pub relapse_methods: Vec<RelapseMethod>,
    /// Per section key: Some(true) none to report, Some(false) events, None unanswered.
    pub none_to_report: Vec<(&'static str, Option<bool>)>,
    pub infection: Option<infection::NewInfectionEntry>,
    pub toxicity: Option<NewToxicity>,
    /// An immunoglobulin course, with its regimen when known.
    pub immunoglobulin: Option<immunoglobulin::NewIgCourse>,
    /// A persistence test, with what it measured.
    pub persistence: Option<persistence::NewPersistence>,
    /// A subsequent therapy: category, start date.
    pub therapy: Option<(SubsequentTherapyCategory, NaiveDate)>,
    /// A new malignancy: type, diagnosis date, detail, CAR-transgene result.
    pub malignancy: Option<(
        NewMalignancyType,
        NaiveDate,
        Option<String>,
        Option<TransgeneResult>,
    )>,
    /// A lab panel: one sample and its results.
    pub lab: Option<labs::LabPanel>,
    /// A response assessment: date, response, MRD status.
    pub response: Option<(NaiveDate, Response, Option<MrdStatus>)>,
    /// A death reported in this period.
    pub death: Option<(NaiveDate, CauseOfDeath)>,
    pub reason: Option<String>,
}

impl FollowUpForm {
    /// Validates the form for a save (`complete`: mark it complete). `None` when something is
    /// wrong, with messages beside the fields.
    pub fn validate(
        &mut self,
        ctx: &Context,
        complete: bool,
        today: NaiveDate,
    ) -> Option<FollowUpInput> {
        use crate::web::routes::patients::new::parse_date;
        let contact_date = parse_date(&mut self.contact_date, complete, today);
        if let Some(date) = contact_date {
            if date < ctx.day0 {
                self.contact_date
                    .fail(format!("The contact cannot precede Day 0 ({}).", ctx.day0));
            } else if ctx.death_date.is_some_and(|death| date > death) {
                self.contact_date
                    .fail("No contact after death: the death date is the last contact.");
            }
        }
        let pick = |field: &mut Field, message: &str| -> Option<String> {
            if field.is_blank() {
                if complete {
                    field.fail(message);
                }
                return None;
            }
            Some(field.value.trim().to_owned())
        };
        let contact_type =
            pick(&mut self.contact_type, "Choose how contact was made.").and_then(|c| {
                match ContactType::parse(&c) {
                    Ok(v) => Some(v),
                    Err(_) => {
                        self.contact_type.fail("Choose how contact was made.");
                        None
                    }
                }
            });
        let survival_status = pick(&mut self.survival_status, "Choose the survival status.")
            .and_then(|c| match SurvivalStatus::parse(&c) {
                Ok(v) => Some(v),
                Err(_) => {
                    self.survival_status.fail("Choose the survival status.");
                    None
                }
            });
        let ecog = if self.ecog.is_blank() {
            None
        } else {
            match self.ecog.value.trim().parse::<i32>() {
                Ok(e) if (0..=4).contains(&e) => Some(e),
                _ => {
                    self.ecog.fail("ECOG is a whole number from 0 to 4.");
                    None
                }
            }
        };
        let (relapse, relapse_methods) = relapse::validate(
            relapse::RelapseFields {
                since_last: &mut self.relapse_since_last,
                date: &mut self.relapse_date,
                method: &mut self.relapse_method,
                methods: &mut self.relapse_methods,
                antigen: &mut self.relapse_antigen_status,
            },
            ctx,
            contact_date.filter(|_| self.contact_date.error.is_none()),
            complete,
            today,
        )
        .map_or((None, Vec::new()), |(answer, methods)| {
            (Some(answer), methods)
        });

        // A dated event after Day 0 and by this period's contact, with a message otherwise.
        let dated = |field: &mut Field| -> Option<NaiveDate> {
            let date = parse_date(field, true, today)?;
            if date < ctx.day0 {
                field.fail("This date cannot precede Day 0.");
                return None;
            }
            if contact_date.is_some_and(|c| date > c) {
                field.fail("This date is after this period's contact date.");
                return None;
            }
            Some(date)
        };

        // The inline infection: all blank means none added.
        let adding = !self.infection.is_blank();
        let mut infection = None;
        if adding {
            let inf = &mut self.infection;
            let date = parse_date(&mut inf.date, true, today);
            if let Some(d) = date {
                if d < ctx.day0 {
                    inf.date
                        .fail("An infection after CAR-T cannot precede Day 0.");
                } else if contact_date.is_some_and(|c| d > c) {
                    inf.date
                        .fail("The infection is after this period's contact date.");
                }
            }
            // Blank: not resolved, or not known.
            let resolved = if inf.resolution_date.is_blank() {
                None
            } else {
                dated(&mut inf.resolution_date)
            };
            let date = date.filter(|_| inf.date.error.is_none());
            infection = inf.validate(date, resolved);
        }

        // The death: reported once, in the period it fell in; the death date is the last contact.
        let mut death = None;
        let reports_death =
            survival_status == Some(SurvivalStatus::Dead) && ctx.death_date.is_none();
        if reports_death {
            let date = parse_date(&mut self.death_date, true, today);
            if let Some(d) = date {
                if d < ctx.day0 {
                    self.death_date
                        .fail("A death after CAR-T cannot precede Day 0.");
                } else if contact_date.is_some_and(|c| c != d) {
                    self.contact_date
                        .fail("The period that reports the death ends on the death date: use it as the contact date.");
                }
            }
            let cause = match CauseOfDeath::parse(&self.death_cause.value) {
                Ok(CauseOfDeath::Other) => {
                    self.death_cause
                        .fail("Other causes are not recorded from this form yet; choose the closest listed cause.");
                    None
                }
                Ok(c) => Some(c),
                Err(_) => {
                    self.death_cause.fail("Choose the primary cause of death.");
                    None
                }
            };
            if let (Some(d), Some(c)) = (date, cause)
                && self.death_date.error.is_none()
            {
                death = Some((d, c));
            }
        } else if !self.death_date.is_blank() || !self.death_cause.is_blank() {
            self.death_date
                .fail("A death is recorded with survival status Dead (and only once).");
        }

        // The dates an event of this period lies between (toxicities, lab samples).
        let bounds = toxicity::PeriodBounds {
            day0: ctx.day0,
            contact: contact_date,
            death: ctx.death_date.or(death.map(|(d, _)| d)),
            today,
        };
        let adding_toxicity = !self.toxicity.is_blank();
        let toxicity = if adding_toxicity {
            self.toxicity.validate(bounds)
        } else {
            None
        };

        let adding_response = !(self.response_date.is_blank()
            && self.response.is_blank()
            && self.response_mrd.is_blank());
        let mut response = None;
        if adding_response {
            let date = parse_date(&mut self.response_date, true, today);
            if let Some(d) = date {
                if d < ctx.day0 {
                    self.response_date
                        .fail("A response to CAR-T cannot be assessed before Day 0.");
                } else if contact_date.is_some_and(|c| d > c) {
                    self.response_date
                        .fail("The assessment is after this period's contact date.");
                }
            }
            let value = match Response::parse(ctx.criteria, &self.response.value) {
                Ok(r) => Some(r),
                Err(_) => {
                    self.response.fail(format!(
                        "Choose the response by {} criteria.",
                        ctx.criteria.label()
                    ));
                    None
                }
            };
            let mrd = if self.response_mrd.is_blank() {
                None
            } else {
                match MrdStatus::parse(&self.response_mrd.value) {
                    Ok(m) => Some(m),
                    Err(_) => {
                        self.response_mrd.fail("Choose the MRD status.");
                        None
                    }
                }
            };
            if let (Some(d), Some(v)) = (date, value)
                && self.response_date.error.is_none()
                && self.response_mrd.error.is_none()
            {
                response = Some((d, v, mrd));
            }
        }

        let adding_lab = !self.lab.is_blank();
        let lab = if adding_lab {
            self.lab.validate(bounds)
        } else {
            None
        };

        let adding_malignancy = !(self.malignancy_type.is_blank()
            && self.malignancy_date.is_blank()
            && self.malignancy_detail.is_blank()
            && self.transgene_result.is_blank());
        let mut malignancy = None;
        if adding_malignancy {
            let kind = match NewMalignancyType::parse(&self.malignancy_type.value) {
                Ok(k) => Some(k),
                Err(_) => {
                    self.malignancy_type.fail("Choose the type of malignancy.");
                    None
                }
            };
            let date = parse_date(&mut self.malignancy_date, true, today);
            if let Some(d) = date
                && d < ctx.day0
            {
                self.malignancy_date
                    .fail("A new malignancy after CAR-T cannot precede Day 0.");
            }
            let detail = self.malignancy_detail.optional();
            if matches!(
                kind,
                Some(NewMalignancyType::Solid | NewMalignancyType::Other)
            ) && detail.is_none()
            {
                self.malignancy_detail.fail("Name the malignancy.");
            }
            let transgene = if self.transgene_result.is_blank() {
                None
            } else {
                match TransgeneResult::parse(&self.transgene_result.value) {
                    Ok(t) => Some(t),
                    Err(_) => {
                        self.transgene_result
                            .fail("Choose the CAR-transgene test result.");
                        None
                    }
                }
            };
            if kind.is_some_and(NewMalignancyType::requires_transgene_testing)
                && transgene.is_none()
                && self.transgene_result.error.is_none()
            {
                self.transgene_result.fail(
                    "A T-cell malignancy after CAR-T: test the tumour for the CAR transgene \
                     (record Pending if sent) and report it to the manufacturer.",
                );
            }
            if let (Some(k), Some(d)) = (kind, date)
                && [
                    &self.malignancy_date,
                    &self.malignancy_detail,
                    &self.transgene_result,
                ]
                .iter()
                .all(|f| f.error.is_none())
            {
                malignancy = Some((k, d, detail, transgene));
            }
        }

        let blank = |fields: &[&Field]| fields.iter().all(|f| f.is_blank());

        let adding_ig = !self.immunoglobulin.is_blank();
        let mut immunoglobulin = None;
        if adding_ig {
            let start = dated(&mut self.immunoglobulin.start_date);
            // Blank: the course is ongoing.
            let stop = if self.immunoglobulin.stop_date.is_blank() {
                None
            } else {
                dated(&mut self.immunoglobulin.stop_date)
            };
            immunoglobulin = self.immunoglobulin.validate(start, stop);
        }

        let adding_persistence = !self.persistence.is_blank();
        let mut persistence = None;
        if adding_persistence {
            let date = dated(&mut self.persistence.date);
            persistence = self.persistence.validate(date);
        }

        let adding_therapy = !blank(&[&self.therapy_category, &self.therapy_start_date]);
        let mut therapy = None;
        if adding_therapy {
            let date = dated(&mut self.therapy_start_date);
            let category = SubsequentTherapyCategory::parse(&self.therapy_category.value).ok();
            if category.is_none() {
                self.therapy_category.fail("Choose the kind of therapy.");
            }
            if let (Some(c), Some(d)) = (category, date) {
                therapy = Some((c, d));
            }
        }

        let mut none_to_report = Vec::new();
        for section in &mut self.sections {
            let answer = match section.answer.value.as_str() {
                "none" => Some(true),
                "events" => Some(false),
                _ => None,
            };
            let has_events = !section.current.is_empty()
                || (section.key == "infections" && adding)
                || (section.key == "toxicities" && adding_toxicity)
                || (section.key == "responses" && adding_response)
                || (section.key == "lab_results" && adding_lab)
                || (section.key == "new_malignancies" && adding_malignancy)
                || (section.key == "immunoglobulin" && adding_ig)
                || (section.key == "persistence_tests" && adding_persistence)
                || (section.key == "subsequent_therapies" && adding_therapy);
            match answer {
                None if complete => section
                    .answer
                    .fail("Answer this section: nothing to report, or the events. Blank is not none."),
                Some(true) if has_events => section
                    .answer
                    .fail("Events are reported in this period: it cannot be nothing to report."),
                Some(false) if !has_events && section.key == "infections" => section
                    .answer
                    .fail("Add the infection below, or choose nothing to report."),
                Some(false)
                    if !has_events
                        && ["immunoglobulin", "persistence_tests", "subsequent_therapies"]
                            .contains(&section.key) =>
                {
                    section
                        .answer
                        .fail("Add it below, or choose nothing to report.")
                }
                Some(false) if !has_events && section.key == "new_malignancies" => section
                    .answer
                    .fail("Add the malignancy below, or choose nothing to report."),
                Some(false) if !has_events && section.key == "lab_results" => section
                    .answer
                    .fail("Add the result below, or choose nothing to report."),
                Some(false) if !has_events && section.key == "responses" => section
                    .answer
                    .fail("Add the assessment below, or choose nothing to report."),
                Some(false) if !has_events && section.key == "toxicities" => section
                    .answer
                    .fail("Add the toxicity below, or choose nothing to report."),
                Some(false) if !has_events => section.answer.fail(
                    "No event of this kind is recorded for this period yet; choose nothing to report.",
                ),
                _ => {}
            }
            none_to_report.push((section.key, answer));
        }

        // A soft rule: a contact outside the timepoint's window warns; the user confirms.
        self.window_warning = None;
        if let (Some(date), Some(window)) =
            (contact_date, Schedule::default().window(ctx.timepoint))
        {
            let day = crate::domain::dates::StudyDay::between(ctx.day0, date);
            if !matches!(window.check(day), WindowCheck::InWindow) && !self.confirm_window {
                self.window_warning = Some(format!(
                    "The contact is on day {} after infusion, outside the {} window. Tick the box to confirm.",
                    day.days(),
                    ctx.timepoint
                ));
            }
        }

        let was_complete = ctx.status().is_complete();
        let reason = self.reason.optional();
        if was_complete && reason.is_none() {
            self.reason
                .fail("This form was complete: give the reason for the change.");
        }

        let failed = [
            &self.contact_date,
            &self.contact_type,
            &self.survival_status,
            &self.ecog,
            &self.relapse_since_last,
            &self.relapse_date,
            &self.relapse_method,
            &self.relapse_methods,
            &self.relapse_antigen_status,
            &self.death_date,
            &self.death_cause,
            &self.therapy_category,
            &self.therapy_start_date,
            &self.malignancy_type,
            &self.malignancy_date,
            &self.malignancy_detail,
            &self.transgene_result,
            &self.response_date,
            &self.response,
            &self.response_mrd,
            &self.reason,
        ]
        .iter()
        .any(|f| f.error.is_some())
            || self.sections.iter().any(|s| s.answer.error.is_some())
            || self.toxicity.has_error()
            || self.lab.has_error()
            || self.persistence.has_error()
            || self.immunoglobulin.has_error()
            || self.infection.has_error()
            || self.window_warning.is_some();
        if failed {
            return None;
        }
        Some(FollowUpInput {
            expected_row_version: self.row_version,
            complete,
            contact_date,
            contact_type,
            survival_status,
            ecog,
            relapse,
            relapse_methods,
            none_to_report,
            infection,
            toxicity,
            immunoglobulin,
            persistence,
            therapy,
            malignancy,
            lab,
            response,
            death,
            reason,
        })
    }
}
