//! The worklist computed on day numbers: the same statuses as [`super::worklist`], for many
//! courses per request. The schedule is compiled once into study-day integers
//! ([`DaySchedule`]); each course brings its recorded forms as a per-timepoint summary
//! ([`FormSummary`]) instead of a list to search; and dates are made only for the visits that
//! end up on the list. [`super::visit_schedule`] stays the reference: the tests here compare
//! the two on generated courses, and the web tests on a seeded cohort.
//!
//! Why integers are exact: a comparison of two dates is the comparison of their day numbers
//! (`num_days_from_ce`), and the date of study day `n` is day number `day0 + n`, so every
//! rule of the reference can be evaluated on integers. The reference leaves out a timepoint
//! whose dates are beyond chrono's range; so does this, by the same test on day numbers.

use chrono::{Datelike, NaiveDate};

use super::{
    FollowUpStanding, RecordedFollowUp, Schedule, ScheduledVisit, StatusReason, Timepoint,
    VisitStatus, WindowDates,
};
use crate::domain::follow_up::FormStatus;
use crate::domain::vocabulary::Vocabulary;

/// How many timepoints the vocabulary has (one bit each in a [`TimepointSet`]).
const TIMEPOINTS: usize = <Timepoint as Vocabulary>::ALL.len();

// A `TimepointSet` is a `u32`: one bit per timepoint.
const _: () = assert!(TIMEPOINTS <= 32, "a TimepointSet holds 32 timepoints");

/// A set of timepoints, one bit per member of the vocabulary (in `Timepoint::ALL` order).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TimepointSet(u32);

impl TimepointSet {
    /// The bit of a timepoint: its position in the vocabulary.
    fn bit(timepoint: Timepoint) -> u32 {
        1 << index_of(timepoint)
    }

    /// True if `timepoint` is in the set.
    pub fn contains(self, timepoint: Timepoint) -> bool {
        self.0 & Self::bit(timepoint) != 0
    }

    /// Adds `timepoint`.
    pub fn insert(&mut self, timepoint: Timepoint) {
        self.0 |= Self::bit(timepoint);
    }
}

/// What the schedule needs from one course's recorded forms, per timepoint: which are
/// complete, which of those were completed with a contact before the death date (the death
/// rule), and the status of a form that is not complete.
///
/// Built in the order the forms are listed, with the reference's choices: the first complete
/// form of a timepoint decides the death rule, the last incomplete one is the form shown. The
/// schema allows one form per scheduled timepoint and course, so the order never matters for
/// stored data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FormSummary {
    complete: TimepointSet,
    complete_before_death: TimepointSet,
    open_status: [Option<FormStatus>; TIMEPOINTS],
}

impl FormSummary {
    /// The summary of `forms`, for a patient who died on `death` (if so).
    pub fn of(forms: &[RecordedFollowUp], death: Option<NaiveDate>) -> Self {
        let mut summary = Self::default();
        for form in forms {
            summary.add(form, death);
        }
        summary
    }

    /// Adds one recorded form.
    pub fn add(&mut self, form: &RecordedFollowUp, death: Option<NaiveDate>) {
        let t = form.timepoint;
        if form.form_status.is_complete() {
            if self.complete.contains(t) {
                return;
            }
            self.complete.insert(t);
            if let (Some(contact), Some(on)) = (form.contact_date, death)
                && contact < on
            {
                self.complete_before_death.insert(t);
            }
        } else if let Some(slot) = self.open_status.get_mut(index_of(t)) {
            *slot = Some(form.form_status);
        }
    }

    /// The status of the timepoint's form when it is not complete (`None`: no form yet).
    fn open_status(&self, timepoint: Timepoint) -> Option<FormStatus> {
        self.open_status.get(index_of(timepoint)).copied().flatten()
    }
}

/// The position of a timepoint in `Timepoint::ALL`: its discriminant, since the vocabulary
/// declares the variants in that order without explicit values (a test checks it).
fn index_of(timepoint: Timepoint) -> usize {
    timepoint as usize
}

/// What the worklist needs to know about one treatment course: [`super::PatientFollowUp`] with
/// the forms summarised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CourseSummary {
    /// Day 0 of the course.
    pub infusion_date: NaiveDate,
    pub standing: FollowUpStanding,
    /// Built with the death date of `standing`, if dead.
    pub forms: FormSummary,
    /// Day 0 of the patient's next course, if any.
    pub next_course_day0: Option<NaiveDate>,
}

impl FollowUpStanding {
    /// The death date, if the patient died.
    pub fn death_date(self) -> Option<NaiveDate> {
        match self {
            Self::Dead { on } => Some(on),
            _ => None,
        }
    }
}

/// One scheduled timepoint in study days.
#[derive(Debug, Clone, Copy)]
struct DayWindow {
    timepoint: Timepoint,
    earliest: i64,
    target: i64,
    latest: i64,
    missed_from: i64,
}

