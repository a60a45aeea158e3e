//! The toxicity block of the follow-up form: one toxicity event added in this period, of any
//! type of domain.md §3.6. CRS and ICANS are graded by ASTCT 2019 against the components typed
//! with them (domain.md §9); the other types carry their grade alone, in their own system
//! (EHA/EBMT 2023 for ICAHT, CTCAE v5 otherwise), with a term where the type needs one.
//! Every type has an onset and an optional resolution inside the period: not before Day 0, not
//! after the contact date or a death; the date the maximum grade was reached (optional, may be
//! estimated) lies between them; the treatments given are a check-all (`treatments.rs`).
//! ICAHT may carry the neutrophil counts its grade rests on (`icaht.rs`).

use chrono::NaiveDate;

use super::icaht::{IcahtCounts, IcahtInput, TypedIcahtCounts, check_icaht_counts};
use super::treatments::{TreatmentBounds, TreatmentGiven, TreatmentsForm};
use crate::domain::{
    dates::StudyDay,
    toxicity::{
        CtcaeGrade, GradingSystem, Hypotension, Hypoxia, IceScore, ToxicityType, check_grade,
        check_onset_day,
    },
    vocabulary::Vocabulary,
};
use crate::web::{
    form::{Field, chosen},
    routes::patients::new::parse_date,
};

/// The input-name prefix of the treatments of a new toxicity, e.g. `toxicity_treatment_ANAKINRA`.
pub const TREATMENT_PREFIX: &str = "toxicity_treatment_";

/// A toxicity event added in this period, as typed (all blank: none added).
#[derive(Debug, Clone)]
pub struct NewToxicityForm {
    pub kind: Field,
    /// CTCAE term or description: required for organ and other toxicities.
    pub term: Field,
    pub onset_date: Field,
    pub resolution_date: Field,
    pub max_grade: Field,
    /// When the maximum grade was reached (optional).
    pub max_grade_date: Field,
    /// `"1"` when that date is estimated.
    pub max_grade_date_estimated: Field,
    pub hypotension: Field,
    pub hypoxia: Field,
    pub ice_score: Field,
    /// Early ICAHT (optional): days with ANC <= 500/µL and days with ANC <= 100/µL.
    pub icaht_days_anc_le_500: Field,
    pub icaht_days_anc_le_100: Field,
    /// Late ICAHT (optional): the ANC nadir, cells/µL.
    pub icaht_anc_nadir: Field,
    pub treatments: TreatmentsForm,
}

impl Default for NewToxicityForm {
    fn default() -> Self {
        Self {
            kind: Field::default(),
            term: Field::default(),
            onset_date: Field::default(),
            resolution_date: Field::default(),
            max_grade: Field::default(),
            max_grade_date: Field::default(),
            max_grade_date_estimated: Field::default(),
            hypotension: Field::default(),
            hypoxia: Field::default(),
            ice_score: Field::default(),
            icaht_days_anc_le_500: Field::default(),
            icaht_days_anc_le_100: Field::default(),
            icaht_anc_nadir: Field::default(),
            treatments: TreatmentsForm::blank(TREATMENT_PREFIX),
        }
    }
}

/// A validated toxicity event.
#[derive(Debug, Clone)]
pub struct NewToxicity {
    pub kind: ToxicityType,
    /// The type's default system: ASTCT 2019, EHA/EBMT 2023 (ICAHT) or CTCAE v5.
    pub grading_system: GradingSystem,
    pub term: Option<String>,
    pub onset: NaiveDate,
    pub resolution: Option<NaiveDate>,
    /// `G1`..`G5`.
    pub grade: String,
    /// When the maximum grade was reached, and whether that date is estimated.
    pub max_grade_date: Option<NaiveDate>,
    pub max_grade_date_estimated: bool,
    /// The agents given for it (none: none recorded).
    pub treatments: Vec<TreatmentGiven>,
    pub hypotension: Option<Hypotension>,
    pub hypoxia: Option<Hypoxia>,
    pub ice_score: Option<u8>,
    /// The neutrophil counts of an ICAHT (all `None` for other types).
    pub icaht: IcahtCounts,
}

/// The dates that bound a toxicity of this period.
#[derive(Debug, Clone, Copy)]
pub struct PeriodBounds {
    pub day0: NaiveDate,
    /// This period's contact date, when valid.
    pub contact: Option<NaiveDate>,
    /// A death already recorded, or reported on this form.
    pub death: Option<NaiveDate>,
    pub today: NaiveDate,
}

impl NewToxicityForm {
    fn fields(&self) -> [&Field; 13] {
        [
            &self.kind,
            &self.term,
            &self.onset_date,
            &self.resolution_date,
            &self.max_grade,
            &self.max_grade_date,
            &self.max_grade_date_estimated,
            &self.hypotension,
            &self.hypoxia,
            &self.ice_score,
            &self.icaht_days_anc_le_500,
            &self.icaht_days_anc_le_100,
            &self.icaht_anc_nadir,
        ]
    }

