//! The worklist: due, overdue and missed follow-ups of the user's own sites only, most urgent
//! first, each linked to its form.

use diesel::prelude::*;

use crate::helpers::{PASSWORD, TestUser, days_ago, spawn_app};

#[test]
fn the_worklist_shows_own_site_follow_ups_most_urgent_first() {
    let app = spawn_app();
    // Day 100 window is day 90-130 and missed from M6's opening (day 150).
    let (due_patient, _) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    let (overdue_patient, _) = app.insert_treated_patient(app.site_a, "AAA-000002", days_ago(140));
    app.insert_treated_patient(app.site_b, "BBB-000001", days_ago(140));
    app.insert_treated_patient(app.site_a, "AAA-000003", days_ago(5));

    let page = app.logged_in(&app.coordinator).get_worklist();

    assert_eq!(page.status, 200);
    assert!(page.body.contains("AAA-000001"));
    assert!(page.body.contains("AAA-000002"));
    assert!(
        !page.body.contains("BBB-000001"),
        "another site's patient is never listed"
    );
    assert!(!page.body.contains("AAA-000003"), "nothing due yet");
    let overdue_at = page.body.find("AAA-000002").unwrap();
    let due_at = page.body.find("AAA-000001").unwrap();
    assert!(overdue_at < due_at, "overdue before due");
    assert!(
        page.body
            .contains(&format!("/patients/{overdue_patient}/courses/"))
    );
    assert!(
        page.body
            .contains(&format!("/patients/{due_patient}/courses/"))
    );
    assert!(page.body.contains("1 overdue"));
}

#[test]
fn the_other_sites_coordinator_sees_only_their_own_patients() {
    let app = spawn_app();
    app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    app.insert_treated_patient(app.site_b, "BBB-000001", days_ago(95));

    let page = app.logged_in(&app.other_coordinator).get_worklist();

    assert!(page.body.contains("BBB-000001"));
    assert!(!page.body.contains("AAA-000001"));
}

#[test]
fn an_analyst_has_no_patient_worklist() {
    let app = spawn_app();
    app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));

    let page = app.logged_in(&app.analyst).get_worklist();

    assert_eq!(page.status, 200);
    assert!(!page.body.contains("AAA-000001"));
}

/// More due follow-ups than fit on a page: the most urgent page first, with the counts of
/// all of them; later pages continue without overlap; a nonsense page is not found.
#[test]
fn a_long_worklist_is_paged_most_urgent_first() {
    let app = spawn_app();
    // Each patient infused 140 days ago has Day 100 overdue and Day 28 missed: 2 lines.
    for n in 0..55 {
        app.insert_treated_patient(app.site_a, &format!("AAA-{n:06}"), days_ago(140));
    }
    let mut browser = app.logged_in(&app.coordinator);

    let first = browser.get("/");
    let second = browser.get("/?page=2");
    let past_the_end = browser.get("/?page=9");
    let nonsense = browser.get("/?page=zero");

    assert_eq!(first.status, 200);
    assert!(first.body.contains("55 overdue"), "counts cover every page");
    assert!(first.body.contains("55 missed"));
    assert!(
        first
            .body
            .contains("Follow-ups 1 to 100 of 110 (page 1 of 2)")
    );
    assert_eq!(first.body.matches("<tr>").count() - 1, 100);
    assert!(first.body.contains("href=\"/?page=2\""));
    let rows = |body: &str| -> Vec<String> {
        body.split("<tr>")
            .skip(2)
            .map(|row| row.split("</td>").take(3).collect::<String>())
            .collect()
    };
    let (one, two) = (rows(&first.body), rows(&second.body));
    assert_eq!(two.len(), 10);
    assert!(
        second
            .body
            .contains("Follow-ups 101 to 110 of 110 (page 2 of 2)")
    );
    assert!(one.iter().all(|r| !two.contains(r)), "pages never overlap");
    // All overdue lines come before the missed ones.
    assert!(one[..55].iter().all(|r| r.contains("Day 100")));
    assert!(two.iter().all(|r| r.contains("Day 28")));
    assert!(past_the_end.body.contains("(page 2 of 2)"));
    assert_eq!(nonsense.status, 404);
}

