//! The checks of a follow-up save: every field, the rules across fields and sections
//! (domain.md §9), and the validated input a save writes.

use chrono::NaiveDate;

use super::{
    Context, FollowUpForm, NewToxicity, death, immunoglobulin, infection, labs, malignancy,
    persistence, relapse, response, therapy, toxicity,
};
use crate::domain::{
    follow_up::{ContactType, SurvivalStatus},
    response::RelapseMethod,
    schedule::{Schedule, WindowCheck},
};
use crate::web::form::{Field, InputBlock, chosen};
use crate::web::routes::patients::new::parse_date;

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
    /// A subsequent therapy, with why it was given.
    pub therapy: Option<therapy::NewTherapyEntry>,
    /// A new malignancy, with its CAR-transgene test and its reports.
    pub malignancy: Option<malignancy::NewMalignancyEntry>,
    /// A lab panel: one sample and its results.
    pub lab: Option<labs::LabPanel>,
    /// A response assessment, with how it was assessed and its MRD result.
    pub response: Option<response::NewResponseEntry>,
    /// A death reported in this period.
    pub death: Option<death::NewDeathEntry>,
    pub reason: Option<String>,
}

/// The dates of this period an event's date must lie between, for the event sections that
/// check only those (immunoglobulin, persistence, subsequent therapy, an infection's resolution).
#[derive(Debug, Clone, Copy)]
struct EventDates {
    day0: NaiveDate,
    /// This period's contact date, when valid.
    contact: Option<NaiveDate>,
    today: NaiveDate,
}

impl EventDates {
    /// A required event date: after Day 0 and by this period's contact, or a message beside it.
    fn required(self, field: &mut Field) -> Option<NaiveDate> {
        let date = parse_date(field, true, self.today)?;
        if date < self.day0 {
            field.fail("This date cannot precede Day 0.");
            return None;
        }
        if self.contact.is_some_and(|c| date > c) {
            field.fail("This date is after this period's contact date.");
            return None;
        }
        Some(date)
    }

    /// As `required`, but blank is `None` without a message (e.g. not stopped yet).
    fn optional(self, field: &mut Field) -> Option<NaiveDate> {
        if field.is_blank() {
            None
        } else {
            self.required(field)
        }
    }
}