    /// True when nothing was typed: no toxicity added.
    pub fn is_blank(&self) -> bool {
        self.fields().iter().all(|f| f.is_blank()) && self.treatments.is_blank()
    }

    /// True when a field carries a message.
    pub fn has_error(&self) -> bool {
        self.fields().iter().any(|f| f.error.is_some()) || self.treatments.has_error()
    }

    /// True when the "estimated" box of the maximum-grade date is ticked.
    pub fn max_grade_date_is_estimated(&self) -> bool {
        self.max_grade_date_estimated.value.trim() == "1"
    }

    /// Validates the event: its type, dates inside the period, the grade in the type's system
    /// and, for CRS and ICANS, against the ASTCT 2019 components (domain.md §9): a CRS grade is
    /// the worst of hypotension and hypoxia (grade 1 with neither); an ICANS grade is never
    /// below the grade the lowest ICE score implies.
    pub fn validate(&mut self, bounds: PeriodBounds) -> Option<NewToxicity> {
        let kind = ToxicityType::parse(&self.kind.value).ok();
        if kind.is_none() {
            self.kind.fail("Choose the kind of toxicity.");
        }
        let onset = self.onset(kind, bounds);
        let resolution = self.resolution(onset, bounds);
        let max_grade_date = self.max_grade_date(onset, resolution, bounds);
        let treatments = self.treatments.validate(TreatmentBounds {
            onset,
            contact: bounds.contact,
            death: bounds.death,
            today: bounds.today,
        });
        let grade = chosen::<CtcaeGrade>(&mut self.max_grade, true, "Choose the maximum grade.");
        let term = self.term.optional();
        let (mut hypotension, mut hypoxia, mut ice_score) = (None, None, None);
        match kind {
            Some(ToxicityType::Crs) => {
                (hypotension, hypoxia) = self.crs_components(grade);
                if !self.ice_score.is_blank() {
                    self.ice_score.fail("The ICE score belongs to ICANS.");
                }
            }
            Some(ToxicityType::Icans) => {
                ice_score = self.icans_components(grade);
                if !self.hypotension.is_blank() || !self.hypoxia.is_blank() {
                    self.hypotension
                        .fail("Hypotension and hypoxia belong to CRS.");
                }
            }
            Some(other) => {
                if let Some(finding) = grade.and_then(|g| check_grade(other, g.number())) {
                    self.max_grade.fail(capitalised(&finding.to_string()));
                }
                if other.needs_term() && term.is_none() {
                    self.term
                        .fail("Give the CTCAE term or a description of this toxicity.");
                }
                if !self.hypotension.is_blank() || !self.hypoxia.is_blank() {
                    self.hypotension
                        .fail("Hypotension and hypoxia belong to CRS.");
                }
                if !self.ice_score.is_blank() {
                    self.ice_score.fail("The ICE score belongs to ICANS.");
                }
            }
            None => {}
        }
        if kind.is_some_and(ToxicityType::has_astct_components) && term.is_some() {
            self.term
                .fail("CRS and ICANS are named by their type: leave the term blank.");
        }
        let icaht = kind.map_or_else(IcahtCounts::default, |k| self.icaht_counts(k, grade));
        if self.has_error() {
            return None;
        }
        let kind = kind?;
        Some(NewToxicity {
            kind,
            grading_system: kind.default_grading_system(),
            term,
            onset: onset?,
            resolution,
            grade: grade?.code().to_owned(),
            max_grade_date,
            max_grade_date_estimated: max_grade_date.is_some()
                && self.max_grade_date_is_estimated(),
            treatments: treatments?,
            hypotension,
            hypoxia,
            ice_score,
            icaht,
        })
    }

    /// The neutrophil counts of an ICAHT, checked against its type and grade (`icaht.rs`).
    fn icaht_counts(&mut self, kind: ToxicityType, grade: Option<CtcaeGrade>) -> IcahtCounts {
        let (counts, messages) = check_icaht_counts(
            kind,
            grade.map(CtcaeGrade::number),
            TypedIcahtCounts {
                days_anc_le_500: &self.icaht_days_anc_le_500.value,
                days_anc_le_100: &self.icaht_days_anc_le_100.value,
                anc_nadir_per_ul: &self.icaht_anc_nadir.value,
            },
        );
        for (input, message) in messages {
            let field = match input {
                IcahtInput::DaysAncLe500 => &mut self.icaht_days_anc_le_500,
                IcahtInput::DaysAncLe100 => &mut self.icaht_days_anc_le_100,
                IcahtInput::AncNadir => &mut self.icaht_anc_nadir,
                IcahtInput::Grade => &mut self.max_grade,
            };
            field.fail(message);
        }
        counts
    }