/// The filters: one status, one site (offered to a user of several sites), both kept in the
/// page links; the counts above stay those of every line; a status or site code that cannot be
/// one is not found.
#[test]
fn the_worklist_filters_by_status_and_site_and_pages_within_the_filter() {
    use registry::domain::access::Role;
    use registry::web::{
        accounts::{self, NewAccount, SYSTEM_USER_ID},
        auth::password::{PasswordCost, hash_password},
    };
    let app = spawn_app();
    // Each patient infused 140 days ago has Day 100 overdue and Day 28 missed.
    for n in 0..55 {
        app.insert_treated_patient(app.site_a, &format!("AAA-{n:06}"), days_ago(140));
    }
    app.insert_treated_patient(app.site_b, "BBB-000001", days_ago(95));
    let both_sites = {
        let mut conn = app.db();
        let id = accounts::create_account(
            &mut conn,
            SYSTEM_USER_ID,
            &NewAccount {
                username: "coord-ab".into(),
                full_name: "Coordinator of both sites".into(),
                role: Role::Coordinator,
                site_ids: vec![app.site_a, app.site_b],
                password_hash: hash_password(PasswordCost::fast_for_tests(), PASSWORD).unwrap(),
            },
        )
        .unwrap();
        TestUser {
            id,
            username: "coord-ab",
        }
    };
    let mut one_site = app.logged_in(&app.coordinator);
    let mut two_sites = app.logged_in(&both_sites);

    let missed = one_site.get("/?status=missed");
    assert_eq!(missed.status, 200);
    assert!(missed.body.contains("55 follow-ups."));
    assert!(
        missed.body.contains("55 overdue"),
        "the counts cover every line"
    );
    let rows: Vec<&str> = missed.body.split("<tr>").skip(2).collect();
    assert_eq!(rows.len(), 55);
    assert!(
        rows.iter()
            .all(|r| r.contains("Day 28") && r.contains("Missed"))
    );
    assert!(
        !missed.body.contains("id=\"site\""),
        "one site: no site filter"
    );

    let all = two_sites.get("/");
    assert!(
        all.body.contains("id=\"site\""),
        "several sites: a site filter"
    );
    assert!(all.body.contains("<option value=\"BBB\">BBB</option>"));
    let b_only = two_sites.get("/?site=BBB");
    let b_rows: Vec<&str> = b_only.body.split("<tr>").skip(2).collect();
    // Infused 95 days ago: Day 100 due, Day 28 missed.
    assert_eq!(b_rows.len(), 2);
    assert!(b_rows.iter().all(|r| r.contains("BBB-000001")));
    assert!(
        b_only
            .body
            .contains("<option value=\"BBB\" selected>BBB</option>")
    );
    let a_overdue = two_sites.get("/?status=overdue&site=AAA");
    assert!(a_overdue.body.contains("55 follow-ups."));
    assert!(!a_overdue.body.contains("BBB-000001"));

    // Paging keeps the filters: 110 lines of site AAA, 100 on the first page.
    let a_first = two_sites.get("/?site=AAA");
    assert!(a_first.body.contains("(page 1 of 2)"));
    // Askama escapes the `&` of the query string as `&#38;`.
    assert!(a_first.body.contains("href=\"/?site=AAA&#38;page=2\""));
    let a_second = two_sites.get("/?site=AAA&page=2");
    assert!(
        a_second
            .body
            .contains("Follow-ups 101 to 110 of 110 (page 2 of 2)")
    );
    assert!(a_second.body.contains("href=\"/?site=AAA\" rel=\"prev\""));
    assert!(!a_second.body.contains("BBB-000001"));

    // Another site's code shows nothing of it; nonsense is not found.
    let foreign = one_site.get("/?site=BBB");
    assert_eq!(foreign.status, 200);
    assert!(!foreign.body.contains("BBB-000001"));
    assert!(foreign.body.contains("No follow-up matches these filters."));
    assert_eq!(one_site.get("/?status=soon").status, 404);
    assert_eq!(one_site.get("/?site=b%20b").status, 404);
}

