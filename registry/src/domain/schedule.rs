//! The visit schedule: timepoints counted from Day 0 with a target day and a window, and the
//! status of each timepoint for a patient (not yet due, due, overdue, done, missed, not
//! applicable), computed from the infusion date, today (always passed in: nothing here reads
//! the clock), the follow-ups recorded and how follow-up ended. The worklist is built on it.
//! Which follow-up *fields* exist is `follow_up`'s business, not this module's. The worklist of
//! many courses at once (the web app's home page) is computed on day numbers by [`days`], which
//! gives the same visits as [`worklist`] here, the reference.
//!
//! # Default windows (study days, both ends inclusive)
//!
//! | timepoint | target | window | source |
//! |---|---|---|---|
//! | D28 | 28 | 21-35 (±7) | our choice (trial-style Day 28 visit, domain.md §3.4) |
//! | D100 | 100 | 90-130 (-10/+30) | our choice: CIBMTR's 100-day window was not found [S9] |
//! | M6 | 182 | 150-210 | our choice: CIBMTR's 6-month window was not found [S9] |
//! | Y1 | 365 | 365-425 (-0/+60) | CIBMTR 2023 manual update [S9] |
//! | Yk, k = 2..15 | 365·k | 365·k to 365·k+60 | our choice: Y1's CIBMTR shape, kept for every year |
//!
//! Yearly targets are 365·k days, not calendar anniversaries, so they drift up to 4 days ahead
//! of the anniversary by Year 15; the anniversary always falls inside the -0/+60 window.
//! Windows are configurable per timepoint, and trial-style Day 7 (5-9) and Day 14 (11-17)
//! visits can be added ([`Schedule::with_window`], domain.md §3.4, §8.1). Unscheduled visits
//! are recorded as [`Timepoint::Unscheduled`] and never scheduled.
//!
//! # From overdue to missed
//!
//! A timepoint is **overdue** from the day after its window closes, and **missed** from the day
//! the next scheduled timepoint's window opens (for the last, Year 15, 365 days after its
//! target, when a Year 16 would open). Reporting periods are contiguous (domain.md §0.2,
//! [S1]): once the next window is open, the next form covers the late period, so the late
//! form can no longer be collected on its own. A missed timepoint stays on the worklist until a
//! follow-up record (with missing-data codes as needed) completes it.
//!
//! # End of follow-up
//!
//! - **Death** (domain.md §9: no visits after death; the death date is the last contact
//!   [S14]): the death is reported in the form of the period it fell in, the first timepoint
//!   whose window closes on or after the death date and that has no completed form with a
//!   contact before the death. That timepoint is due from the death date (or its window
//!   opening, whichever comes first) and then follows the usual clock; every later timepoint
//!   is not applicable.
//! - **Withdrawn** or **transferred** on a date: timepoints whose window opens after that date
//!   are not applicable; earlier ones follow the usual clock (data collected before then may
//!   still be entered).
//! - **Lost to follow-up** since a date: timepoints whose window opens after that date are
//!   missed once their window opens (they were expected), not yet due before; they are left
//!   off the worklist, because tracing a lost patient is one task, not fifteen.
//! - **A new treatment course** (another cellular therapy) restarts the schedule from its own
//!   Day 0 [S1]: this course's timepoints whose window opens after it are not applicable.
//! - A completed form always makes its timepoint done, whatever else is true (a completed form
//!   after death is a data error that validation reports, not a schedule state).

pub mod days;

use std::fmt;

use chrono::{Datelike, NaiveDate};

use crate::domain::dates::StudyDay;
use crate::domain::follow_up::FormStatus;
use crate::domain::patient::LtfuStatus;
use crate::domain::vocabulary::Vocabulary;
use crate::vocabulary;

vocabulary! {
    /// A follow-up timepoint, counted from Day 0 (domain.md §3.4; CIBMTR 100 days, 6 months,
    /// then yearly on the 15-year track [S1][S2]). Ordered in time, unscheduled last.
    pub enum Timepoint: "follow-up timepoint" {
        /// Trial-style, not in the default schedule.
        D7 = ("D7", "Day 7"),
        /// Trial-style, not in the default schedule.
        D14 = ("D14", "Day 14"),
        D28 = ("D28", "Day 28"),
        D100 = ("D100", "Day 100"),
        M6 = ("M6", "Month 6"),
        Y1 = ("Y1", "Year 1"),
        Y2 = ("Y2", "Year 2"),
        Y3 = ("Y3", "Year 3"),
        Y4 = ("Y4", "Year 4"),
        Y5 = ("Y5", "Year 5"),
        Y6 = ("Y6", "Year 6"),
        Y7 = ("Y7", "Year 7"),
        Y8 = ("Y8", "Year 8"),
        Y9 = ("Y9", "Year 9"),
        Y10 = ("Y10", "Year 10"),
        Y11 = ("Y11", "Year 11"),
        Y12 = ("Y12", "Year 12"),
        Y13 = ("Y13", "Year 13"),
        Y14 = ("Y14", "Year 14"),
        Y15 = ("Y15", "Year 15"),
        /// A visit outside the schedule; it has no window and no status.
        Unscheduled = ("UNSCHEDULED", "Unscheduled visit"),
    }
}

impl Timepoint {
    /// The default schedule: Day 28, Day 100, Month 6, Years 1 to 15.
    pub fn default_schedule() -> impl Iterator<Item = Self> {
        Self::ALL
            .iter()
            .copied()
            .filter(|t| t.is_in_default_schedule())
    }

    /// `true` for Day 28 to Year 15 (not the trial-style Day 7 and Day 14, not unscheduled).
    pub fn is_in_default_schedule(self) -> bool {
        !matches!(self, Self::D7 | Self::D14 | Self::Unscheduled)
    }

