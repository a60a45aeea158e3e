//! The endpoint derivations end to end (analysis set, then ADTTE) on hand-built cohorts.

use super::*;
use crate::report::load::{Registry, epoch_days};
use registry::domain::Vocabulary;
use registry::domain::response::{Response, ResponseCriteria};
use std::collections::BTreeMap;

fn d(s: &str) -> i32 {
    epoch_days(chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
}

fn date(name: &str, v: Vec<Option<i32>>) -> Column {
    Column::new(name.into(), v).cast(&DataType::Date).unwrap()
}

/// A hand-built cohort: one LBCL (or B-ALL) patient per id, axi-cel, site BCN.
#[derive(Default)]
struct Fixture {
    /// (id, disease subtype code, infusion date)
    patients: Vec<(i32, &'static str, &'static str)>,
    lost: Vec<i32>,
    deaths: Vec<(i32, &'static str)>,
    contacts: Vec<(i32, &'static str)>,
    relapses: Vec<(i32, &'static str)>,
    responses: Vec<(i32, &'static str, &'static str)>,
    /// (id, start, intent, category)
    therapies: Vec<(i32, &'static str, &'static str, &'static str)>,
    /// (id, sample date, CD19+ B cells per µL)
    b_cells: Vec<(i32, &'static str, f64)>,
    /// (id, sample date, detected; `None` = no result)
    persistence: Vec<(i32, &'static str, Option<bool>)>,
}

impl Fixture {
    fn registry(&self) -> Registry {
        let ids: Vec<i32> = self.patients.iter().map(|p| p.0).collect();
        let usubjid: Vec<String> = ids.iter().map(|i| format!("BCN-{i:06}")).collect();
        let status: Vec<&str> = ids
            .iter()
            .map(|i| {
                if self.lost.contains(i) {
                    "LOST"
                } else {
                    "ACTIVE"
                }
            })
            .collect();
        let mut patients = df![
            "patient_id" => ids.clone(),
            "usubjid" => usubjid,
            "site" => vec!["BCN"; ids.len()],
            "ltfu_status" => status,
        ]
        .unwrap();
        patients
            .with_column(date("ltfu_status_date", vec![None; ids.len()]))
            .unwrap();
        let disease: Vec<&str> = self.patients.iter().map(|p| p.1).collect();
        let group: Vec<&str> = disease
            .iter()
            .map(|x| if *x == "BALL" { "BALL" } else { "LBCL" })
            .collect();
        let criteria: Vec<&str> = disease
            .iter()
            .map(|x| if *x == "BALL" { "BALL" } else { "LUGANO2014" })
            .collect();
        let diagnoses = df![
            "diagnosis_id" => ids.clone(),
            "patient_id" => ids.clone(),
            "disease" => disease,
            "disease_group" => group,
            "criteria" => criteria.clone(),
        ]
        .unwrap();
        let courses = df![
            "course_id" => ids.clone(),
            "patient_id" => ids.clone(),
            "diagnosis_id" => ids.clone(),
            "course_number" => vec![1; ids.len()],
            "product" => vec!["AXI_CEL"; ids.len()],
            "antigen" => vec!["CD19"; ids.len()],
        ]
        .unwrap();
        let mut infusions = df![
            "patient_id" => ids.clone(),
            "course_id" => ids.clone(),
            "infusion_number" => vec![1; ids.len()],
        ]
        .unwrap();
        infusions
            .with_column(date(
                "infusion_date",
                self.patients.iter().map(|p| Some(d(p.2))).collect(),
            ))
            .unwrap();
        let mut fu_pid = Vec::new();
        let mut fu_contact = Vec::new();
        let mut fu_relapse = Vec::new();
        for (p, c) in &self.contacts {
            fu_pid.push(*p);
            fu_contact.push(Some(d(c)));
            fu_relapse.push(None);
        }
        for (p, r) in &self.relapses {
            fu_pid.push(*p);
            fu_contact.push(Some(d(r)));
            fu_relapse.push(Some(d(r)));
        }
        let n = fu_pid.len();
        let mut follow_ups = df![
            "patient_id" => fu_pid,
            "survival_status" => vec![Some("ALIVE"); n],
        ]
        .unwrap();
        follow_ups
            .with_column(date("contact_date", fu_contact))
            .unwrap();
        follow_ups
            .with_column(date("relapse_date", fu_relapse))
            .unwrap();
        let mut deaths = df![
            "patient_id" => self.deaths.iter().map(|x| x.0).collect::<Vec<_>>(),
            "death_cause" => vec!["DISEASE"; self.deaths.len()],
        ]
        .unwrap();
        deaths
            .with_column(date(
                "death_date",
                self.deaths.iter().map(|x| Some(d(x.1))).collect(),
            ))
            .unwrap();
        let crit_of = |pid: i32| {
            self.patients
                .iter()
                .find(|p| p.0 == pid)
                .map(|p| if p.1 == "BALL" { "BALL" } else { "LUGANO2014" })
                .unwrap()
        };
        let parsed: Vec<Response> = self
            .responses
            .iter()
            .map(|(p, _, code)| {
                Response::parse(ResponseCriteria::parse(crit_of(*p)).unwrap(), code).unwrap()
            })
            .collect();
        let mut responses = df![
            "patient_id" => self.responses.iter().map(|x| x.0).collect::<Vec<_>>(),
            "course_id" => self.responses.iter().map(|x| x.0).collect::<Vec<_>>(),
            "criteria" => self.responses.iter().map(|x| crit_of(x.0)).collect::<Vec<_>>(),
            "response" => self.responses.iter().map(|x| x.2).collect::<Vec<_>>(),
            "rank" => parsed.iter().map(|r| i32::from(r.rank())).collect::<Vec<_>>(),
            "responder" => parsed.iter().map(|r| r.is_responder()).collect::<Vec<_>>(),
            "complete" => parsed.iter().map(|r| r.is_complete_response()).collect::<Vec<_>>(),
            "progression" => parsed.iter().map(|r| r.rank() == 1).collect::<Vec<_>>(),
        ]
        .unwrap();
        responses
            .with_column(date(
                "assessment_date",
                self.responses.iter().map(|x| Some(d(x.1))).collect(),
            ))
            .unwrap();
        let mut therapies = df![
            "patient_id" => self.therapies.iter().map(|x| x.0).collect::<Vec<_>>(),
            "category" => self.therapies.iter().map(|x| x.3).collect::<Vec<_>>(),
            "intent" => self.therapies.iter().map(|x| Some(x.2)).collect::<Vec<_>>(),
            "closes_bor_window" => self.therapies.iter().map(|x| x.2 != "CONSOLIDATION_MAINTENANCE").collect::<Vec<_>>(),
            "transplant" => self.therapies.iter().map(|x| x.3.ends_with("_HCT")).collect::<Vec<_>>(),
        ]
        .unwrap();
        therapies
            .with_column(date(
                "start_date",
                self.therapies.iter().map(|x| Some(d(x.1))).collect(),
            ))
            .unwrap();
        let mut labs = df![
            "patient_id" => self.b_cells.iter().map(|x| x.0).collect::<Vec<_>>(),
            "analyte" => vec!["CD19_ABS"; self.b_cells.len()],
            "value" => self.b_cells.iter().map(|x| Some(x.2)).collect::<Vec<_>>(),
            "ivig_flag" => vec![false; self.b_cells.len()],
        ]
        .unwrap();
        labs.with_column(date(
            "sample_date",
            self.b_cells.iter().map(|x| Some(d(x.1))).collect(),
        ))
        .unwrap();
        let mut persistence = df![
            "patient_id" => self.persistence.iter().map(|x| x.0).collect::<Vec<_>>(),
            "detected" => self.persistence.iter().map(|x| x.2).collect::<Vec<_>>(),
        ]
        .unwrap();
        persistence
            .with_column(date(
                "sample_date",
                self.persistence.iter().map(|x| Some(d(x.1))).collect(),
            ))
            .unwrap();
        Registry {
            patients,
            diagnoses,
            courses,
            infusions,
            follow_ups,
            responses,
            therapies,
            deaths,
            toxicities: DataFrame::empty(),
            infections: DataFrame::empty(),
            labs,
            ig_courses: DataFrame::empty(),
            persistence,
            malignancies: DataFrame::empty(),
            rows: BTreeMap::new(),
            dropped_after_cutoff: BTreeMap::new(),
            bad_codes: Vec::new(),
            sha256: String::new(),
        }
    }
}

/// (ADT as ISO, AVAL, CNSR, CRCAUSE) of one ADTTE row.
fn row(adtte: &DataFrame, usubjid: &str, paramcd: &str) -> Option<(i32, i32, String)> {
    let df = adtte
        .clone()
        .lazy()
        .filter(
            col("USUBJID")
                .eq(lit(usubjid))
                .and(col("PARAMCD").eq(lit(paramcd))),
        )
        .collect()
        .unwrap();
    if df.height() == 0 {
        return None;
    }
    let aval = df.column("AVAL").unwrap().i32().unwrap().get(0).unwrap();
    let cnsr = df.column("CNSR").unwrap().i32().unwrap().get(0).unwrap();
    let cause = df
        .column("CRCAUSE")
        .unwrap()
        .str()
        .unwrap()
        .get(0)
        .unwrap()
        .to_owned();
    Some((aval, cnsr, cause))
}

fn run(f: &Fixture, opts: &EndpointOptions) -> (DataFrame, DataFrame) {
    let set = analysis_set(&f.registry(), opts).unwrap();
    let ok = analysable(&set).unwrap();
    let adtte = adtte(&ok, opts).unwrap();
    (set, adtte)
}

#[test]
fn relapse_and_death_on_the_same_day_is_a_relapse_for_cir_and_a_pfs_event() {
    let f = Fixture {
        patients: vec![(1, "DLBCL_NOS", "2024-01-01")],
        relapses: vec![(1, "2024-03-01")],
        deaths: vec![(1, "2024-03-01")],
        ..Fixture::default()
    };
    let (_, t) = run(&f, &EndpointOptions::default());
    assert_eq!(row(&t, "BCN-000001", "OS"), Some((60, 0, String::new())));
    assert_eq!(row(&t, "BCN-000001", "PFS"), Some((60, 0, String::new())));
    assert_eq!(
        row(&t, "BCN-000001", "CIR"),
        Some((60, cnsr::EVENT, "RELAPSE".into()))
    );
    assert_eq!(
        row(&t, "BCN-000001", "NRM"),
        Some((60, cnsr::COMPETING, "RELAPSE".into()))
    );
    assert_eq!(row(&t, "BCN-000001", "EFS"), None);
}

#[test]
fn death_without_relapse_is_nrm_and_competing_for_cir() {
    let f = Fixture {
        patients: vec![(2, "DLBCL_NOS", "2024-01-01")],
        contacts: vec![(2, "2024-01-20")],
        deaths: vec![(2, "2024-02-01")],
        ..Fixture::default()
    };
    let (_, t) = run(&f, &EndpointOptions::default());
    assert_eq!(
        row(&t, "BCN-000002", "CIR"),
        Some((31, cnsr::COMPETING, "NRM".into()))
    );
    assert_eq!(
        row(&t, "BCN-000002", "NRM"),
        Some((31, cnsr::EVENT, "NRM".into()))
    );
}

#[test]
fn no_follow_up_after_day_0_is_censored_at_time_0() {
    let f = Fixture {
        patients: vec![(3, "DLBCL_NOS", "2024-01-01")],
        ..Fixture::default()
    };
    let (_, t) = run(&f, &EndpointOptions::default());
    assert_eq!(
        row(&t, "BCN-000003", "OS"),
        Some((0, cnsr::LAST_CONTACT, String::new()))
    );
    assert_eq!(
        row(&t, "BCN-000003", "PFS"),
        Some((0, cnsr::LAST_CONTACT, String::new()))
    );
    assert_eq!(
        row(&t, "BCN-000003", "CIR"),
        Some((0, cnsr::LAST_CONTACT, String::new()))
    );
    assert_eq!(row(&t, "BCN-000003", "DOR"), None);
}

#[test]
fn lost_patients_carry_their_own_censoring_code() {
    let f = Fixture {
        patients: vec![(4, "DLBCL_NOS", "2024-01-01")],
        lost: vec![4],
        contacts: vec![(4, "2024-04-10")],
        ..Fixture::default()
    };
    let (_, t) = run(&f, &EndpointOptions::default());
    assert_eq!(
        row(&t, "BCN-000004", "OS"),
        Some((100, cnsr::LOST, String::new()))
    );
}

#[test]
fn data_problems_are_flagged_not_fatal() {
    let f = Fixture {
        patients: vec![
            (5, "DLBCL_NOS", "2024-01-01"),
            (6, "DLBCL_NOS", "2024-01-01"),
        ],
        // 5: death before infusion; 6: a contact after death.
        deaths: vec![(5, "2023-12-01"), (6, "2024-02-01")],
        contacts: vec![(6, "2024-05-01")],
        ..Fixture::default()
    };
    let (set, t) = run(&f, &EndpointOptions::default());
    let flags = set.column("death_before_day0").unwrap().bool().unwrap();
    assert_eq!(flags.get(0), Some(true));
    let after = set.column("contact_after_death").unwrap().u32().unwrap();
    assert_eq!(after.get(1), Some(1));
    assert_eq!(
        row(&t, "BCN-000005", "OS"),
        None,
        "excluded from time-to-event"
    );
    assert_eq!(
        row(&t, "BCN-000006", "OS"),
        Some((31, cnsr::EVENT, String::new()))
    );
}

#[test]
fn best_response_ignores_assessments_after_therapy_for_relapse() {
    let f = Fixture {
        patients: vec![(7, "DLBCL_NOS", "2024-01-01")],
        responses: vec![
            (7, "2024-02-01", "PR"),
            (7, "2024-04-01", "PD"),
            (7, "2024-06-01", "CR"),
        ],
        therapies: vec![(7, "2024-05-01", "RELAPSE_PROGRESSION", "BISPECIFIC")],
        ..Fixture::default()
    };
    let (set, t) = run(&f, &EndpointOptions::default());
    assert_eq!(set.column("bor").unwrap().str().unwrap().get(0), Some("PR"));
    // DOR from the PR (day 31) to the PD (day 91): 60 days, an event.
    assert_eq!(
        row(&t, "BCN-000007", "DOR"),
        Some((60, cnsr::EVENT, String::new()))
    );
    // Last contact is the last assessment (day 152).
    assert_eq!(
        row(&t, "BCN-000007", "OS"),
        Some((152, cnsr::LAST_CONTACT, String::new()))
    );
}

#[test]
fn censoring_at_new_therapy_is_an_option() {
    let f = Fixture {
        patients: vec![(8, "DLBCL_NOS", "2024-01-01")],
        therapies: vec![(8, "2024-03-01", "MRD_POSITIVE", "BISPECIFIC")],
        relapses: vec![(8, "2024-05-01")],
        ..Fixture::default()
    };
    let (_, t) = run(&f, &EndpointOptions::default());
    assert_eq!(
        row(&t, "BCN-000008", "PFS"),
        Some((121, cnsr::EVENT, String::new()))
    );
    let opts = EndpointOptions {
        censor_at_new_therapy: true,
        ..EndpointOptions::default()
    };
    let (_, t) = run(&f, &opts);
    assert_eq!(
        row(&t, "BCN-000008", "PFS"),
        Some((60, cnsr::NEW_THERAPY, String::new()))
    );
    assert_eq!(
        row(&t, "BCN-000008", "CIR"),
        Some((60, cnsr::NEW_THERAPY, String::new()))
    );
    // OS is never censored at therapy.
    assert_eq!(
        row(&t, "BCN-000008", "OS"),
        Some((121, cnsr::LAST_CONTACT, String::new()))
    );
}

#[test]
fn ball_without_remission_by_the_window_fails_at_day_0() {
    let f = Fixture {
        patients: vec![(9, "BALL", "2024-01-01"), (10, "BALL", "2024-01-01")],
        responses: vec![(9, "2024-01-29", "NR"), (10, "2024-01-29", "CR")],
        contacts: vec![(9, "2024-06-01"), (10, "2024-06-01")],
        ..Fixture::default()
    };
    let (_, t) = run(&f, &EndpointOptions::default());
    assert_eq!(
        row(&t, "BCN-000009", "EFS"),
        Some((0, cnsr::EVENT, String::new()))
    );
    assert_eq!(
        row(&t, "BCN-000010", "EFS"),
        Some((152, cnsr::LAST_CONTACT, String::new()))
    );
    assert_eq!(row(&t, "BCN-000009", "PFS"), None);
}
#[test]
fn b_cell_aplasia_ends_at_the_first_count_at_or_above_the_threshold() {
    let f = Fixture {
        patients: vec![
            (11, "DLBCL_NOS", "2024-01-01"),
            (12, "DLBCL_NOS", "2024-01-01"),
            (13, "DLBCL_NOS", "2024-01-01"),
            (14, "DLBCL_NOS", "2024-01-01"),
        ],
        contacts: vec![(11, "2024-12-01"), (12, "2024-12-01"), (14, "2024-12-01")],
        deaths: vec![(13, "2024-03-01")],
        b_cells: vec![
            // 11: aplastic at day 0 (baseline, ignored) and day 30; 20/µL on day 91 is
            // recovery; a later low count does not undo it.
            (11, "2024-01-01", 150.0),
            (11, "2024-01-31", 3.0),
            (11, "2024-04-01", 20.0),
            (11, "2024-06-01", 5.0),
            // 12: aplastic at every count: censored at the last (day 152).
            (12, "2024-02-01", 0.0),
            (12, "2024-06-01", 19.9),
            // 13: a count after death is ignored: censored at day 30.
            (13, "2024-01-31", 2.0),
            (13, "2024-05-01", 300.0),
            // 14: only a Day 0 count: not evaluable.
            (14, "2024-01-01", 1.0),
        ],
        ..Fixture::default()
    };
    let (_, t) = run(&f, &EndpointOptions::default());
    assert_eq!(
        row(&t, "BCN-000011", "BCAPL"),
        Some((91, cnsr::EVENT, String::new()))
    );
    assert_eq!(
        row(&t, "BCN-000012", "BCAPL"),
        Some((152, cnsr::LAST_MEASUREMENT, String::new()))
    );
    assert_eq!(
        row(&t, "BCN-000013", "BCAPL"),
        Some((30, cnsr::LAST_MEASUREMENT, String::new()))
    );
    assert_eq!(row(&t, "BCN-000014", "BCAPL"), None);
}

#[test]
fn persistence_is_lost_at_the_first_undetectable_day_after_a_detectable_one() {
    let f = Fixture {
        patients: vec![
            (21, "DLBCL_NOS", "2024-01-01"),
            (22, "DLBCL_NOS", "2024-01-01"),
            (23, "DLBCL_NOS", "2024-01-01"),
            (24, "DLBCL_NOS", "2024-01-01"),
        ],
        contacts: vec![
            (21, "2024-12-01"),
            (22, "2024-12-01"),
            (23, "2024-12-01"),
            (24, "2024-12-01"),
        ],
        persistence: vec![
            // 21: negative before the first detection (day 14) does not count; lost day 91.
            (21, "2024-01-08", Some(false)),
            (21, "2024-01-15", Some(true)),
            (21, "2024-04-01", Some(false)),
            (21, "2024-06-01", Some(true)),
            // 22: a test without a result is no loss; censored at the last result (day 152).
            (22, "2024-01-15", Some(true)),
            (22, "2024-03-01", None),
            (22, "2024-06-01", Some(true)),
            // 23: two methods on one day, one detects: still detectable; lost on day 182.
            (23, "2024-01-15", Some(true)),
            (23, "2024-04-01", Some(false)),
            (23, "2024-04-01", Some(true)),
            (23, "2024-07-01", Some(false)),
            // 24: never detected: not in the parameter.
            (24, "2024-01-15", Some(false)),
        ],
        ..Fixture::default()
    };
    let (_, t) = run(&f, &EndpointOptions::default());
    assert_eq!(
        row(&t, "BCN-000021", "PERSLOSS"),
        Some((91, cnsr::EVENT, String::new()))
    );
    assert_eq!(
        row(&t, "BCN-000022", "PERSLOSS"),
        Some((152, cnsr::LAST_MEASUREMENT, String::new()))
    );
    assert_eq!(
        row(&t, "BCN-000023", "PERSLOSS"),
        Some((182, cnsr::EVENT, String::new()))
    );
    assert_eq!(row(&t, "BCN-000024", "PERSLOSS"), None);
}