    /// The onset: required, from Day 0 to the contact date and not after death; early ICAHT
    /// by day 30.
    fn onset(&mut self, kind: Option<ToxicityType>, b: PeriodBounds) -> Option<NaiveDate> {
        let onset = parse_date(&mut self.onset_date, true, b.today)?;
        if onset < b.day0 {
            self.onset_date
                .fail("A toxicity of CAR-T cannot precede Day 0.");
        } else if b.contact.is_some_and(|c| onset > c) {
            self.onset_date
                .fail("The onset is after this period's contact date.");
        } else if let Some(death) = b.death.filter(|d| onset > *d) {
            self.onset_date
                .fail(format!("The onset is after the death ({death})."));
        } else if let Some(finding) =
            kind.and_then(|k| check_onset_day(k, StudyDay::between(b.day0, onset).days()))
        {
            self.onset_date.fail(capitalised(&finding.to_string()));
        }
        Some(onset)
    }

    /// The resolution: optional (blank is ongoing), not before the onset, not after the contact
    /// date or death.
    fn resolution(&mut self, onset: Option<NaiveDate>, b: PeriodBounds) -> Option<NaiveDate> {
        let resolved = parse_date(&mut self.resolution_date, false, b.today)?;
        if onset.is_some_and(|o| resolved < o) {
            self.resolution_date
                .fail("The resolution cannot precede the onset.");
        } else if b.contact.is_some_and(|c| resolved > c) {
            self.resolution_date.fail(
                "The resolution is after this period's contact date: leave it blank (ongoing).",
            );
        } else if let Some(death) = b.death.filter(|d| resolved > *d) {
            self.resolution_date
                .fail(format!("The resolution is after the death ({death})."));
        }
        Some(resolved)
    }

    /// The date the maximum grade was reached: optional, from the onset to the resolution (or
    /// the contact date while ongoing), not after death; "estimated" only with a date.
    fn max_grade_date(
        &mut self,
        onset: Option<NaiveDate>,
        resolution: Option<NaiveDate>,
        b: PeriodBounds,
    ) -> Option<NaiveDate> {
        self.max_grade_date_estimated.tick();
        let peak = parse_date(&mut self.max_grade_date, false, b.today);
        let Some(peak) = peak else {
            if self.max_grade_date_is_estimated() && self.max_grade_date.error.is_none() {
                self.max_grade_date_estimated
                    .fail("Only a date can be estimated: enter the date or untick the box.");
            }
            return None;
        };
        if onset.is_some_and(|o| peak < o) {
            self.max_grade_date
                .fail("The maximum grade cannot precede the onset.");
        } else if let Some(r) = resolution.filter(|r| peak > *r) {
            self.max_grade_date.fail(format!(
                "The maximum grade cannot follow the resolution ({r})."
            ));
        } else if b.contact.is_some_and(|c| peak > c) {
            self.max_grade_date
                .fail("The maximum grade is after this period's contact date.");
        } else if let Some(death) = b.death.filter(|d| peak > *d) {
            self.max_grade_date
                .fail(format!("The maximum grade is after the death ({death})."));
        }
        Some(peak)
    }

    /// Hypotension and hypoxia, both required, and the ASTCT grade they imply.
    fn crs_components(
        &mut self,
        grade: Option<CtcaeGrade>,
    ) -> (Option<Hypotension>, Option<Hypoxia>) {
        let hypotension = Hypotension::parse(&self.hypotension.value).ok();
        let hypoxia = Hypoxia::parse(&self.hypoxia.value).ok();
        if hypotension.is_none() {
            self.hypotension.fail("Choose the worst hypotension (CRS).");
        }
        if hypoxia.is_none() {
            self.hypoxia.fail("Choose the worst hypoxia (CRS).");
        }
        if let (Some(g), Some(hy), Some(ox)) = (grade, hypotension, hypoxia) {
            let implied = hy
                .implied_crs_grade()
                .max(ox.implied_crs_grade())
                .map_or(1, |g| g.number());
            let given = g.number();
            if given != 5 && given != implied {
                self.max_grade.fail(format!(
                    "By ASTCT 2019 this hypotension and hypoxia make CRS grade {implied}, not {given}."
                ));
            }
        }
        (hypotension, hypoxia)
    }

    /// The optional lowest ICE score, and the ICANS grade floor it sets.
    fn icans_components(&mut self, grade: Option<CtcaeGrade>) -> Option<u8> {
        if self.ice_score.is_blank() {
            return None;
        }
        match IceScore::parse(&self.ice_score.value) {
            Ok(score) => {
                let floor = score.implied_icans_grade().map_or(0, |g| g.number());
                if grade.is_some_and(|g| g.number() < floor) {
                    self.max_grade.fail(format!(
                        "An ICE score of {} means ICANS grade {floor} at least.",
                        score.get()
                    ));
                }
                Some(score.get())
            }
            Err(_) => {
                self.ice_score
                    .fail("The ICE score is a whole number from 0 to 10.");
                None
            }
        }
    }
}

/// A domain finding as a sentence by its field.
fn capitalised(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}