    /// The year of a yearly timepoint (1..=15), `None` otherwise.
    pub fn year(self) -> Option<u8> {
        Some(match self {
            Self::Y1 => 1,
            Self::Y2 => 2,
            Self::Y3 => 3,
            Self::Y4 => 4,
            Self::Y5 => 5,
            Self::Y6 => 6,
            Self::Y7 => 7,
            Self::Y8 => 8,
            Self::Y9 => 9,
            Self::Y10 => 10,
            Self::Y11 => 11,
            Self::Y12 => 12,
            Self::Y13 => 13,
            Self::Y14 => 14,
            Self::Y15 => 15,
            Self::D7 | Self::D14 | Self::D28 | Self::D100 | Self::M6 | Self::Unscheduled => {
                return None;
            }
        })
    }

    /// The yearly timepoint of year `year` (1..=15).
    pub fn of_year(year: u8) -> Option<Self> {
        Self::ALL.iter().copied().find(|t| t.year() == Some(year))
    }

    /// The default window (see the module documentation for sources); `None` for unscheduled.
    pub fn default_window(self) -> Option<Window> {
        let (earliest, target, latest) = match self {
            Self::D7 => (5, 7, 9),
            Self::D14 => (11, 14, 17),
            Self::D28 => (21, 28, 35),
            Self::D100 => (90, 100, 130),
            Self::M6 => (150, 182, 210),
            Self::Unscheduled => return None,
            _ => {
                let target = 365 * i64::from(self.year()?);
                (target, target, target + 60)
            }
        };
        Some(Window {
            earliest: StudyDay::new(earliest),
            target: StudyDay::new(target),
            latest: StudyDay::new(latest),
        })
    }
}

/// A timepoint's target day and window, in study days from Day 0, both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Window {
    pub earliest: StudyDay,
    pub target: StudyDay,
    pub latest: StudyDay,
}

/// A window or schedule that cannot work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidWindow {
    #[error(
        "the {timepoint} window must satisfy earliest <= target <= latest, and start after Day 0"
    )]
    Unordered { timepoint: Timepoint },
    #[error("the {timepoint} window overlaps or precedes the window of {previous}")]
    Overlaps {
        timepoint: Timepoint,
        previous: Timepoint,
    },
    #[error("an unscheduled visit has no window")]
    Unscheduled,
}

/// The window of a timepoint as calendar dates for one patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WindowDates {
    pub earliest: NaiveDate,
    pub target: NaiveDate,
    pub latest: NaiveDate,
}

impl Window {
    /// The window as dates, given the infusion date (Day 0). `None` only beyond chrono's range.
    pub fn dates(self, infusion: NaiveDate) -> Option<WindowDates> {
        Some(WindowDates {
            earliest: self.earliest.date(infusion)?,
            target: self.target.date(infusion)?,
            latest: self.latest.date(infusion)?,
        })
    }

    /// Where a study day falls relative to the window (the §9 soft rule: a contact outside its
    /// window is a warning the user may confirm).
    pub fn check(self, day: StudyDay) -> WindowCheck {
        if day < self.earliest {
            WindowCheck::Early {
                days: self.earliest.days() - day.days(),
            }
        } else if day > self.latest {
            WindowCheck::Late {
                days: day.days() - self.latest.days(),
            }
        } else {
            WindowCheck::InWindow
        }
    }
}

/// Where a contact date falls relative to its timepoint's window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowCheck {
    /// So many days before the window opens.
    Early {
        days: i64,
    },
    InWindow,
    /// So many days after the window closed.
    Late {
        days: i64,
    },
}

/// The scheduled timepoints and their windows: the CIBMTR-based defaults, or a centre's
/// configuration. Timepoints are kept in time order and their windows never overlap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    windows: Vec<(Timepoint, Window)>,
}

impl Default for Schedule {
    /// Day 28 to Year 15 with the windows of the module documentation.
    fn default() -> Self {
        Self {
            windows: Timepoint::default_schedule()
                .filter_map(|t| Some((t, t.default_window()?)))
                .collect(),
        }
    }
}

impl Schedule {
    /// This schedule with a timepoint added or its window replaced. Windows must stay ordered
    /// and must not overlap, so that a contact date belongs to at most one timepoint.
    pub fn with_window(
        mut self,
        timepoint: Timepoint,
        window: Window,
    ) -> Result<Self, InvalidWindow> {
        if timepoint == Timepoint::Unscheduled {
            return Err(InvalidWindow::Unscheduled);
        }
        if !(StudyDay::ZERO < window.earliest
            && window.earliest <= window.target
            && window.target <= window.latest)
        {
            return Err(InvalidWindow::Unordered { timepoint });
        }
        self.windows.retain(|(t, _)| *t != timepoint);
        self.windows.push((timepoint, window));
        self.windows.sort_by_key(|(t, _)| *t);
        for pair in self.windows.windows(2) {
            if let [(previous, a), (t, b)] = pair
                && b.earliest <= a.latest
            {
                return Err(InvalidWindow::Overlaps {
                    timepoint: *t,
                    previous: *previous,
                });
            }
        }
        Ok(self)
    }

    /// This schedule without a timepoint (a centre that does not collect it).
    pub fn without(mut self, timepoint: Timepoint) -> Self {
        self.windows.retain(|(t, _)| *t != timepoint);
        self
    }