/// A [`Schedule`] compiled to study-day integers, in time order.
#[derive(Debug, Clone)]
pub struct DaySchedule {
    windows: Vec<DayWindow>,
}

/// The day number of a date (days from 1 January of year 1, as chrono counts).
fn day_number(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce())
}

/// The date of a day number, `None` beyond chrono's range.
fn date_of(day: i64) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(i32::try_from(day).ok()?)
}

impl DaySchedule {
    /// Compiles `schedule`.
    pub fn new(schedule: &Schedule) -> Self {
        let windows = schedule
            .windows
            .iter()
            .filter_map(|(t, w)| {
                Some(DayWindow {
                    timepoint: *t,
                    earliest: w.earliest.days(),
                    target: w.target.days(),
                    latest: w.latest.days(),
                    missed_from: schedule.missed_from(*t)?.days(),
                })
            })
            .collect();
        Self { windows }
    }

    /// Appends the course's worklist on `today` to `out`, most urgent first: exactly what
    /// [`super::worklist`] returns for the same course and forms.
    pub fn worklist_into(
        &self,
        course: &CourseSummary,
        today: NaiveDate,
        out: &mut Vec<ScheduledVisit>,
    ) {
        let day0 = day_number(course.infusion_date);
        let max_day = day_number(NaiveDate::MAX);
        let now = day_number(today) - day0;
        let forms = &course.forms;
        // The reference drops a timepoint whose dates chrono cannot represent.
        let representable = |w: &DayWindow| {
            day0 + w.earliest.max(w.target).max(w.latest).max(w.missed_from) <= max_day
        };
        let death = course.standing.death_date().map(|on| day_number(on) - day0);
        // The period the death falls in: the first timepoint closing on or after it that was not
        // completed with a contact before it.
        let death_timepoint = death.and_then(|on| {
            self.windows
                .iter()
                .find(|w| {
                    day0 + w.latest <= max_day
                        && w.latest >= on
                        && !forms.complete_before_death.contains(w.timepoint)
                })
                .map(|w| w.timepoint)
        });
        let next_course = course.next_course_day0.map(|d| day_number(d) - day0);
        let since = |date: NaiveDate| day_number(date) - day0;
        let start = out.len();
        for w in &self.windows {
            let t = w.timepoint;
            if forms.complete.contains(t) || !representable(w) {
                continue;
            }
            if next_course.is_some_and(|next| w.earliest > next) {
                continue;
            }
            let by_calendar = |opens: i64| {
                if now < opens {
                    VisitStatus::NotYetDue
                } else if now <= w.latest {
                    VisitStatus::Due
                } else if now < w.missed_from {
                    VisitStatus::Overdue
                } else {
                    VisitStatus::Missed
                }
            };
            let (status, reason) = match course.standing {
                FollowUpStanding::Dead { .. } => match (death_timepoint, death) {
                    (Some(d), Some(on)) if t == d => {
                        (by_calendar(w.earliest.min(on)), StatusReason::ReportsDeath)
                    }
                    (Some(d), _) if t > d => continue,
                    _ => (by_calendar(w.earliest), StatusReason::Calendar),
                },
                FollowUpStanding::Withdrawn { since: s }
                | FollowUpStanding::Transferred { since: s }
                | FollowUpStanding::Lost { since: s }
                    if w.earliest > since(s) =>
                {
                    // Not applicable, or (lost) left off the worklist.
                    continue;
                }
                _ => (by_calendar(w.earliest), StatusReason::Calendar),
            };
            if !matches!(
                status,
                VisitStatus::Due | VisitStatus::Overdue | VisitStatus::Missed
            ) {
                continue;
            }
            let (Some(earliest), Some(target), Some(latest), Some(missed_from)) = (
                date_of(day0 + w.earliest),
                date_of(day0 + w.target),
                date_of(day0 + w.latest),
                date_of(day0 + w.missed_from),
            ) else {
                continue;
            };
            out.push(ScheduledVisit {
                timepoint: t,
                window: WindowDates {
                    earliest,
                    target,
                    latest,
                },
                missed_from,
                status,
                reason,
                form_status: forms.open_status(t),
            });
        }
        if let Some(mine) = out.get_mut(start..) {
            mine.sort_by_key(ScheduledVisit::urgency_key);
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::super::{PatientFollowUp, Window, worklist};
    use super::*;
    use crate::domain::dates::StudyDay;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn plus(date: NaiveDate, n: i64) -> NaiveDate {
        StudyDay::new(n).date(date).unwrap()
    }

    /// A random course: any standing, some forms (any status, contact dates around the
    /// window, the odd unscheduled visit), sometimes a next course.
    fn random_course(
        rng: &mut ChaCha8Rng,
    ) -> (
        NaiveDate,
        FollowUpStanding,
        Vec<RecordedFollowUp>,
        Option<NaiveDate>,
    ) {
        let day0 = plus(d(2008, 1, 1), rng.random_range(0..6500));
        let when = |rng: &mut ChaCha8Rng| plus(day0, rng.random_range(-10..6200));
        let standing = match rng.random_range(0..6) {
            0 | 1 => FollowUpStanding::Active,
            2 => FollowUpStanding::Dead { on: when(rng) },
            3 => FollowUpStanding::Lost { since: when(rng) },
            4 => FollowUpStanding::Withdrawn { since: when(rng) },
            _ => FollowUpStanding::Transferred { since: when(rng) },
        };
        let mut forms = Vec::new();
        for t in Timepoint::ALL {
            if rng.random_bool(0.45) {
                let target = t.default_window().map_or(400, |w| w.target.days());
                forms.push(RecordedFollowUp {
                    timepoint: *t,
                    contact_date: rng
                        .random_bool(0.8)
                        .then(|| plus(day0, target + rng.random_range(-60..120))),
                    form_status: FormStatus::ALL[rng.random_range(0..FormStatus::ALL.len())],
                });
            }
        }
        let next = rng
            .random_bool(0.15)
            .then(|| plus(day0, rng.random_range(30..4000)));
        (day0, standing, forms, next)
    }

    fn assert_same(schedule: &Schedule, seed: u64, courses: usize) {
        let days = DaySchedule::new(schedule);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut listed = 0;
        for _ in 0..courses {
            let (day0, standing, forms, next) = random_course(&mut rng);
            let patient = PatientFollowUp {
                infusion_date: day0,
                standing,
                follow_ups: &forms,
                next_course_day0: next,
            };
            let summary = CourseSummary {
                infusion_date: day0,
                standing,
                forms: FormSummary::of(&forms, standing.death_date()),
                next_course_day0: next,
            };
            for offset in [
                -5, 0, 20, 21, 35, 36, 89, 90, 130, 200, 365, 426, 800, 3000, 5840, 7000,
            ] {
                let today = plus(day0, offset);
                let mut fast = Vec::new();
                days.worklist_into(&summary, today, &mut fast);
                let reference = worklist(schedule, &patient, today);
                assert_eq!(fast, reference, "{patient:?} on {today}");
                listed += fast.len();
            }
        }
        assert!(
            listed > courses,
            "the generated courses exercise the worklist"
        );
    }

    #[test]
    fn day_numbers_give_the_reference_worklist() {
        assert_same(&Schedule::default(), 1, 3000);
    }

    #[test]
    fn day_numbers_give_the_reference_worklist_with_a_custom_schedule() {
        let w = |a, t, b| Window {
            earliest: StudyDay::new(a),
            target: StudyDay::new(t),
            latest: StudyDay::new(b),
        };
        let schedule = Schedule::default()
            .with_window(Timepoint::D7, w(5, 7, 9))
            .unwrap()
            .with_window(Timepoint::D100, w(80, 100, 120))
            .unwrap()
            .without(Timepoint::Y3);
        assert_same(&schedule, 2, 1500);
    }

    #[test]
    fn a_second_complete_form_does_not_change_the_death_rule() {
        let on = d(2024, 6, 1);
        let form = |contact, status| RecordedFollowUp {
            timepoint: Timepoint::D100,
            contact_date: Some(contact),
            form_status: status,
        };
        let summary = FormSummary::of(
            &[
                form(d(2024, 5, 1), FormStatus::InProgress),
                form(d(2024, 5, 2), FormStatus::Complete),
                form(d(2024, 7, 1), FormStatus::Verified),
            ],
            Some(on),
        );
        assert!(summary.complete.contains(Timepoint::D100));
        assert!(summary.complete_before_death.contains(Timepoint::D100));
        assert!(!summary.complete.contains(Timepoint::D28));
        let open = FormSummary::of(&[form(d(2024, 5, 1), FormStatus::InProgress)], None);
        assert_eq!(
            open.open_status(Timepoint::D100),
            Some(FormStatus::InProgress)
        );
        assert_eq!(open.open_status(Timepoint::M6), None);
    }

    #[test]
    fn timepoint_bits_follow_the_vocabulary() {
        for (i, t) in Timepoint::ALL.iter().enumerate() {
            assert_eq!(index_of(*t), i);
        }
    }

    #[test]
    fn dates_beyond_chronos_range_are_left_out_like_the_reference() {
        let day0 = plus(NaiveDate::MAX, -400);
        let patient = PatientFollowUp {
            infusion_date: day0,
            standing: FollowUpStanding::Active,
            follow_ups: &[],
            next_course_day0: None,
        };
        let summary = CourseSummary {
            infusion_date: day0,
            standing: FollowUpStanding::Active,
            forms: FormSummary::default(),
            next_course_day0: None,
        };
        let today = plus(day0, 200);
        let mut fast = Vec::new();
        DaySchedule::new(&Schedule::default()).worklist_into(&summary, today, &mut fast);
        assert_eq!(fast, worklist(&Schedule::default(), &patient, today));
        assert!(!fast.is_empty());
    }
}