/// The worklist is computed on day numbers, on a pre-filtered set of courses; the full
/// schedule computation (`schedule::worklist` on every course) is the reference. A seeded
/// cohort (deaths, losses, withdrawals, second courses, forms in every state) on dates before,
/// at and after its data cut must give exactly the same lines, for all sites and for each.
#[test]
fn the_fast_worklist_equals_the_full_schedule_on_a_seeded_cohort() {
    use registry::web::{
        auth::extract::SiteFilter,
        routes::worklist::{WorklistCache, load_worklist},
    };

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cohort.sqlite");
    let cut = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    registry::seed::seed(&registry::seed::SeedOptions {
        db: db.clone(),
        patients: 700,
        seed: 7,
        today: cut,
        force: false,
        threads: 1,
        progress: false,
        check_constraints: false,
    })
    .unwrap();
    let mut conn = registry::db::open(&db).unwrap();
    let sites: Vec<i32> = registry::db::schema::sites::table
        .select(registry::db::schema::sites::id)
        .load(&mut conn)
        .unwrap();

    let cache = WorklistCache::default();
    let mut compared = 0;
    for offset in [-2000, -400, -30, 0, 1, 60, 365, 1500] {
        let today = cut + chrono::Duration::days(offset);
        let mut filters = vec![SiteFilter::All];
        filters.extend(sites.iter().map(|s| SiteFilter::Only(vec![*s])));
        for filter in &filters {
            let fast: Vec<Line> = load_worklist(&mut conn, filter, today)
                .unwrap()
                .into_iter()
                .map(|i| (i.patient_id, i.course_id, i.visit))
                .collect();
            let reference = reference::worklist(&mut conn, filter, today);
            assert_eq!(fast.len(), reference.len(), "{today}");
            assert_eq!(fast, reference, "on {today}");
            let kept: Vec<Line> = cache
                .worklist(&mut conn, filter, today)
                .unwrap()
                .into_iter()
                .map(|i| (i.patient_id, i.course_id, i.visit))
                .collect();
            assert_eq!(kept, reference, "kept, on {today}");
            compared += fast.len();
        }
    }
    assert!(
        compared > 1000,
        "the cohort exercises the worklist: {compared} lines"
    );
}