    /// The scheduled timepoints, in time order.
    pub fn timepoints(&self) -> impl Iterator<Item = Timepoint> + '_ {
        self.windows.iter().map(|(t, _)| *t)
    }

    /// The window of a timepoint, `None` if it is not scheduled.
    pub fn window(&self, timepoint: Timepoint) -> Option<Window> {
        self.windows
            .iter()
            .find(|(t, _)| *t == timepoint)
            .map(|(_, w)| *w)
    }

    /// The target date of a timepoint for a patient infused on `infusion`.
    pub fn target_date(&self, timepoint: Timepoint, infusion: NaiveDate) -> Option<NaiveDate> {
        self.window(timepoint)?.target.date(infusion)
    }

    /// The scheduled timepoint after this one.
    pub fn next_after(&self, timepoint: Timepoint) -> Option<Timepoint> {
        self.timepoints().find(|t| *t > timepoint)
    }

    /// The first study day on which an unfinished timepoint counts as missed: the day the next
    /// scheduled timepoint's window opens, or target + 365 for the last one.
    pub fn missed_from(&self, timepoint: Timepoint) -> Option<StudyDay> {
        let window = self.window(timepoint)?;
        Some(
            match self.next_after(timepoint).and_then(|n| self.window(n)) {
                Some(next) => next.earliest,
                None => StudyDay::new(window.target.days() + 365),
            },
        )
    }

    /// The scheduled timepoint whose window contains `contact`, if any.
    pub fn timepoint_for(&self, infusion: NaiveDate, contact: NaiveDate) -> Option<Timepoint> {
        let day = StudyDay::between(infusion, contact);
        self.windows
            .iter()
            .find(|(_, w)| w.check(day) == WindowCheck::InWindow)
            .map(|(t, _)| *t)
    }

    /// Where a contact date falls relative to the timepoint's window (soft rule, domain.md §9);
    /// `None` if the timepoint is not scheduled.
    pub fn check_contact(
        &self,
        timepoint: Timepoint,
        infusion: NaiveDate,
        contact: NaiveDate,
    ) -> Option<WindowCheck> {
        Some(
            self.window(timepoint)?
                .check(StudyDay::between(infusion, contact)),
        )
    }
}

/// How follow-up of the patient stands, with the date where it ended (domain.md §3.1). Build it
/// from the stored status and date with [`FollowUpStanding::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FollowUpStanding {
    Active,
    Lost { since: NaiveDate },
    Withdrawn { since: NaiveDate },
    Transferred { since: NaiveDate },
    Dead { on: NaiveDate },
}

/// A status that needs a date was stored without one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("follow-up status {status} needs a date")]
pub struct MissingStandingDate {
    pub status: LtfuStatus,
}

impl FollowUpStanding {
    /// From the stored status, its date, and the death date if a death is recorded. A recorded
    /// death wins over any status (a lost patient later found dead); the date of an active
    /// patient is ignored; a status other than active without its date is an error.
    pub fn new(
        status: LtfuStatus,
        status_date: Option<NaiveDate>,
        death_date: Option<NaiveDate>,
    ) -> Result<Self, MissingStandingDate> {
        if let Some(on) = death_date {
            return Ok(Self::Dead { on });
        }
        let date = || status_date.ok_or(MissingStandingDate { status });
        Ok(match status {
            LtfuStatus::Active => Self::Active,
            LtfuStatus::Lost => Self::Lost { since: date()? },
            LtfuStatus::Withdrawn => Self::Withdrawn { since: date()? },
            LtfuStatus::Transferred => Self::Transferred { since: date()? },
            LtfuStatus::Dead => Self::Dead { on: date()? },
        })
    }
}

/// A follow-up record as the schedule needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecordedFollowUp {
    pub timepoint: Timepoint,
    /// The date of actual contact, if entered yet.
    pub contact_date: Option<NaiveDate>,
    pub form_status: FormStatus,
}

/// What the schedule needs to know about one patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PatientFollowUp<'a> {
    /// Day 0 of this treatment course.
    pub infusion_date: NaiveDate,
    pub standing: FollowUpStanding,
    /// The follow-ups recorded for this course.
    pub follow_ups: &'a [RecordedFollowUp],
    /// Day 0 of the patient's next treatment course, if any: a new cellular therapy restarts
    /// the schedule, so this course's timepoints whose window opens after it do not apply
    /// (CIBMTR [S1]). A re-infusion for loss of B-cell aplasia is not a new course [S10].
    pub next_course_day0: Option<NaiveDate>,
}

/// The status of one timepoint for one patient (see the module documentation for the rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VisitStatus {
    /// The window has not opened.
    NotYetDue,
    /// The window is open (or the death must be reported) and the form is not complete.
    Due,
    /// The window has closed, the next one has not opened.
    Overdue,
    /// A completed form exists.
    Done,
    /// The form can no longer be collected on its own.
    Missed,
    /// Not expected: after death, withdrawal, transfer or a new treatment course.
    NotApplicable,
}

impl VisitStatus {
    /// The label a coordinator reads.
    pub fn label(self) -> &'static str {
        match self {
            Self::NotYetDue => "Not yet due",
            Self::Due => "Due",
            Self::Overdue => "Overdue",
            Self::Done => "Done",
            Self::Missed => "Missed",
            Self::NotApplicable => "Not applicable",
        }
    }
}

impl fmt::Display for VisitStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Why a timepoint has its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusReason {
    /// From the window and today.
    Calendar,
    /// A completed form exists.
    FormComplete,
    /// The period the patient died in: its form reports the death.
    ReportsDeath,
    AfterDeath,
    AfterWithdrawal,
    AfterTransfer,
    AfterLostToFollowUp,
    /// A later treatment course restarted the schedule.
    AfterNewCourse,
}

/// One timepoint of one patient's schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScheduledVisit {
    pub timepoint: Timepoint,
    /// The window as dates (the death-reporting timepoint keeps its normal window here).
    pub window: WindowDates,
    /// The first day the visit counts as missed.
    pub missed_from: NaiveDate,
    pub status: VisitStatus,
    pub reason: StatusReason,
    /// The form recorded for the timepoint, if any (not complete unless the status is done).
    pub form_status: Option<FormStatus>,
}

impl ScheduledVisit {
    /// Sort key for worklists, across patients too: overdue first (nearest to being missed
    /// first), then due (window closing soonest first), then missed (most recently missed
    /// first), then everything else.
    pub fn urgency_key(&self) -> (u8, i64) {
        match self.status {
            VisitStatus::Overdue => (0, self.missed_from.num_days_from_ce().into()),
            VisitStatus::Due => (1, self.window.latest.num_days_from_ce().into()),
            VisitStatus::Missed => (2, -i64::from(self.missed_from.num_days_from_ce())),
            _ => (3, self.window.target.num_days_from_ce().into()),
        }
    }
}

