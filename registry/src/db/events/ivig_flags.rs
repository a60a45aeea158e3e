//! IgG measured in the 30 days after immunoglobulin replacement is not the patient's own
//! (domain.md §3.8, §9, [S15]). Each IgG result carries that as `ivig_within_30_days`, derived
//! from the recorded immunoglobulin courses: [`ivig_within_30_days`] when a result is entered,
//! [`refresh_ivig_flags`] when a course is entered, corrected or deleted, so that no stored
//! flag disagrees with the courses.

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;

use crate::db::audit::ChangeSet;
use crate::db::ids::{PatientId, UserId};
use crate::db::schema::{immunoglobulin_courses, lab_results};
use crate::domain::{lab::LabAnalyte, vocabulary::Vocabulary};

/// How long after an administration the measured IgG is still (partly) the infused one.
const WASHOUT_DAYS: i64 = 30;

/// One recorded course of immunoglobulin replacement, as the flag needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable)]
pub struct CourseSpan {
    pub start: NaiveDate,
    pub stop: Option<NaiveDate>,
    pub ongoing: bool,
}

/// Whether a sample taken on `sample` follows an administration by 30 days or less: some
/// course started on or before the sample and was ongoing, or stopped, at most 30 days before
/// it. A course with no stop date that is not marked ongoing counts as running (its end is not
/// known, so its IgG cannot be taken as native).
pub fn given_within_30_days(courses: &[CourseSpan], sample: NaiveDate) -> bool {
    let window_start = sample - Duration::days(WASHOUT_DAYS);
    courses
        .iter()
        .any(|c| c.start <= sample && (c.ongoing || c.stop.is_none_or(|stop| stop >= window_start)))
}

fn courses_of(conn: &mut SqliteConnection, patient: PatientId) -> QueryResult<Vec<CourseSpan>> {
    immunoglobulin_courses::table
        .filter(immunoglobulin_courses::patient_id.eq(patient.0))
        .select((
            immunoglobulin_courses::start_date,
            immunoglobulin_courses::stop_date,
            immunoglobulin_courses::ongoing,
        ))
        .load(conn)
}

fn flag(within: bool) -> &'static str {
    if within { "Y" } else { "N" }
}

/// The flag of an IgG sample taken on `sample`, from the patient's recorded courses: `Y` or `N`.
pub fn ivig_within_30_days(
    conn: &mut SqliteConnection,
    patient: PatientId,
    sample: NaiveDate,
) -> QueryResult<&'static str> {
    let courses = courses_of(conn, patient)?;
    Ok(flag(given_within_30_days(&courses, sample)))
}

/// Sets the flag of every IgG result of the patient that no longer agrees with the recorded
/// courses, inside the caller's transaction and change set: each such result's
/// `row_version` is raised and its change audited. Returns the number of results changed.
pub fn refresh_ivig_flags(
    conn: &mut SqliteConnection,
    changes: &ChangeSet,
    patient: PatientId,
    actor: UserId,
) -> QueryResult<usize> {
    let courses = courses_of(conn, patient)?;
    let samples: Vec<(i32, NaiveDate, Option<String>)> = lab_results::table
        .filter(lab_results::patient_id.eq(patient.0))
        .filter(lab_results::analyte.eq(LabAnalyte::Igg.code()))
        .select((
            lab_results::id,
            lab_results::sample_date,
            lab_results::ivig_within_30_days,
        ))
        .order(lab_results::id)
        .load(conn)?;
    let mut changed = 0;
    for (id, sample, stored) in samples {
        let derived = flag(given_within_30_days(&courses, sample));
        if stored.as_deref() == Some(derived) {
            continue;
        }
        diesel::update(lab_results::table.find(id))
            .set((
                lab_results::ivig_within_30_days.eq(derived),
                lab_results::row_version.eq(lab_results::row_version + 1),
                lab_results::updated_at.eq(changes.at),
                lab_results::updated_by.eq(actor.0),
            ))
            .execute(conn)?;
        changes.record_update(
            conn,
            "lab_results",
            id,
            Some(patient),
            &[("ivig_within_30_days".to_owned(), stored)],
            &[("ivig_within_30_days".to_owned(), Some(derived.to_owned()))],
        )?;
        changed += 1;
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn course(start: &str, stop: Option<&str>, ongoing: bool) -> CourseSpan {
        CourseSpan {
            start: day(start),
            stop: stop.map(day),
            ongoing,
        }
    }

    #[test]
    fn no_course_means_native_igg() {
        assert!(!given_within_30_days(&[], day("2026-03-01")));
    }

    #[test]
    fn a_course_started_after_the_sample_does_not_count() {
        let c = [course("2026-03-02", None, true)];
        assert!(!given_within_30_days(&c, day("2026-03-01")));
        assert!(given_within_30_days(&c, day("2026-03-02")));
    }

    #[test]
    fn a_stopped_course_counts_for_30_days_after_its_stop() {
        let c = [course("2026-01-01", Some("2026-02-01"), false)];
        assert!(given_within_30_days(&c, day("2026-03-03")), "30 days after");
        assert!(
            !given_within_30_days(&c, day("2026-03-04")),
            "31 days after"
        );
    }

    #[test]
    fn an_ongoing_course_counts_however_long_ago_it_started() {
        let c = [course("2020-01-01", None, true)];
        assert!(given_within_30_days(&c, day("2026-03-01")));
    }

    #[test]
    fn a_course_without_an_end_counts_as_running() {
        let c = [course("2020-01-01", None, false)];
        assert!(given_within_30_days(&c, day("2026-03-01")));
    }

    #[test]
    fn any_of_several_courses_is_enough() {
        let c = [
            course("2025-01-01", Some("2025-02-01"), false),
            course("2026-02-20", Some("2026-02-21"), false),
        ];
        assert!(given_within_30_days(&c, day("2026-03-01")));
        assert!(!given_within_30_days(&c[..1], day("2026-03-01")));
    }
}