/// The kept worklist follows audited changes: a patient withdrawn since Day 0 leaves it (their
/// courses reloaded alone), a new patient joins it (rows that no change set accounts for: the
/// scope is read again), and a later day is computed afresh.
#[test]
fn the_kept_worklist_follows_every_change() {
    use registry::db::{audit::ChangeSet, ids::UserId};
    use registry::web::{auth::extract::SiteFilter, routes::worklist::WorklistCache};

    let app = spawn_app();
    let (withdrawn, _) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(140));
    let (stays, _) = app.insert_treated_patient(app.site_a, "AAA-000002", days_ago(95));
    let mut conn = app.db();
    let cache = WorklistCache::default();
    let scope = SiteFilter::Only(vec![app.site_a]);
    let today = crate::helpers::today();
    let patients_on = |conn: &mut SqliteConnection, day| -> Vec<i32> {
        let mut ids: Vec<i32> = cache
            .worklist(conn, &scope, day)
            .unwrap()
            .iter()
            .map(|i| i.patient_id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    assert_eq!(patients_on(&mut conn, today), [withdrawn, stays]);

    conn.immediate_transaction(|conn| -> QueryResult<()> {
        let changes = ChangeSet::begin(conn, UserId(app.admin.id), None, Some("withdrew"))?;
        diesel::sql_query(format!(
            "UPDATE patients SET ltfu_status = 'WITHDRAWN', ltfu_status_date = '{}', \
             row_version = row_version + 1 WHERE id = {withdrawn}",
            days_ago(140)
        ))
        .execute(conn)?;
        changes.record_field(
            conn,
            registry::db::audit::AuditAction::Update,
            "patients",
            withdrawn,
            Some(registry::db::ids::PatientId(withdrawn)),
            "ltfu_status",
            Some("ACTIVE"),
            Some("WITHDRAWN"),
        )
    })
    .unwrap();
    assert_eq!(patients_on(&mut conn, today), [stays]);

    let (added, _) = app.insert_treated_patient(app.site_a, "AAA-000003", days_ago(100));
    assert_eq!(patients_on(&mut conn, today), [stays, added]);
    // Sixty days on, the Day 100 visits are overdue and missed, still from the kept courses.
    let later = today + chrono::Duration::days(60);
    let lines = |items: Vec<registry::web::routes::worklist::WorkItem>| -> Vec<Line> {
        items
            .into_iter()
            .map(|i| (i.patient_id, i.course_id, i.visit))
            .collect()
    };
    let kept = lines(cache.worklist(&mut conn, &scope, later).unwrap());
    let fresh =
        lines(registry::web::routes::worklist::load_worklist(&mut conn, &scope, later).unwrap());
    assert_eq!(kept, fresh);
    assert!(kept.len() >= 4);
}

type Line = (i32, i32, registry::domain::schedule::ScheduledVisit);

/// The reference: every first-infusion course, all its forms, the full schedule computation.
mod reference {
    use std::collections::HashMap;

    use chrono::NaiveDate;
    use diesel::prelude::*;
    use registry::db::schema::{deaths, follow_ups, infusions, patients, treatment_courses};
    use registry::domain::{
        follow_up::FormStatus,
        patient::LtfuStatus,
        schedule::{FollowUpStanding, PatientFollowUp, RecordedFollowUp, Schedule, Timepoint},
        vocabulary::Vocabulary,
    };
    use registry::web::auth::extract::SiteFilter;

    use super::Line;

    /// Patient, site, registry ID, follow-up status and its date, course, course number, Day 0.
    type CourseLine = (
        i32,
        i32,
        String,
        String,
        Option<NaiveDate>,
        i32,
        i32,
        NaiveDate,
    );

    pub fn worklist(
        conn: &mut SqliteConnection,
        filter: &SiteFilter,
        today: NaiveDate,
    ) -> Vec<Line> {
        let courses: Vec<CourseLine> = infusions::table
            .inner_join(patients::table.on(patients::id.eq(infusions::patient_id)))
            .inner_join(treatment_courses::table.on(treatment_courses::id.eq(infusions::course_id)))
            .filter(infusions::infusion_number.eq(1))
            .select((
                patients::id,
                patients::site_id,
                patients::registry_id,
                patients::ltfu_status,
                patients::ltfu_status_date,
                treatment_courses::id,
                treatment_courses::course_number,
                infusions::infusion_date,
            ))
            .load(conn)
            .unwrap();
        let forms: Vec<(i32, String, Option<NaiveDate>, String)> = follow_ups::table
            .select((
                follow_ups::course_id,
                follow_ups::timepoint,
                follow_ups::contact_date,
                follow_ups::form_status,
            ))
            .load(conn)
            .unwrap();
        let deaths: HashMap<i32, NaiveDate> = deaths::table
            .select((deaths::patient_id, deaths::death_date))
            .load::<(i32, NaiveDate)>(conn)
            .unwrap()
            .into_iter()
            .collect();
        let mut by_course: HashMap<i32, Vec<RecordedFollowUp>> = HashMap::new();
        for (course, timepoint, contact_date, status) in forms {
            by_course.entry(course).or_default().push(RecordedFollowUp {
                timepoint: Timepoint::parse(&timepoint).unwrap(),
                contact_date,
                form_status: FormStatus::parse(&status).unwrap(),
            });
        }
        let schedule = Schedule::default();
        let mut lines: Vec<(String, i32, Line)> = Vec::new();
        for (patient, site, registry_id, status, status_date, course, number, day0) in &courses {
            if !filter.allows(*site) {
                continue;
            }
            let standing = FollowUpStanding::new(
                LtfuStatus::parse(status).unwrap(),
                *status_date,
                deaths.get(patient).copied(),
            )
            .unwrap();
            let next_course_day0 = courses
                .iter()
                .filter(|c| c.0 == *patient && c.6 > *number)
                .min_by_key(|c| c.6)
                .map(|c| c.7);
            let recorded = by_course.get(course).map(Vec::as_slice).unwrap_or(&[]);
            let patient_follow_up = PatientFollowUp {
                infusion_date: *day0,
                standing,
                follow_ups: recorded,
                next_course_day0,
            };
            for visit in registry::domain::schedule::worklist(&schedule, &patient_follow_up, today)
            {
                lines.push((registry_id.clone(), *number, (*patient, *course, visit)));
            }
        }
        lines.sort_by(|a, b| {
            (a.2.2.urgency_key(), &a.0, a.1, a.2.2.timepoint).cmp(&(
                b.2.2.urgency_key(),
                &b.0,
                b.1,
                b.2.2.timepoint,
            ))
        });
        lines.into_iter().map(|(_, _, line)| line).collect()
    }
}
