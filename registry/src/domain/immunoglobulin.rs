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