/// The status of every scheduled timepoint for a patient, in time order. Unscheduled visits
/// are ignored. Timepoints whose dates fall outside chrono's range (year 262,143) are left out.
pub fn visit_schedule(
    schedule: &Schedule,
    patient: &PatientFollowUp<'_>,
    today: NaiveDate,
) -> Vec<ScheduledVisit> {
    let day0 = patient.infusion_date;
    let completed = |t: Timepoint| {
        patient
            .follow_ups
            .iter()
            .find(|f| f.timepoint == t && f.form_status.is_complete())
    };
    let death_timepoint = match patient.standing {
        FollowUpStanding::Dead { on } => schedule.timepoints().find(|t| {
            let closes_after_death = schedule
                .window(*t)
                .and_then(|w| w.latest.date(day0))
                .is_some_and(|end| end >= on);
            let reported_before_death =
                completed(*t).is_some_and(|f| f.contact_date.is_some_and(|c| c < on));
            closes_after_death && !reported_before_death
        }),
        _ => None,
    };

    let mut out = Vec::new();
    for t in schedule.timepoints() {
        let Some(window) = schedule.window(t).and_then(|w| w.dates(day0)) else {
            continue;
        };
        let Some(missed_from) = schedule.missed_from(t).and_then(|m| m.date(day0)) else {
            continue;
        };
        let form_status = patient
            .follow_ups
            .iter()
            .filter(|f| f.timepoint == t)
            .map(|f| f.form_status)
            .max_by_key(|s| s.is_complete());
        let by_calendar = |opens: NaiveDate| {
            if today < opens {
                VisitStatus::NotYetDue
            } else if today <= window.latest {
                VisitStatus::Due
            } else if today < missed_from {
                VisitStatus::Overdue
            } else {
                VisitStatus::Missed
            }
        };
        let (status, reason) = if completed(t).is_some() {
            (VisitStatus::Done, StatusReason::FormComplete)
        } else if patient
            .next_course_day0
            .is_some_and(|next| window.earliest > next)
        {
            (VisitStatus::NotApplicable, StatusReason::AfterNewCourse)
        } else {
            match patient.standing {
                FollowUpStanding::Dead { on } => match death_timepoint {
                    Some(d) if t == d => (
                        by_calendar(window.earliest.min(on)),
                        StatusReason::ReportsDeath,
                    ),
                    Some(d) if t > d => (VisitStatus::NotApplicable, StatusReason::AfterDeath),
                    _ => (by_calendar(window.earliest), StatusReason::Calendar),
                },
                FollowUpStanding::Withdrawn { since } if window.earliest > since => {
                    (VisitStatus::NotApplicable, StatusReason::AfterWithdrawal)
                }
                FollowUpStanding::Transferred { since } if window.earliest > since => {
                    (VisitStatus::NotApplicable, StatusReason::AfterTransfer)
                }
                FollowUpStanding::Lost { since } if window.earliest > since => {
                    let status = if today < window.earliest {
                        VisitStatus::NotYetDue
                    } else {
                        VisitStatus::Missed
                    };
                    (status, StatusReason::AfterLostToFollowUp)
                }
                _ => (by_calendar(window.earliest), StatusReason::Calendar),
            }
        };
        out.push(ScheduledVisit {
            timepoint: t,
            window,
            missed_from,
            status,
            reason,
            form_status,
        });
    }
    out
}

/// The status of one timepoint for a patient.
pub fn visit_status(
    schedule: &Schedule,
    patient: &PatientFollowUp<'_>,
    timepoint: Timepoint,
    today: NaiveDate,
) -> Option<VisitStatus> {
    visit_schedule(schedule, patient, today)
        .into_iter()
        .find(|v| v.timepoint == timepoint)
        .map(|v| v.status)
}

