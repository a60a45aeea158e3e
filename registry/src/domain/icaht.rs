//! The ICAHT grade implied by the neutrophil counts it rests on (EHA/EBMT 2023, Rejeski et al.,
//! Blood 142:865; domain.md §4.7 [G6]), so a grade typed on a form can be checked against them
//! (the §9 grade-consistency rule). Early ICAHT (day 0-30) is graded by how long ANC stays
//! <= 500/µL (or <= 100/µL); late ICAHT (after day 30) by the depth of the ANC nadir.

use std::fmt;

/// Days of neutropenia counted for early ICAHT: ANC <= 500/µL from 14 days is grade 3 (and
/// from 30 days grade 4), ANC <= 100/µL from 7 days grade 4.
const EARLY_G2_DAYS: u32 = 7;
const EARLY_G3_DAYS: u32 = 14;
const EARLY_G4_DAYS: u32 = 30;
const EARLY_PROFOUND_G4_DAYS: u32 = 7;

/// The most days a count may give: a neutropenia longer than a year is not early ICAHT and is
/// more likely a typing error.
pub const MAX_ICAHT_DAYS: u32 = 365;

/// The highest ANC nadir a form accepts (cells/µL): far above any neutropenia, so a larger
/// number is a unit error (10^9/L typed as /µL is the opposite error, caught by the grade).
pub const MAX_ANC_NADIR_PER_UL: u32 = 50_000;

/// An ICAHT grade, 1 to 4 (EHA/EBMT 2023 has no grade 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum IcahtGrade {
    G1,
    G2,
    G3,
    G4,
}

impl IcahtGrade {
    /// The grade as a number, 1 to 4.
    pub fn number(self) -> u8 {
        match self {
            Self::G1 => 1,
            Self::G2 => 2,
            Self::G3 => 3,
            Self::G4 => 4,
        }
    }
}

impl fmt::Display for IcahtGrade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.number())
    }
}

/// The counts of early ICAHT: days with ANC <= 500/µL and, among them, days with ANC <= 100/µL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EarlyIcahtCounts {
    days_le_500: u32,
    days_le_100: u32,
}

/// Counts that cannot describe one neutropenia.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IcahtCountError {
    /// Every day with ANC <= 100/µL is also a day with ANC <= 500/µL.
    #[error(
        "the days with ANC <= 100/µL ({days_le_100}) cannot exceed the days with ANC <= 500/µL ({days_le_500})"
    )]
    ProfoundExceedsNeutropenia { days_le_500: u32, days_le_100: u32 },
    /// More days than [`MAX_ICAHT_DAYS`].
    #[error("a count of days is a whole number from 0 to {MAX_ICAHT_DAYS}, not {days}")]
    TooManyDays { days: u32 },
}

impl EarlyIcahtCounts {
    /// The counts, refused when the days <= 100/µL exceed the days <= 500/µL or a count is
    /// beyond [`MAX_ICAHT_DAYS`].
    pub fn new(days_le_500: u32, days_le_100: u32) -> Result<Self, IcahtCountError> {
        if let Some(days) = [days_le_500, days_le_100]
            .into_iter()
            .find(|d| *d > MAX_ICAHT_DAYS)
        {
            return Err(IcahtCountError::TooManyDays { days });
        }
        if days_le_100 > days_le_500 {
            return Err(IcahtCountError::ProfoundExceedsNeutropenia {
                days_le_500,
                days_le_100,
            });
        }
        Ok(Self {
            days_le_500,
            days_le_100,
        })
    }

    /// Days with ANC <= 500/µL.
    pub fn days_le_500(self) -> u32 {
        self.days_le_500
    }

    /// Days with ANC <= 100/µL (among the days <= 500/µL).
    pub fn days_le_100(self) -> u32 {
        self.days_le_100
    }

    /// The grade these counts make, `None` when there was no day with ANC <= 500/µL (no early
    /// ICAHT): grade 4 from 30 days <= 500/µL or 7 days <= 100/µL, grade 3 from 14 days, grade 2
    /// from 7 days, grade 1 below.
    pub fn grade(self) -> Option<IcahtGrade> {
        let days = self.days_le_500;
        if days >= EARLY_G4_DAYS || self.days_le_100 >= EARLY_PROFOUND_G4_DAYS {
            Some(IcahtGrade::G4)
        } else if days >= EARLY_G3_DAYS {
            Some(IcahtGrade::G3)
        } else if days >= EARLY_G2_DAYS {
            Some(IcahtGrade::G2)
        } else if days >= 1 {
            Some(IcahtGrade::G1)
        } else {
            None
        }
    }
}

/// The late ICAHT grade an ANC nadir (cells/µL) makes, `None` above 1500/µL (no late ICAHT):
/// grade 1 <= 1500, grade 2 <= 1000, grade 3 <= 500, grade 4 <= 100.
pub fn late_icaht_grade(nadir_per_ul: u32) -> Option<IcahtGrade> {
    match nadir_per_ul {
        0..=100 => Some(IcahtGrade::G4),
        101..=500 => Some(IcahtGrade::G3),
        501..=1000 => Some(IcahtGrade::G2),
        1001..=1500 => Some(IcahtGrade::G1),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn early(le_500: u32, le_100: u32) -> Option<u8> {
        EarlyIcahtCounts::new(le_500, le_100)
            .expect("valid counts")
            .grade()
            .map(IcahtGrade::number)
    }

    #[test]
    fn early_grade_by_days_at_or_below_500() {
        assert_eq!(early(0, 0), None);
        assert_eq!(early(1, 0), Some(1));
        assert_eq!(early(6, 0), Some(1));
        assert_eq!(early(7, 0), Some(2));
        assert_eq!(early(13, 0), Some(2));
        assert_eq!(early(14, 0), Some(3));
        assert_eq!(early(29, 0), Some(3));
        assert_eq!(early(30, 0), Some(4));
        assert_eq!(early(60, 0), Some(4));
    }

    #[test]
    fn seven_days_at_or_below_100_is_grade_4() {
        assert_eq!(early(7, 6), Some(2));
        assert_eq!(early(7, 7), Some(4));
        assert_eq!(early(13, 6), Some(2));
        assert_eq!(early(20, 6), Some(3));
        assert_eq!(early(20, 7), Some(4));
    }

    #[test]
    fn days_at_or_below_100_cannot_exceed_days_at_or_below_500() {
        assert_eq!(
            EarlyIcahtCounts::new(6, 7),
            Err(IcahtCountError::ProfoundExceedsNeutropenia {
                days_le_500: 6,
                days_le_100: 7
            })
        );
        assert!(EarlyIcahtCounts::new(7, 7).is_ok());
    }

    #[test]
    fn counts_of_days_are_bounded() {
        assert!(EarlyIcahtCounts::new(MAX_ICAHT_DAYS, 0).is_ok());
        assert_eq!(
            EarlyIcahtCounts::new(MAX_ICAHT_DAYS + 1, 0),
            Err(IcahtCountError::TooManyDays {
                days: MAX_ICAHT_DAYS + 1
            })
        );
    }

    #[test]
    fn late_grade_by_nadir() {
        let late = |n| late_icaht_grade(n).map(IcahtGrade::number);
        assert_eq!(late(1501), None);
        assert_eq!(late(10_000), None);
        assert_eq!(late(1500), Some(1));
        assert_eq!(late(1001), Some(1));
        assert_eq!(late(1000), Some(2));
        assert_eq!(late(501), Some(2));
        assert_eq!(late(500), Some(3));
        assert_eq!(late(101), Some(3));
        assert_eq!(late(100), Some(4));
        assert_eq!(late(0), Some(4));
    }
}
