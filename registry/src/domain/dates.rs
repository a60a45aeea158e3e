//! Clinical dates: a [`ClinicalDate`] that may be estimated (CIBMTR's "date estimated" box,
//! domain.md §0.8, [S11]) and the [`StudyDay`], days from Day 0 (the infusion, §0.1), plus the
//! §9 date-order rule. Timepoints and windows live in `schedule`.

use std::fmt;

use chrono::{Datelike, NaiveDate};

/// A date as recorded: the date and whether it is estimated (a partial date completed by the
/// coordinator, e.g. only the month known). Stored as two columns, `<x>_date` and
/// `<x>_date_estimated` (domain.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct ClinicalDate {
    pub date: NaiveDate,
    pub estimated: bool,
}

impl ClinicalDate {
    /// A date known exactly.
    pub fn exact(date: NaiveDate) -> Self {
        Self {
            date,
            estimated: false,
        }
    }

    /// An estimated date.
    pub fn estimated(date: NaiveDate) -> Self {
        Self {
            date,
            estimated: true,
        }
    }

    /// Days from Day 0 to this date.
    pub fn study_day(self, day0: NaiveDate) -> StudyDay {
        StudyDay::between(day0, self.date)
    }

    /// Parses a date typed in a form (`YYYY-MM-DD`), refusing dates after `today` (passed in,
    /// never read from the clock here) and before 1900.
    pub fn parse(
        input: &str,
        estimated: bool,
        today: NaiveDate,
    ) -> Result<Self, InvalidClinicalDate> {
        let given = input.trim();
        let date = NaiveDate::parse_from_str(given, "%Y-%m-%d").map_err(|_| {
            InvalidClinicalDate::NotADate {
                given: given.to_owned(),
            }
        })?;
        if date > today {
            return Err(InvalidClinicalDate::InFuture { date, today });
        }
        if date.year() < 1900 {
            return Err(InvalidClinicalDate::Implausible { date });
        }
        Ok(Self { date, estimated })
    }
}

/// A typed date that cannot be a clinical date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidClinicalDate {
    #[error("{given:?} is not a date; expected YYYY-MM-DD, e.g. 2024-03-01")]
    NotADate { given: String },
    #[error("{date} is in the future (today is {today})")]
    InFuture { date: NaiveDate, today: NaiveDate },
    #[error("{date} is before 1900; check the year")]
    Implausible { date: NaiveDate },
}

impl fmt::Display for ClinicalDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.estimated {
            write!(f, "{} (estimated)", self.date)
        } else {
            write!(f, "{}", self.date)
        }
    }
}

/// Days from Day 0 (the infusion date): Day 0 is the infusion, Day 1 the day after, Day -5 the
/// first lymphodepletion day of a flu/cy -5..-3 schedule. No "+1": this is also ADaM's
/// `AVAL = ADT - STARTDT` (domain.md §6.6).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct StudyDay(i64);

impl StudyDay {
    /// Day 0.
    pub const ZERO: Self = Self(0);

    /// The study day of `date` counted from `day0`.
    pub fn between(day0: NaiveDate, date: NaiveDate) -> Self {
        Self((date - day0).num_days())
    }

    /// A study day from its number.
    pub fn new(days: i64) -> Self {
        Self(days)
    }

    /// The number of days.
    pub fn days(self) -> i64 {
        self.0
    }

    /// The calendar date of this study day, `None` if out of chrono's range.
    pub fn date(self, day0: NaiveDate) -> Option<NaiveDate> {
        day0.checked_add_signed(chrono::TimeDelta::try_days(self.0)?)
    }
}

impl fmt::Display for StudyDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Day {}", self.0)
    }
}

/// A milestone of the treatment journey, in the order domain.md §9 requires:
/// apheresis ≤ lymphodepletion start ≤ infusion (Day 0) ≤ every follow-up or event ≤ death.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Milestone {
    Apheresis,
    LymphodepletionStart,
    Infusion,
    /// A follow-up contact or an event (toxicity, infection, relapse, …).
    FollowUpOrEvent,
    Death,
}