/// What a section says when "events" is chosen but none is there.
fn add_it_below(section: &str) -> &'static str {
    match section {
        "infections" => "Add the infection below, or choose nothing to report.",
        "immunoglobulin" | "persistence_tests" | "subsequent_therapies" => {
            "Add it below, or choose nothing to report."
        }
        "new_malignancies" => "Add the malignancy below, or choose nothing to report.",
        "lab_results" => "Add the result below, or choose nothing to report.",
        "responses" => "Add the assessment below, or choose nothing to report.",
        "toxicities" => "Add the toxicity below, or choose nothing to report.",
        _ => "No event of this kind is recorded for this period yet; choose nothing to report.",
    }
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
        let contact_date = self.checked_contact_date(ctx, complete, today);
        let contact_type = chosen::<ContactType>(
            &mut self.contact_type,
            complete,
            "Choose how contact was made.",
        );
        let survival_status = chosen::<SurvivalStatus>(
            &mut self.survival_status,
            complete,
            "Choose the survival status.",
        );
        let ecog = self.checked_ecog();
        let (relapse, relapse_methods) = self.checked_relapse(ctx, contact_date, complete, today);
        let dates = EventDates {
            day0: ctx.day0,
            contact: contact_date,
            today,
        };
        let infection = self.checked_infection(dates);
        let death = self.checked_death(ctx, survival_status, contact_date, complete, today);
        // The dates an event of this period lies between (toxicities, lab samples).
        let bounds = toxicity::PeriodBounds {
            day0: ctx.day0,
            contact: contact_date,
            death: ctx.death_date.or(death.as_ref().map(|d| d.date)),
            today,
        };
        let toxicity = if self.toxicity.is_blank() {
            None
        } else {
            self.toxicity.validate(bounds)
        };
        let response = self.checked_response(ctx, contact_date, today);
        let lab = if self.lab.is_blank() {
            None
        } else {
            self.lab.validate(bounds)
        };
        let malignancy = self.checked_malignancy(ctx, today);
        let immunoglobulin = if self.immunoglobulin.is_blank() {
            None
        } else {
            let start = dates.required(&mut self.immunoglobulin.start_date);
            // Blank: the course is ongoing.
            let stop = dates.optional(&mut self.immunoglobulin.stop_date);
            self.immunoglobulin.validate(start, stop)
        };
        let persistence = if self.persistence.is_blank() {
            None
        } else {
            let date = dates.required(&mut self.persistence.date);
            self.persistence.validate(date)
        };
        let therapy = self.checked_therapy(dates, complete);
        let none_to_report = self.checked_sections(complete);
        self.window_warning = self.window_warning(ctx, contact_date);
        let reason = self.checked_reason(ctx);

        let failed = !self.errors().is_empty()
            || self.toxicity.has_error()
            || self.lab.has_error()
            || self.persistence.has_error()
            || self.immunoglobulin.has_error()
            || self.infection.has_error()
            || self.death.has_error()
            || self.malignancy.has_error()
            || self.therapy.has_error()
            || self.response.has_error();
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

    /// The contact date: required to complete, not before Day 0, not after a recorded death.
    fn checked_contact_date(
        &mut self,
        ctx: &Context,
        complete: bool,
        today: NaiveDate,
    ) -> Option<NaiveDate> {
        let date = parse_date(&mut self.contact_date, complete, today)?;
        if date < ctx.day0 {
            self.contact_date
                .fail(format!("The contact cannot precede Day 0 ({}).", ctx.day0));
        } else if ctx.death_date.is_some_and(|death| date > death) {
            self.contact_date
                .fail("No contact after death: the death date is the last contact.");
        }
        Some(date)
    }

    /// ECOG performance status, when given: 0 to 4.
    fn checked_ecog(&mut self) -> Option<i32> {
        if self.ecog.is_blank() {
            return None;
        }
        match self.ecog.value.trim().parse::<i32>() {
            Ok(e) if (0..=4).contains(&e) => Some(e),
            _ => {
                self.ecog.fail("ECOG is a whole number from 0 to 4.");
                None
            }
        }
    }

    /// The relapse answer and the methods that detected it (see `relapse::validate`).
    fn checked_relapse(
        &mut self,
        ctx: &Context,
        contact_date: Option<NaiveDate>,
        complete: bool,
        today: NaiveDate,
    ) -> (Option<relapse::RelapseAnswer>, Vec<RelapseMethod>) {
        relapse::validate(
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
        })
    }

    /// The infection added in this period (all blank: none), dated after Day 0 and by the
    /// contact; a blank resolution date means not resolved, or not known.
    fn checked_infection(&mut self, dates: EventDates) -> Option<infection::NewInfectionEntry> {
        if self.infection.is_blank() {
            return None;
        }
        let inf = &mut self.infection;
        let date = parse_date(&mut inf.date, true, dates.today);
        if let Some(d) = date {
            if d < dates.day0 {
                inf.date
                    .fail("An infection after CAR-T cannot precede Day 0.");
            } else if dates.contact.is_some_and(|c| d > c) {
                inf.date
                    .fail("The infection is after this period's contact date.");
            }
        }
        let resolved = dates.optional(&mut inf.resolution_date);
        let date = date.filter(|_| inf.date.error.is_none());
        inf.validate(date, resolved)
    }

    /// The death: reported once, in the period it fell in, with survival status Dead; the
    /// death date is that period's contact date.
    fn checked_death(
        &mut self,
        ctx: &Context,
        survival_status: Option<SurvivalStatus>,
        contact_date: Option<NaiveDate>,
        complete: bool,
        today: NaiveDate,
    ) -> Option<death::NewDeathEntry> {
        let reports_death =
            survival_status == Some(SurvivalStatus::Dead) && ctx.death_date.is_none();
        if !reports_death {
            if !self.death.is_blank() {
                self.death
                    .date
                    .fail("A death is recorded with survival status Dead (and only once).");
            }
            return None;
        }
        let date = parse_date(&mut self.death.date, true, today);
        if let Some(d) = date {
            if d < ctx.day0 {
                self.death
                    .date
                    .fail("A death after CAR-T cannot precede Day 0.");
            } else if contact_date.is_some_and(|c| c != d) {
                self.contact_date
                    .fail("The period that reports the death ends on the death date: use it as the contact date.");
            }
        }
        let date = date.filter(|_| self.death.date.error.is_none());
        self.death.validate(date, complete)
    }

    /// A response assessment added in this period, by the disease's own criteria: assessed
    /// after Day 0 and by the contact, with its answers read and checked by the block.
    fn checked_response(
        &mut self,
        ctx: &Context,
        contact_date: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Option<response::NewResponseEntry> {
        if self.response.is_blank() {
            return None;
        }
        let field = &mut self.response.date;
        let date = parse_date(field, true, today);
        if let Some(d) = date {
            if d < ctx.day0 {
                field.fail("A response to CAR-T cannot be assessed before Day 0.");
            } else if contact_date.is_some_and(|c| d > c) {
                field.fail("The assessment is after this period's contact date.");
            }
        }
        let date = date.filter(|_| field.error.is_none());
        self.response.validate(ctx.criteria, date)
    }

    /// A new malignancy added in this period: diagnosed after Day 0 (whenever it is found, so
    /// not bound by the contact), with its answers read and checked by the block.
    fn checked_malignancy(
        &mut self,
        ctx: &Context,
        today: NaiveDate,
    ) -> Option<malignancy::NewMalignancyEntry> {
        if self.malignancy.is_blank() {
            return None;
        }
        let field = &mut self.malignancy.date;
        let date = parse_date(field, true, today);
        if let Some(d) = date
            && d < ctx.day0
        {
            field.fail("A new malignancy after CAR-T cannot precede Day 0.");
        }
        let date = date.filter(|_| field.error.is_none());
        self.malignancy.validate(date, today)
    }

    /// A subsequent therapy started in this period, dated after Day 0 and by the contact (its
    /// end too, when given).
    fn checked_therapy(
        &mut self,
        dates: EventDates,
        complete: bool,
    ) -> Option<therapy::NewTherapyEntry> {
        if self.therapy.is_blank() {
            return None;
        }
        let start = dates.required(&mut self.therapy.start_date);
        let end = dates.optional(&mut self.therapy.end_date);
        self.therapy.validate(start, end, complete)
    }

    /// Whether an event of the section is being added on this form.
    fn adds_to(&mut self, section: &str) -> bool {
        match section {
            "infections" => !self.infection.is_blank(),
            "toxicities" => !self.toxicity.is_blank(),
            "responses" => !self.response.is_blank(),
            "lab_results" => !self.lab.is_blank(),
            "new_malignancies" => !self.malignancy.is_blank(),
            "immunoglobulin" => !self.immunoglobulin.is_blank(),
            "persistence_tests" => !self.persistence.is_blank(),
            "subsequent_therapies" => !self.therapy.is_blank(),
            _ => false,
        }
    }

    /// Each section's answer, checked against its events: answered to complete the form, not
    /// "nothing to report" beside an event, not "events" without one. Blank is not none.
    fn checked_sections(&mut self, complete: bool) -> Vec<(&'static str, Option<bool>)> {
        let keys: Vec<&'static str> = self.sections.iter().map(|s| s.key).collect();
        let adding: Vec<bool> = keys.into_iter().map(|k| self.adds_to(k)).collect();
        let mut none_to_report = Vec::new();
        for (section, adding) in self.sections.iter_mut().zip(adding) {
            let answer = match section.answer.value.as_str() {
                "none" => Some(true),
                "events" => Some(false),
                _ => None,
            };
            let has_events = !section.current.is_empty() || adding;
            match answer {
                None if complete => section.answer.fail(
                    "Answer this section: nothing to report, or the events. Blank is not none.",
                ),
                Some(true) if has_events => section
                    .answer
                    .fail("Events are reported in this period: it cannot be nothing to report."),
                Some(false) if !has_events => section.answer.fail(add_it_below(section.key)),
                _ => {}
            }
            none_to_report.push((section.key, answer));
        }
        none_to_report
    }

    /// A soft rule: a contact outside the timepoint's window warns until the user confirms.
    fn window_warning(&self, ctx: &Context, contact_date: Option<NaiveDate>) -> Option<String> {
        let (date, window) = (contact_date?, Schedule::default().window(ctx.timepoint)?);
        let day = crate::domain::dates::StudyDay::between(ctx.day0, date);
        if matches!(window.check(day), WindowCheck::InWindow) || self.confirm_window {
            return None;
        }
        Some(format!(
            "The contact is on day {} after infusion, outside the {} window. Tick the box to confirm.",
            day.days(),
            ctx.timepoint
        ))
    }

    /// The reason for the change: required when the form was complete.
    fn checked_reason(&mut self, ctx: &Context) -> Option<String> {
        let reason = self.reason.optional();
        if ctx.status().is_complete() && reason.is_none() {
            self.reason
                .fail("This form was complete: give the reason for the change.");
        }
        reason
    }
}
