//! The relapse/progression question of the follow-up form (domain.md §3.4 `relapse_since_last`,
//! §4.5, §4.10, §9): Yes (with its date, how it was first detected and, for CD19 or BCMA
//! products, the target antigen on the relapse), No, Previously reported, or Unknown.
//!
//! A relapse is reported once: when an earlier period of the course reported it, later periods
//! answer "previously reported" and show the earlier report; "previously reported" without an
//! earlier report is refused. The date falls in this reporting period (after the previous
//! contact, by this contact), on or after Day 0 and never after death. For B-ALL treated with a
//! CD19 product the antigen status (CD19-negative relapse: antigen escape) is required on a
//! complete form.
//!
//! Every method that detected the relapse is a check-all (domain.md §3.4 "method(s)": molecular,
//! flow cytometry, cytogenetic/FISH, radiological, clinical/haematological), carried as one field
//! whose value is the ticked codes joined by commas; a relapse needs at least one on a complete
//! form, and the method that detected it first is always one of them.

use chrono::NaiveDate;

use super::Context;
use crate::domain::{
    diagnosis::DiseaseGroup,
    product::TargetAntigen,
    response::{RelapseAntigenStatus, RelapseMethod},
    vocabulary::Vocabulary,
};
use crate::web::{
    form::{Field, chosen, ticked},
    routes::patients::new::parse_date,
};

/// The relapse reported by an earlier period of the same course.
#[derive(Debug, Clone, PartialEq)]
pub struct EarlierRelapse {
    /// The timepoint of the period that reported it.
    pub timepoint: String,
    pub date: Option<NaiveDate>,
    pub method: Option<RelapseMethod>,
    pub antigen: Option<RelapseAntigenStatus>,
}

impl EarlierRelapse {
    /// One line for the form: "reported at D100: 2024-03-01, flow cytometry, CD19 negative".
    pub fn summary(&self) -> String {
        let mut parts = vec![format!("reported at {}", self.timepoint)];
        if let Some(d) = self.date {
            parts.push(d.to_string());
        }
        if let Some(m) = self.method {
            parts.push(m.label().to_owned());
        }
        if let Some(a) = self.antigen {
            parts.push(a.label().to_owned());
        }
        parts.join(", ")
    }
}

/// The answer, validated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RelapseAnswer {
    Relapsed {
        date: Option<NaiveDate>,
        method: Option<RelapseMethod>,
        antigen: Option<RelapseAntigenStatus>,
    },
    NoRelapse,
    PreviouslyReported,
    Unknown,
}

impl RelapseAnswer {
    /// The stored `relapse_since_last` code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Relapsed { .. } => "Y",
            Self::NoRelapse => "N",
            Self::PreviouslyReported => "PREV",
            Self::Unknown => "UNK",
        }
    }

    /// (date, method, antigen) of a relapse reported here.
    pub fn details(
        self,
    ) -> (
        Option<NaiveDate>,
        Option<RelapseMethod>,
        Option<RelapseAntigenStatus>,
    ) {
        match self {
            Self::Relapsed {
                date,
                method,
                antigen,
            } => (date, method, antigen),
            _ => (None, None, None),
        }
    }
}

/// The relapse fields as typed.
pub struct RelapseFields<'a> {
    pub since_last: &'a mut Field,
    pub date: &'a mut Field,
    /// The method that detected the relapse first.
    pub method: &'a mut Field,
    /// Every method that detected it: the ticked codes, comma-separated.
    pub methods: &'a mut Field,
    pub antigen: &'a mut Field,
}

/// Parses the ticked methods (each once, in vocabulary order); a code not in the list fails.
fn parse_methods(field: &mut Field) -> Vec<RelapseMethod> {
    let (mut methods, unknown) = ticked(field);
    if unknown {
        field.fail("Tick the methods from the list.");
    }
    methods.sort();
    methods
}

/// True when the antigen status at relapse means something for this course's product.
pub fn antigen_applies(target: TargetAntigen) -> bool {
    matches!(target, TargetAntigen::Cd19 | TargetAntigen::Bcma)
}