impl fmt::Display for Milestone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Apheresis => "apheresis",
            Self::LymphodepletionStart => "lymphodepletion start",
            Self::Infusion => "infusion (Day 0)",
            Self::FollowUpOrEvent => "follow-up or event",
            Self::Death => "death",
        })
    }
}

/// Two dates in the wrong order (domain.md §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{later} date {later_date} is before the {earlier} date {earlier_date}")]
pub struct DateOrderViolation {
    pub earlier: Milestone,
    pub earlier_date: NaiveDate,
    pub later: Milestone,
    pub later_date: NaiveDate,
}

/// Checks the §9 date order over any set of dated milestones (several follow-ups or events are
/// fine; same-day is allowed). Returns every violating pair, earlier milestone first.
pub fn check_date_order(dates: &[(Milestone, NaiveDate)]) -> Vec<DateOrderViolation> {
    let mut out = Vec::new();
    for (i, (m1, d1)) in dates.iter().enumerate() {
        for (m2, d2) in &dates[i + 1..] {
            let ((earlier, earlier_date), (later, later_date)) = if m1 <= m2 {
                ((*m1, *d1), (*m2, *d2))
            } else {
                ((*m2, *d2), (*m1, *d1))
            };
            if earlier != later && later_date < earlier_date {
                out.push(DateOrderViolation {
                    earlier,
                    earlier_date,
                    later,
                    later_date,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn study_days_count_from_day_zero() {
        let day0 = d(2024, 2, 28);
        assert_eq!(StudyDay::between(day0, day0), StudyDay::ZERO);
        assert_eq!(StudyDay::between(day0, d(2024, 3, 1)).days(), 2); // 2024 is a leap year
        assert_eq!(StudyDay::between(day0, d(2024, 2, 23)).days(), -5);
        assert_eq!(StudyDay::new(2).date(day0), Some(d(2024, 3, 1)));
        assert_eq!(
            ClinicalDate::estimated(d(2024, 3, 1))
                .study_day(day0)
                .days(),
            2
        );
        assert_eq!(StudyDay::new(28).to_string(), "Day 28");
    }

    #[test]
    fn clinical_dates_parse_at_the_edge() {
        let today = d(2024, 6, 1);
        assert_eq!(
            ClinicalDate::parse(" 2024-02-29 ", true, today),
            Ok(ClinicalDate::estimated(d(2024, 2, 29)))
        );
        assert_eq!(
            ClinicalDate::parse("2024-06-01", false, today),
            Ok(ClinicalDate::exact(today))
        );
        for bad in ["2023-02-29", "01/03/2024", "", "2024-13-01"] {
            let err = ClinicalDate::parse(bad, false, today).unwrap_err();
            assert!(err.to_string().contains("YYYY-MM-DD"), "{bad}: {err}");
        }
        assert_eq!(
            ClinicalDate::parse("2024-06-02", false, today),
            Err(InvalidClinicalDate::InFuture {
                date: d(2024, 6, 2),
                today
            })
        );
        assert!(matches!(
            ClinicalDate::parse("1024-06-02", false, today),
            Err(InvalidClinicalDate::Implausible { .. })
        ));
        assert_eq!(
            ClinicalDate::estimated(today).to_string(),
            "2024-06-01 (estimated)"
        );
    }

    #[test]
    fn date_order_rule() {
        let ok = [
            (Milestone::Apheresis, d(2024, 1, 2)),
            (Milestone::LymphodepletionStart, d(2024, 1, 25)),
            (Milestone::Infusion, d(2024, 1, 30)),
            (Milestone::FollowUpOrEvent, d(2024, 2, 27)),
            (Milestone::FollowUpOrEvent, d(2024, 2, 3)),
            (Milestone::Death, d(2024, 2, 27)),
        ];
        assert!(check_date_order(&ok).is_empty());
        let bad = [
            (Milestone::Death, d(2024, 2, 1)),
            (Milestone::Infusion, d(2024, 1, 30)),
            (Milestone::FollowUpOrEvent, d(2024, 3, 1)),
        ];
        let v = check_date_order(&bad);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].earlier, Milestone::FollowUpOrEvent);
        assert_eq!(v[0].later, Milestone::Death);
        assert!(
            v[0].to_string().contains("death date 2024-02-01 is before"),
            "{}",
            v[0]
        );
    }
}
