//! Immunoglobulin replacement: product/route and indication (domain.md §3.9), and the rule that
//! an IgG sampled within 30 days after an infusion is not native IgG (§9, [S15]).

use chrono::NaiveDate;

use crate::vocabulary;

vocabulary! {
    /// Immunoglobulin product by route; CIBMTR counts both as "IVIG" (domain.md §3.9, [S15]).
    pub enum IgProduct: "immunoglobulin product" {
        Ivig = ("IVIG", "Intravenous immunoglobulin (IVIG)"),
        Scig = ("SCIG", "Subcutaneous immunoglobulin (SCIG)"),
    }
}

vocabulary! {
    /// Why immunoglobulin was given (domain.md §3.9, [S15]).
    pub enum IgIndication: "immunoglobulin indication" {
        Hypogammaglobulinaemia = ("HYPOGAMMAGLOBULINAEMIA", "Hypogammaglobulinaemia"),
        Infection = ("RECURRENT_INFECTION", "Recurrent or serious infection"),
        Prophylaxis = ("PROPHYLAXIS", "Prophylaxis"),
        Other = ("OTHER", "Other (specify)"),
    }
}

/// Above this many grams at one administration a dose is refused as a slip of unit (2 g/kg,
/// the immunomodulatory dose, for a 100 kg adult; replacement is 0.4-0.6 g/kg).
pub const MAX_DOSE_G: f64 = 200.0;
/// Above this many mg/kg at one administration a dose is refused as a slip of unit (2 g/kg).
pub const MAX_DOSE_MG_PER_KG: f64 = 2_000.0;
/// The longest interval between administrations, days (the schema's bound).
pub const MAX_INTERVAL_DAYS: i32 = 365;

/// The input a message about a course's regimen belongs beside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegimenField {
    StopDate,
    DoseG,
    DoseMgPerKg,
    IntervalDays,
}

impl RegimenField {
    /// The column it is stored in, which names its input (prefixed on the follow-up form).
    pub fn column(self) -> &'static str {
        match self {
            Self::StopDate => "stop_date",
            Self::DoseG => "dose_g",
            Self::DoseMgPerKg => "dose_mg_per_kg",
            Self::IntervalDays => "interval_days",
        }
    }
}

/// How a course of immunoglobulin was given (domain.md §3.9), numbers already read: when it
/// stopped (`None`: ongoing), the dose per administration in grams and/or mg/kg, and the
/// interval between administrations.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct IgRegimen {
    pub stop_date: Option<NaiveDate>,
    pub dose_g: Option<f64>,
    pub dose_mg_per_kg: Option<f64>,
    pub interval_days: Option<i32>,
}

impl IgRegimen {
    /// What is wrong with this regimen for a course started on `start` (`None`: not known),
    /// each message with the input it belongs beside; empty when it may be stored. Doses are
    /// above 0 (read at the edge).
    pub fn problems(&self, start: Option<NaiveDate>) -> Vec<(RegimenField, String)> {
        let mut problems = Vec::new();
        if let (Some(start), Some(stop)) = (start, self.stop_date)
            && stop < start
        {
            problems.push((
                RegimenField::StopDate,
                format!("The course cannot stop before it starts ({start})."),
            ));
        }
        if self.dose_g.is_some_and(|g| g > MAX_DOSE_G) {
            problems.push((
                RegimenField::DoseG,
                format!(
                    "A dose above {MAX_DOSE_G} g at one administration cannot be right: check \
                     the unit (grams, not milligrams)."
                ),
            ));
        }
        if self.dose_mg_per_kg.is_some_and(|d| d > MAX_DOSE_MG_PER_KG) {
            problems.push((
                RegimenField::DoseMgPerKg,
                format!(
                    "A dose above {MAX_DOSE_MG_PER_KG} mg/kg (2 g/kg) at one administration \
                     cannot be right: check the unit."
                ),
            ));
        }
        if self
            .interval_days
            .is_some_and(|d| !(1..=MAX_INTERVAL_DAYS).contains(&d))
        {
            problems.push((
                RegimenField::IntervalDays,
                format!("Enter the interval as whole days from 1 to {MAX_INTERVAL_DAYS}."),
            ));
        }
        problems
    }
}

/// Days before an IgG sample within which an immunoglobulin infusion makes it non-native [S15].
pub const NON_NATIVE_IGG_WINDOW_DAYS: i64 = 30;

/// `true` if any immunoglobulin was given on the sample day or in the 30 days before it, so the
/// IgG is not native and is excluded from hypogammaglobulinaemia rates (domain.md §6.4, [S15]).
/// `ig_dates` are administration dates (for a course, each dose or its stop date).
pub fn igg_is_non_native(sample_date: NaiveDate, ig_dates: &[NaiveDate]) -> bool {
    ig_dates.iter().any(|d| {
        let days_before = (sample_date - *d).num_days();
        (0..=NON_NATIVE_IGG_WINDOW_DAYS).contains(&days_before)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regimen_stops_after_it_starts_with_plausible_doses_and_interval() {
        let d = |day| NaiveDate::from_ymd_opt(2024, 3, day).unwrap();
        let fields = |r: IgRegimen, start| -> Vec<RegimenField> {
            r.problems(start).into_iter().map(|(f, _)| f).collect()
        };
        let usual = IgRegimen {
            stop_date: Some(d(20)),
            dose_g: Some(30.0),
            dose_mg_per_kg: Some(400.0),
            interval_days: Some(28),
        };
        assert_eq!(fields(usual, Some(d(1))), vec![]);
        // A single infusion: stops the day it starts; the bounds themselves are allowed.
        let single = IgRegimen {
            stop_date: Some(d(1)),
            dose_g: Some(MAX_DOSE_G),
            dose_mg_per_kg: Some(MAX_DOSE_MG_PER_KG),
            interval_days: Some(MAX_INTERVAL_DAYS),
        };
        assert_eq!(fields(single, Some(d(1))), vec![]);
        assert_eq!(fields(IgRegimen::default(), None), vec![]);
        let wrong = IgRegimen {
            stop_date: Some(d(1)),
            dose_g: Some(30_000.0),
            dose_mg_per_kg: Some(2_000.5),
            interval_days: Some(0),
        };
        assert_eq!(
            fields(wrong, Some(d(2))),
            vec![
                RegimenField::StopDate,
                RegimenField::DoseG,
                RegimenField::DoseMgPerKg,
                RegimenField::IntervalDays
            ]
        );
        assert_eq!(
            fields(
                IgRegimen {
                    interval_days: Some(366),
                    ..IgRegimen::default()
                },
                None
            ),
            vec![RegimenField::IntervalDays]
        );
    }

    #[test]
    fn thirty_day_window_edges() {
        let sample = NaiveDate::from_ymd_opt(2024, 3, 31).unwrap();
        let days_before = |n: i64| sample - chrono::Days::new(n as u64);
        assert!(igg_is_non_native(sample, &[days_before(0)]));
        assert!(igg_is_non_native(sample, &[days_before(30)]));
        assert!(!igg_is_non_native(sample, &[days_before(31)]));
        assert!(!igg_is_non_native(sample, &[sample + chrono::Days::new(1)]));
        assert!(!igg_is_non_native(sample, &[]));
    }
}