/// A patient's worklist: the timepoints due, overdue or missed, most urgent first (see
/// [`ScheduledVisit::urgency_key`]). Visits missed because the patient is lost to follow-up
/// are left off (tracing the patient is the task).
pub fn worklist(
    schedule: &Schedule,
    patient: &PatientFollowUp<'_>,
    today: NaiveDate,
) -> Vec<ScheduledVisit> {
    let mut items: Vec<ScheduledVisit> = visit_schedule(schedule, patient, today)
        .into_iter()
        .filter(|v| {
            matches!(
                v.status,
                VisitStatus::Due | VisitStatus::Overdue | VisitStatus::Missed
            )
        })
        .filter(|v| v.reason != StatusReason::AfterLostToFollowUp)
        .collect();
    items.sort_by_key(ScheduledVisit::urgency_key);
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Day `n` after `day0`.
    fn day(day0: NaiveDate, n: i64) -> NaiveDate {
        StudyDay::new(n).date(day0).unwrap()
    }

    const DAY0: fn() -> NaiveDate = || d(2023, 1, 10);

    fn status_on(patient: &PatientFollowUp<'_>, t: Timepoint, n: i64) -> VisitStatus {
        visit_status(
            &Schedule::default(),
            patient,
            t,
            day(patient.infusion_date, n),
        )
        .unwrap()
    }

    fn active(follow_ups: &[RecordedFollowUp]) -> PatientFollowUp<'_> {
        PatientFollowUp {
            infusion_date: DAY0(),
            standing: FollowUpStanding::Active,
            follow_ups,
            next_course_day0: None,
        }
    }

    fn complete(t: Timepoint, contact_day: i64) -> RecordedFollowUp {
        RecordedFollowUp {
            timepoint: t,
            contact_date: Some(day(DAY0(), contact_day)),
            form_status: FormStatus::Complete,
        }
    }

    #[test]
    fn default_windows_are_documented_values() {
        let s = Schedule::default();
        let w = |t| {
            let w = s.window(t).unwrap();
            (w.earliest.days(), w.target.days(), w.latest.days())
        };
        assert_eq!(w(Timepoint::D28), (21, 28, 35));
        assert_eq!(w(Timepoint::D100), (90, 100, 130));
        assert_eq!(w(Timepoint::M6), (150, 182, 210));
        assert_eq!(w(Timepoint::Y1), (365, 365, 425)); // CIBMTR [S9]
        assert_eq!(w(Timepoint::Y2), (730, 730, 790));
        assert_eq!(w(Timepoint::Y15), (5475, 5475, 5535));
        assert_eq!(s.missed_from(Timepoint::D28).unwrap().days(), 90);
        assert_eq!(s.missed_from(Timepoint::Y1).unwrap().days(), 730);
        assert_eq!(s.missed_from(Timepoint::Y15).unwrap().days(), 5840);
        // The defaults pass the schedule's own validation.
        let mut rebuilt = Schedule::default();
        for t in Timepoint::default_schedule() {
            rebuilt = rebuilt.with_window(t, t.default_window().unwrap()).unwrap();
        }
        assert_eq!(rebuilt, s);
        let listed: Vec<_> = s.timepoints().collect();
        assert_eq!(listed.len(), 18);
        assert_eq!(listed[0], Timepoint::D28);
        assert_eq!(listed[17], Timepoint::Y15);
        // Yearly windows contain the calendar anniversary (365·k drifts ahead of it).
        for year in 1..=15u8 {
            let t = Timepoint::of_year(year).unwrap();
            let start = d(2023, 1, 10);
            let anniversary = d(2023 + i32::from(year), 1, 10);
            let dates = s.window(t).unwrap().dates(start).unwrap();
            assert!(
                dates.earliest <= anniversary && anniversary <= dates.latest,
                "{t:?}"
            );
        }
    }

    #[test]
    fn timepoints_know_their_year_and_successor() {
        assert_eq!(Timepoint::M6.year(), None);
        assert_eq!(Timepoint::Y1.year(), Some(1));
        assert_eq!(Timepoint::Y15.year(), Some(15));
        assert_eq!(Timepoint::of_year(7), Some(Timepoint::Y7));
        assert_eq!(Timepoint::of_year(16), None);
        assert_eq!(Timepoint::Unscheduled.year(), None);
        assert_eq!(Timepoint::Unscheduled.default_window(), None);
        let s = Schedule::default();
        assert_eq!(s.next_after(Timepoint::D28), Some(Timepoint::D100));
        assert_eq!(s.next_after(Timepoint::Y15), None);
        assert!(Timepoint::M6 < Timepoint::Y1);
        assert!(Timepoint::D7 < Timepoint::D28 && Timepoint::Y15 < Timepoint::Unscheduled);
    }

    #[test]
    fn target_dates_across_leap_years() {
        let s = Schedule::default();
        assert_eq!(
            s.target_date(Timepoint::D28, d(2024, 2, 29)),
            Some(d(2024, 3, 28))
        );
        assert_eq!(
            s.target_date(Timepoint::Y1, d(2024, 2, 29)),
            Some(d(2025, 2, 28))
        );
        assert_eq!(
            s.target_date(Timepoint::Y1, d(2023, 3, 1)),
            Some(d(2024, 2, 29))
        );
        assert_eq!(
            s.target_date(Timepoint::D100, d(2024, 2, 1)),
            Some(d(2024, 5, 11))
        );
        assert_eq!(
            s.target_date(Timepoint::D100, d(2023, 2, 1)),
            Some(d(2023, 5, 12))
        );
        // A patient infused on 29 February: the Day-28 window edges.
        let leap = PatientFollowUp {
            infusion_date: d(2024, 2, 29),
            standing: FollowUpStanding::Active,
            follow_ups: &[],
            next_course_day0: None,
        };
        let on = |date| visit_status(&s, &leap, Timepoint::D28, date).unwrap();
        assert_eq!(on(d(2024, 3, 20)), VisitStatus::NotYetDue); // day 20
        assert_eq!(on(d(2024, 3, 21)), VisitStatus::Due); // day 21
        assert_eq!(on(d(2024, 4, 4)), VisitStatus::Due); // day 35
        assert_eq!(on(d(2024, 4, 5)), VisitStatus::Overdue); // day 36
    }

    #[test]
    fn window_edges_day_100() {
        let p = active(&[]);
        let table = [
            (89, VisitStatus::NotYetDue),
            (90, VisitStatus::Due),
            (130, VisitStatus::Due),
            (131, VisitStatus::Overdue),
            (149, VisitStatus::Overdue),
            (150, VisitStatus::Missed),
        ];
        for (n, want) in table {
            assert_eq!(status_on(&p, Timepoint::D100, n), want, "day {n}");
        }
    }

    #[test]
    fn window_edges_year_1_cibmtr() {
        let p = active(&[]);
        let table = [
            (364, VisitStatus::NotYetDue),
            (365, VisitStatus::Due),
            (425, VisitStatus::Due),
            (426, VisitStatus::Overdue),
            (729, VisitStatus::Overdue),
            (730, VisitStatus::Missed),
        ];
        for (n, want) in table {
            assert_eq!(status_on(&p, Timepoint::Y1, n), want, "day {n}");
        }
        assert_eq!(status_on(&p, Timepoint::Y15, 5839), VisitStatus::Overdue);
        assert_eq!(status_on(&p, Timepoint::Y15, 5840), VisitStatus::Missed);
    }

    #[test]
    fn patient_infused_today_has_nothing_due() {
        let p = active(&[]);
        let all = visit_schedule(&Schedule::default(), &p, DAY0());
        assert_eq!(all.len(), 18);
        assert!(all.iter().all(|v| v.status == VisitStatus::NotYetDue));
        assert!(worklist(&Schedule::default(), &p, DAY0()).is_empty());
        // And infused in the future (data entered ahead): still nothing due.
        assert!(worklist(&Schedule::default(), &p, day(DAY0(), -3)).is_empty());
    }

    #[test]
    fn completed_forms_are_done_and_started_forms_are_not() {
        let started = RecordedFollowUp {
            timepoint: Timepoint::D28,
            contact_date: None,
            form_status: FormStatus::InProgress,
        };
        let records = [started, complete(Timepoint::D100, 140)];
        let p = active(&records);
        let s = visit_schedule(&Schedule::default(), &p, day(DAY0(), 140));
        assert_eq!(s[0].status, VisitStatus::Missed);
        assert_eq!(s[0].form_status, Some(FormStatus::InProgress));
        assert_eq!(s[1].status, VisitStatus::Done); // late, but done
        assert_eq!(s[1].reason, StatusReason::FormComplete);
        for status in [FormStatus::Verified, FormStatus::Locked, FormStatus::Signed] {
            let r = [RecordedFollowUp {
                form_status: status,
                ..complete(Timepoint::D28, 28)
            }];
            assert_eq!(
                status_on(&active(&r), Timepoint::D28, 30),
                VisitStatus::Done
            );
        }
    }

    fn dead_on(n: i64, follow_ups: &[RecordedFollowUp]) -> PatientFollowUp<'_> {
        PatientFollowUp {
            infusion_date: DAY0(),
            standing: FollowUpStanding::Dead { on: day(DAY0(), n) },
            follow_ups,
            next_course_day0: None,
        }
    }

    #[test]
    fn death_between_windows_is_reported_in_the_next_period() {
        let records = [complete(Timepoint::D28, 28)];
        let p = dead_on(50, &records);
        assert_eq!(status_on(&p, Timepoint::D28, 60), VisitStatus::Done);
        // Day 100 reports the death: due from the death date, before its window opens.
        assert_eq!(status_on(&p, Timepoint::D100, 49), VisitStatus::NotYetDue);
        assert_eq!(status_on(&p, Timepoint::D100, 50), VisitStatus::Due);
        assert_eq!(status_on(&p, Timepoint::D100, 130), VisitStatus::Due);
        assert_eq!(status_on(&p, Timepoint::D100, 131), VisitStatus::Overdue);
        assert_eq!(status_on(&p, Timepoint::D100, 150), VisitStatus::Missed);
        let s = visit_schedule(&Schedule::default(), &p, day(DAY0(), 60));
        assert_eq!(s[1].reason, StatusReason::ReportsDeath);
        for v in &s[2..] {
            assert_eq!(
                (v.status, v.reason),
                (VisitStatus::NotApplicable, StatusReason::AfterDeath)
            );
        }
        // Once the death is reported, nothing is left to do.
        let reported = [complete(Timepoint::D28, 28), complete(Timepoint::D100, 50)];
        assert!(
            worklist(
                &Schedule::default(),
                &dead_on(50, &reported),
                day(DAY0(), 400)
            )
            .is_empty()
        );
    }

    #[test]
    fn death_inside_a_window_and_after_a_completed_form_in_it() {
        // Died on day 100: the Day-100 form reports it, Month 6 on is not applicable.
        let p = dead_on(100, &[]);
        assert_eq!(status_on(&p, Timepoint::D100, 110), VisitStatus::Due);
        assert_eq!(
            status_on(&p, Timepoint::M6, 160),
            VisitStatus::NotApplicable
        );
        // Day-28 form completed on day 30, death on day 33: the death goes to Day 100.
        let records = [complete(Timepoint::D28, 30)];
        let p = dead_on(33, &records);
        assert_eq!(status_on(&p, Timepoint::D28, 40), VisitStatus::Done);
        assert_eq!(status_on(&p, Timepoint::D100, 40), VisitStatus::Due);
        assert_eq!(
            status_on(&p, Timepoint::M6, 160),
            VisitStatus::NotApplicable
        );
        // Died on Day 0: the Day-28 form reports it at once.
        let p = dead_on(0, &[]);
        assert_eq!(status_on(&p, Timepoint::D28, 0), VisitStatus::Due);
        assert_eq!(
            status_on(&p, Timepoint::D100, 0),
            VisitStatus::NotApplicable
        );
        // Died on day 900, between the Year-2 (730-790) and Year-3 (1095-1155) windows, with
        // nothing done since Month 6: Year 1 is missed, not excused; Year 2 is overdue until
        // the Year-3 window opens; Year 3 reports the death at once; Year 4 on do not apply.
        let p = dead_on(900, &[]);
        assert_eq!(status_on(&p, Timepoint::Y1, 950), VisitStatus::Missed);
        assert_eq!(status_on(&p, Timepoint::Y2, 950), VisitStatus::Overdue);
        assert_eq!(status_on(&p, Timepoint::Y3, 950), VisitStatus::Due);
        assert_eq!(
            status_on(&p, Timepoint::Y4, 1500),
            VisitStatus::NotApplicable
        );
    }

    #[test]
    fn withdrawal_and_transfer_end_later_timepoints() {
        let withdrawn = |n| PatientFollowUp {
            infusion_date: DAY0(),
            standing: FollowUpStanding::Withdrawn {
                since: day(DAY0(), n),
            },
            follow_ups: &[],
            next_course_day0: None,
        };
        // Withdrawn the day before the Year-1 window opens: Year 1 is not applicable.
        assert_eq!(
            status_on(&withdrawn(364), Timepoint::Y1, 400),
            VisitStatus::NotApplicable
        );
        // Withdrawn on its first day: Year 1 was expected and follows the calendar.
        assert_eq!(
            status_on(&withdrawn(365), Timepoint::Y1, 400),
            VisitStatus::Due
        );
        assert_eq!(
            status_on(&withdrawn(365), Timepoint::Y2, 800),
            VisitStatus::NotApplicable
        );
        let s = visit_schedule(&Schedule::default(), &withdrawn(200), day(DAY0(), 300));
        assert_eq!(s[2].status, VisitStatus::Overdue); // M6 window opened before withdrawal
        assert_eq!(s[3].reason, StatusReason::AfterWithdrawal);
        let transferred = PatientFollowUp {
            infusion_date: DAY0(),
            standing: FollowUpStanding::Transferred {
                since: day(DAY0(), 200),
            },
            follow_ups: &[],
            next_course_day0: None,
        };
        let s = visit_schedule(&Schedule::default(), &transferred, day(DAY0(), 3000));
        assert!(
            s[3..].iter().all(|v| v.status == VisitStatus::NotApplicable
                && v.reason == StatusReason::AfterTransfer)
        );
    }

    #[test]
    fn lost_patients_miss_later_visits_off_the_worklist() {
        let p = PatientFollowUp {
            infusion_date: DAY0(),
            standing: FollowUpStanding::Lost {
                since: day(DAY0(), 400),
            },
            follow_ups: &[],
            next_course_day0: None,
        };
        assert_eq!(status_on(&p, Timepoint::Y2, 729), VisitStatus::NotYetDue);
        assert_eq!(status_on(&p, Timepoint::Y2, 730), VisitStatus::Missed);
        let list = worklist(&Schedule::default(), &p, day(DAY0(), 800));
        let tps: Vec<_> = list.iter().map(|v| v.timepoint).collect();
        // Year 1's window opened before the patient was lost: it stays on the list.
        assert_eq!(
            tps,
            [
                Timepoint::Y1,
                Timepoint::M6,
                Timepoint::D100,
                Timepoint::D28
            ]
        );
    }

    #[test]
    fn worklist_is_most_urgent_first() {
        let p = active(&[]);
        let at = |n| -> Vec<(Timepoint, VisitStatus)> {
            worklist(&Schedule::default(), &p, day(DAY0(), n))
                .iter()
                .map(|v| (v.timepoint, v.status))
                .collect()
        };
        assert_eq!(
            at(140),
            [
                (Timepoint::D100, VisitStatus::Overdue),
                (Timepoint::D28, VisitStatus::Missed)
            ]
        );
        assert_eq!(
            at(160),
            [
                (Timepoint::M6, VisitStatus::Due),
                (Timepoint::D100, VisitStatus::Missed),
                (Timepoint::D28, VisitStatus::Missed),
            ]
        );
        // A death to report comes before an old missed visit.
        let dead = dead_on(95, &[]);
        let list = worklist(&Schedule::default(), &dead, day(DAY0(), 96));
        assert_eq!(list[0].timepoint, Timepoint::D100);
        assert_eq!(list[0].status, VisitStatus::Due);
        assert_eq!(list[1].timepoint, Timepoint::D28);
    }

    #[test]
    fn urgency_key_merges_worklists_across_patients() {
        let today = d(2024, 6, 1);
        let patient = |infusion| PatientFollowUp {
            infusion_date: infusion,
            standing: FollowUpStanding::Active,
            follow_ups: &[],
            next_course_day0: None,
        };
        // A: Day 100 overdue (missed from 2024-06-20). B: Day 28 due (window ends 2024-06-06).
        // C: Day 28 due (first day), window ending later (2024-06-15). D: Year 1 overdue, missed from
        // 2024-06-02, so it is the most urgent of all.
        let a = patient(d(2024, 1, 22));
        let b = patient(d(2024, 5, 2));
        let c = patient(d(2024, 5, 11));
        let dd = patient(d(2022, 6, 3));
        let mut all: Vec<(char, ScheduledVisit)> = Vec::new();
        for (name, p) in [('a', &a), ('b', &b), ('c', &c), ('d', &dd)] {
            for v in worklist(&Schedule::default(), p, today) {
                all.push((name, v));
            }
        }
        all.sort_by_key(|(_, v)| v.urgency_key());
        let order: Vec<(char, Timepoint, VisitStatus)> = all
            .iter()
            .map(|(n, v)| (*n, v.timepoint, v.status))
            .collect();
        assert_eq!(
            order[..4],
            [
                ('d', Timepoint::Y1, VisitStatus::Overdue),
                ('a', Timepoint::D100, VisitStatus::Overdue),
                ('b', Timepoint::D28, VisitStatus::Due),
                ('c', Timepoint::D28, VisitStatus::Due),
            ]
        );
        assert!(order[4..].iter().all(|(_, _, s)| *s == VisitStatus::Missed));
    }

    #[test]
    fn a_new_course_restarts_the_schedule() {
        let records = [complete(Timepoint::D28, 28)];
        let p = PatientFollowUp {
            next_course_day0: Some(day(DAY0(), 120)),
            ..active(&records)
        };
        let s = visit_schedule(&Schedule::default(), &p, day(DAY0(), 400));
        assert_eq!(s[0].status, VisitStatus::Done);
        // Day 100's window opened before the new course: it still counts (now missed).
        assert_eq!(s[1].status, VisitStatus::Missed);
        assert!(
            s[2..].iter().all(|v| v.status == VisitStatus::NotApplicable
                && v.reason == StatusReason::AfterNewCourse)
        );
        // A death after the new course is reported in the new course's schedule, not here.
        let dead = PatientFollowUp {
            standing: FollowUpStanding::Dead {
                on: day(DAY0(), 300),
            },
            ..p
        };
        let s = visit_schedule(&Schedule::default(), &dead, day(DAY0(), 310));
        assert!(
            s[2..]
                .iter()
                .all(|v| v.reason == StatusReason::AfterNewCourse)
        );
    }

    #[test]
    fn standing_needs_its_date() {
        assert_eq!(
            FollowUpStanding::new(LtfuStatus::Active, None, None),
            Ok(FollowUpStanding::Active)
        );
        assert_eq!(
            FollowUpStanding::new(LtfuStatus::Dead, None, None),
            Err(MissingStandingDate {
                status: LtfuStatus::Dead
            })
        );
        assert_eq!(
            FollowUpStanding::new(LtfuStatus::Lost, Some(d(2024, 1, 1)), None),
            Ok(FollowUpStanding::Lost {
                since: d(2024, 1, 1)
            })
        );
        // A recorded death wins over a stale status.
        assert_eq!(
            FollowUpStanding::new(LtfuStatus::Lost, Some(d(2024, 1, 1)), Some(d(2024, 5, 1))),
            Ok(FollowUpStanding::Dead { on: d(2024, 5, 1) })
        );
    }

    #[test]
    fn custom_windows_are_validated() {
        let w = |a, t, b| Window {
            earliest: StudyDay::new(a),
            target: StudyDay::new(t),
            latest: StudyDay::new(b),
        };
        let s = Schedule::default()
            .with_window(Timepoint::D100, w(80, 100, 120))
            .unwrap();
        assert_eq!(s.window(Timepoint::D100).unwrap().earliest.days(), 80);
        assert_eq!(s.missed_from(Timepoint::D28).unwrap().days(), 80);
        assert_eq!(
            Schedule::default().with_window(Timepoint::D100, w(110, 100, 120)),
            Err(InvalidWindow::Unordered {
                timepoint: Timepoint::D100
            })
        );
        assert_eq!(
            Schedule::default().with_window(Timepoint::D100, w(30, 100, 120)),
            Err(InvalidWindow::Overlaps {
                timepoint: Timepoint::D100,
                previous: Timepoint::D28
            })
        );
        assert_eq!(
            Schedule::default().with_window(Timepoint::Y1, w(200, 365, 425)),
            Err(InvalidWindow::Overlaps {
                timepoint: Timepoint::Y1,
                previous: Timepoint::M6
            })
        );
    }

    #[test]
    fn contacts_are_placed_and_checked_against_windows() {
        let s = Schedule::default();
        let day0 = DAY0();
        assert_eq!(s.timepoint_for(day0, day(day0, 420)), Some(Timepoint::Y1));
        assert_eq!(s.timepoint_for(day0, day(day0, 28)), Some(Timepoint::D28));
        assert_eq!(s.timepoint_for(day0, day(day0, 60)), None);
        assert_eq!(
            s.check_contact(Timepoint::Y1, day0, day(day0, 364)),
            Some(WindowCheck::Early { days: 1 })
        );
        assert_eq!(
            s.check_contact(Timepoint::Y1, day0, day(day0, 365)),
            Some(WindowCheck::InWindow)
        );
        assert_eq!(
            s.check_contact(Timepoint::Y1, day0, day(day0, 425)),
            Some(WindowCheck::InWindow)
        );
        assert_eq!(
            s.check_contact(Timepoint::Y1, day0, day(day0, 426)),
            Some(WindowCheck::Late { days: 1 })
        );
    }

    #[test]
    fn trial_style_visits_and_unscheduled_visits() {
        let s = Schedule::default()
            .with_window(Timepoint::D7, Timepoint::D7.default_window().unwrap())
            .unwrap()
            .with_window(Timepoint::D14, Timepoint::D14.default_window().unwrap())
            .unwrap();
        assert_eq!(
            s.timepoints().take(3).collect::<Vec<_>>(),
            [Timepoint::D7, Timepoint::D14, Timepoint::D28]
        );
        assert_eq!(s.missed_from(Timepoint::D7).unwrap().days(), 11);
        assert_eq!(
            Schedule::default().with_window(
                Timepoint::Unscheduled,
                Timepoint::D7.default_window().unwrap()
            ),
            Err(InvalidWindow::Unscheduled)
        );
        // An unscheduled visit neither appears in nor completes the schedule.
        let records = [RecordedFollowUp {
            timepoint: Timepoint::Unscheduled,
            contact_date: Some(day(DAY0(), 30)),
            form_status: FormStatus::Complete,
        }];
        let p = active(&records);
        let all = visit_schedule(&Schedule::default(), &p, day(DAY0(), 30));
        assert!(all.iter().all(|v| v.timepoint != Timepoint::Unscheduled));
        assert_eq!(all[0].status, VisitStatus::Due);
        // A centre without a Day-28 visit.
        let s = Schedule::default().without(Timepoint::D28);
        assert_eq!(s.window(Timepoint::D28), None);
        assert_eq!(visit_status(&s, &p, Timepoint::D28, DAY0()), None);
    }

    /// Invariants over every day of follow-up, for an active patient with nothing recorded:
    /// each timepoint moves forward only (not yet due -> due -> overdue -> missed) and at most
    /// one timepoint is due or overdue on any day.
    #[test]
    fn statuses_only_move_forward_and_never_pile_up() {
        let s = Schedule::default();
        for day0 in [d(2023, 1, 10), d(2024, 2, 29), d(2020, 12, 31)] {
            let p = PatientFollowUp {
                infusion_date: day0,
                ..active(&[])
            };
            let rank = |v: VisitStatus| match v {
                VisitStatus::NotYetDue => 0,
                VisitStatus::Due => 1,
                VisitStatus::Overdue => 2,
                VisitStatus::Missed => 3,
                other => panic!("unexpected {other:?}"),
            };
            let mut previous = [0; 18];
            for n in -5..6000 {
                let all = visit_schedule(&s, &p, day(day0, n));
                assert_eq!(all.len(), 18);
                let open = all
                    .iter()
                    .filter(|v| matches!(v.status, VisitStatus::Due | VisitStatus::Overdue))
                    .count();
                assert!(open <= 1, "day {n}: {open} open timepoints");
                for (i, v) in all.iter().enumerate() {
                    let r = rank(v.status);
                    assert!(r >= previous[i], "{:?} went back on day {n}", v.timepoint);
                    previous[i] = r;
                }
            }
            assert!(
                previous.iter().all(|r| *r == 3),
                "all missed after 16 years"
            );
        }
    }
}
