//! The demo cohort against the app's own rules: what `registry seed` writes must be what a
//! coordinator could have entered. Every seeded toxicity (CRS, ICANS, IEC-HS, early and late
//! ICAHT, TLS, delayed neurotoxicity, hypogammaglobulinaemia) with its treatments, opened in
//! the correction form and saved unchanged, passes the correction rules and writes nothing.

use diesel::prelude::*;
use registry::db::{
    events::{
        Companion, EventKind, EventRevision, load_event, replace_toxicity_treatments, revise_event,
    },
    ids::{ToxicityEventId, UserId},
    schema::{audit_log, toxicity_events},
};
use registry::web::{
    form::Field,
    routes::events::{EventForm, children_of, context_of, rules},
};

#[test]
fn every_seeded_toxicity_saved_unchanged_in_the_correction_form_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cohort.sqlite");
    let cut = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    registry::seed::seed(&registry::seed::SeedOptions {
        db: db.clone(),
        patients: 600,
        seed: 3,
        today: cut,
        force: false,
        threads: 2,
        progress: false,
        check_constraints: true,
    })
    .unwrap();
    let mut conn = registry::db::open(&db).unwrap();
    let audit_rows =
        |conn: &mut SqliteConnection| -> i64 { audit_log::table.count().get_result(conn).unwrap() };
    let audited_before = audit_rows(&mut conn);
    let ids: Vec<(i32, String)> = toxicity_events::table
        .select((toxicity_events::id, toxicity_events::toxicity_type))
        .order(toxicity_events::id)
        .load(&mut conn)
        .unwrap();
    let mut types: Vec<&str> = ids.iter().map(|(_, t)| t.as_str()).collect();
    types.sort_unstable();
    types.dedup();
    assert_eq!(
        types,
        [
            "CRS",
            "DELAYED_NEURO",
            "HYPOGAMMA",
            "ICAHT_EARLY",
            "ICAHT_LATE",
            "ICANS",
            "IEC_HS",
            "TLS"
        ],
        "the cohort exercises every seeded type"
    );
    // Early ICAHT carries the neutrophil counts its grade rests on (checked against the grade
    // by the correction rules below); no other type carries them.
    let early_without_counts: i64 = toxicity_events::table
        .filter(toxicity_events::toxicity_type.eq("ICAHT_EARLY"))
        .filter(
            toxicity_events::icaht_days_anc_le_500
                .is_null()
                .or(toxicity_events::icaht_days_anc_le_100.is_null()),
        )
        .count()
        .get_result(&mut conn)
        .unwrap();
    let profound: i64 = toxicity_events::table
        .filter(toxicity_events::icaht_days_anc_le_100.ge(7))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(early_without_counts, 0, "every early ICAHT has its counts");
    assert!(profound > 0, "grade 4 early ICAHT with ANC <= 100/µL");

    for (id, kind) in &ids {
        let event = load_event(&mut conn, EventKind::Toxicity, *id)
            .unwrap()
            .unwrap();
        let ctx = context_of(&mut conn, &event).unwrap();
        let stored = children_of(&mut conn, &event).unwrap();
        let mut form = EventForm::from_stored(&event).with_children(&stored);
        form.reason = Field::new("Unchanged");
        let columns = rules::validate(&mut form, &event, &ctx, cut);
        assert!(
            columns.is_some() && !form.has_error(),
            "{kind} {id} refused: {form:#?}\n{event:#?}\n{ctx:#?}"
        );
        let given = form.treatments_given.clone().unwrap();
        assert_eq!(
            given.len(),
            stored.treatments.len(),
            "{kind} {id}: {given:?}"
        );

        let companion: Companion<'static> = Box::new(move |conn, changes, after| {
            let event = ToxicityEventId(after.id);
            let rows: Vec<_> = given.iter().map(|g| g.to_row(event, UserId(1))).collect();
            replace_toxicity_treatments(conn, changes, event, after.patient_id, &rows)?;
            Ok(None)
        });
        let outcome = revise_event(
            &mut conn,
            UserId(1),
            EventKind::Toxicity,
            *id,
            event.row_version,
            "Unchanged",
            &columns.unwrap(),
            Some(companion),
        )
        .unwrap();
        assert_eq!(outcome, EventRevision::Done, "{kind} {id}");
    }
    // Saved unchanged: not one value differed, so nothing was written.
    assert_eq!(
        audit_rows(&mut conn),
        audited_before,
        "a seeded toxicity did not round-trip the form"
    );
    let bumped: i64 = toxicity_events::table
        .filter(toxicity_events::row_version.ne(1))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(bumped, 0);
}
