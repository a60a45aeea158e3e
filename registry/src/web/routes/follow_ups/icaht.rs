//! The neutrophil counts typed with an ICAHT (EHA/EBMT 2023, domain.md §4.7), shared by the
//! follow-up form and the toxicity correction form: optional; when given, whole numbers in
//! range, on their own ICAHT type only, and the grade typed must be the one they imply
//! (`domain::icaht`), the §9 grade-consistency rule.

use crate::domain::{
    icaht::{EarlyIcahtCounts, IcahtGrade, MAX_ANC_NADIR_PER_UL, MAX_ICAHT_DAYS, late_icaht_grade},
    toxicity::ToxicityType,
};

/// The three counts as typed.
#[derive(Debug, Clone, Copy)]
pub struct TypedIcahtCounts<'a> {
    pub days_anc_le_500: &'a str,
    pub days_anc_le_100: &'a str,
    pub anc_nadir_per_ul: &'a str,
}

/// The counts to store (`None`: not recorded).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IcahtCounts {
    pub days_anc_le_500: Option<i32>,
    pub days_anc_le_100: Option<i32>,
    pub anc_nadir_per_ul: Option<i32>,
}

/// The input a message belongs beside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IcahtInput {
    DaysAncLe500,
    DaysAncLe100,
    AncNadir,
    /// The maximum grade: it disagrees with the counts.
    Grade,
}

/// Checks the counts typed with a toxicity of `kind` graded `grade` (its number, when valid).
/// Returns the counts to store and the messages, each by its input (none: valid).
pub fn check_icaht_counts(
    kind: ToxicityType,
    grade: Option<u8>,
    typed: TypedIcahtCounts<'_>,
) -> (IcahtCounts, Vec<(IcahtInput, String)>) {
    let mut messages = Vec::new();
    let mut days = |input: IcahtInput, value: &str, what: &str| {
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        if kind != ToxicityType::IcahtEarly {
            messages.push((
                input,
                format!("The days with {what} belong to early ICAHT: leave them blank."),
            ));
            return None;
        }
        match value.parse::<u32>() {
            Ok(d) if d <= MAX_ICAHT_DAYS => Some(d),
            _ => {
                messages.push((
                    input,
                    format!("The days with {what} are a whole number from 0 to {MAX_ICAHT_DAYS}."),
                ));
                None
            }
        }
    };
    let le_500 = days(
        IcahtInput::DaysAncLe500,
        typed.days_anc_le_500,
        "ANC ≤ 500/µL",
    );
    let le_100 = days(
        IcahtInput::DaysAncLe100,
        typed.days_anc_le_100,
        "ANC ≤ 100/µL",
    );
    let nadir = nadir(kind, typed.anc_nadir_per_ul, &mut messages);
    let early_typed = [typed.days_anc_le_500, typed.days_anc_le_100]
        .iter()
        .any(|v| !v.trim().is_empty());
    let mut counts = IcahtCounts::default();
    if kind == ToxicityType::IcahtEarly && early_typed && messages.is_empty() {
        match (le_500, le_100) {
            (Some(le_500), Some(le_100)) => match EarlyIcahtCounts::new(le_500, le_100) {
                Ok(early) => {
                    check_grade(kind, grade, early.grade(), &mut messages);
                    counts.days_anc_le_500 = i32::try_from(le_500).ok();
                    counts.days_anc_le_100 = i32::try_from(le_100).ok();
                }
                Err(e) => messages.push((IcahtInput::DaysAncLe100, sentence(&e.to_string()))),
            },
            (None, _) => messages.push((
                IcahtInput::DaysAncLe500,
                "Give both counts of days for early ICAHT, or neither.".to_owned(),
            )),
            (_, None) => messages.push((
                IcahtInput::DaysAncLe100,
                "Give both counts of days for early ICAHT, or neither (0 if ANC never fell to 100/µL or below).".to_owned(),
            )),
        }
    }
    if let Some(n) = nadir.filter(|_| messages.is_empty()) {
        check_grade(kind, grade, late_icaht_grade(n), &mut messages);
        counts.anc_nadir_per_ul = i32::try_from(n).ok();
    }
    (counts, messages)
}

/// The ANC nadir: late ICAHT only, a whole number of cells/µL in range.
fn nadir(kind: ToxicityType, typed: &str, messages: &mut Vec<(IcahtInput, String)>) -> Option<u32> {
    let value = typed.trim();
    if value.is_empty() {
        return None;
    }
    if kind != ToxicityType::IcahtLate {
        messages.push((
            IcahtInput::AncNadir,
            "The ANC nadir belongs to late ICAHT: leave it blank.".to_owned(),
        ));
        return None;
    }
    match value.parse::<u32>() {
        Ok(n) if n <= MAX_ANC_NADIR_PER_UL => Some(n),
        _ => {
            messages.push((
                IcahtInput::AncNadir,
                format!(
                    "The ANC nadir is a whole number of cells/µL from 0 to {MAX_ANC_NADIR_PER_UL}."
                ),
            ));
            None
        }
    }
}

/// The grade typed against the grade the counts imply (grades outside 1-4 are refused by the
/// type's own rule, so they are not compared).
fn check_grade(
    kind: ToxicityType,
    given: Option<u8>,
    implied: Option<IcahtGrade>,
    messages: &mut Vec<(IcahtInput, String)>,
) {
    let early = kind == ToxicityType::IcahtEarly;
    let phase = if early { "early" } else { "late" };
    let Some(given) = given.filter(|g| (1..=4).contains(g)) else {
        return;
    };
    match implied {
        Some(implied) if implied.number() == given => {}
        Some(implied) => messages.push((
            IcahtInput::Grade,
            format!(
                "By EHA/EBMT 2023 these neutrophil counts make {phase} ICAHT grade {implied}, not {given}."
            ),
        )),
        None => messages.push((
            IcahtInput::Grade,
            format!(
                "By EHA/EBMT 2023 these neutrophil counts are no {phase} ICAHT (grade 1 needs {}): correct them or leave them blank.",
                if early {
                    "a day with ANC ≤ 500/µL"
                } else {
                    "an ANC nadir ≤ 1500/µL"
                }
            ),
        )),
    }
}

/// A domain error as a sentence.
fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}