/// Validates the answer and the methods that detected the relapse (empty unless relapsed).
/// `contact`: this period's contact date (the period's end), when valid. `None` when
/// unanswered or wrong (with messages beside the fields).
pub fn validate(
    f: RelapseFields<'_>,
    ctx: &Context,
    contact: Option<NaiveDate>,
    complete: bool,
    today: NaiveDate,
) -> Option<(RelapseAnswer, Vec<RelapseMethod>)> {
    let answer = match f.since_last.value.trim() {
        "" => {
            if complete {
                f.since_last
                    .fail("Answer whether the disease relapsed or progressed.");
            }
            None
        }
        "Y" => Some("Y"),
        "N" => Some("N"),
        "PREV" => Some("PREV"),
        "UNK" => Some("UNK"),
        _ => {
            f.since_last
                .fail("Answer whether the disease relapsed or progressed.");
            None
        }
    };
    match (answer, &ctx.earlier_relapse) {
        (Some("Y"), Some(earlier)) => f.since_last.fail(format!(
            "A relapse was already {}: answer Previously reported.",
            earlier.summary()
        )),
        (Some("PREV"), None) => f
            .since_last
            .fail("No earlier period of this course reported a relapse: answer Yes or No."),
        _ => {}
    }
    let relapsed = answer == Some("Y");
    let date = parse_date(f.date, false, today);
    let method = chosen::<RelapseMethod>(f.method, false, "Choose how the relapse was detected.");
    let methods = parse_methods(f.methods);
    let antigen =
        chosen::<RelapseAntigenStatus>(f.antigen, false, "Choose the antigen status at relapse.");
    if relapsed {
        if let Some(d) = date {
            check_date(f.date, d, ctx, contact);
        } else if complete && f.date.error.is_none() {
            f.date.fail("Enter the date of relapse or progression.");
        }
        if method.is_none() && complete && f.method.error.is_none() {
            f.method.fail("Choose how the relapse was detected.");
        }
        if methods.is_empty() && complete && f.methods.error.is_none() {
            f.methods
                .fail("Tick every method that detected the relapse (at least one).");
        }
        if let Some(first) = method
            && f.methods.error.is_none()
            && !methods.contains(&first)
        {
            f.method.fail(format!(
                "{} detected the relapse first: tick it among the methods too.",
                first.label()
            ));
        }
        if antigen.is_some() && !antigen_applies(ctx.target) {
            f.antigen
                .fail("The antigen status at relapse is recorded for CD19 or BCMA products only.");
        }
        let b_all_cd19 =
            ctx.target == TargetAntigen::Cd19 && ctx.disease_group == Some(DiseaseGroup::BAll);
        if b_all_cd19 && antigen.is_none() && complete && f.antigen.error.is_none() {
            f.antigen.fail(
                "B-ALL after a CD19 product: record whether the relapse is CD19 negative (antigen escape) or positive.",
            );
        }
    } else {
        let only = "Only with a relapse reported in this period (Yes): clear it.";
        if !f.date.is_blank() {
            f.date.fail(only);
        }
        if !f.method.is_blank() {
            f.method.fail(only);
        }
        if !f.methods.is_blank() {
            f.methods.fail(only);
        }
        if !f.antigen.is_blank() {
            f.antigen.fail(only);
        }
    }
    if [
        &*f.since_last,
        &*f.date,
        &*f.method,
        &*f.methods,
        &*f.antigen,
    ]
    .iter()
    .any(|x| x.error.is_some())
    {
        return None;
    }
    Some(match answer? {
        "Y" => (
            RelapseAnswer::Relapsed {
                date,
                method,
                antigen,
            },
            methods,
        ),
        "N" => (RelapseAnswer::NoRelapse, Vec::new()),
        "PREV" => (RelapseAnswer::PreviouslyReported, Vec::new()),
        _ => (RelapseAnswer::Unknown, Vec::new()),
    })
}

/// The relapse date lies in this period: on or after Day 0, after the previous contact of the
/// course, by this contact, and not after death.
fn check_date(field: &mut Field, date: NaiveDate, ctx: &Context, contact: Option<NaiveDate>) {
    if date < ctx.day0 {
        field.fail(format!(
            "A relapse after CAR-T cannot precede Day 0 ({}).",
            ctx.day0
        ));
    } else if ctx.death_date.is_some_and(|d| date > d) {
        field.fail("A relapse cannot follow the death.");
    } else if let Some(c) = contact {
        if date > c {
            field.fail("The relapse is after this period's contact date.");
        } else if let Some(start) = ctx.period_start(c)
            && date <= start
        {
            field.fail(format!(
                "The relapse falls in an earlier period (on or before the previous contact, {start}): report it there."
            ));
        }
    }
}
