//! `/exports`: CSV per entity (RFC 4180; a code column and a label column for every coded
//! value). Coordinators export their own sites with identities; de-identified exports (no
//! registry id, birth date or other identifiers, a `patient_key` instead; dates as days from
//! Day 0 on request) are open to monitors (own sites) and analysts (all sites).

pub mod get;

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::schema::{follow_ups, infections, infusions, patients, sites};
use crate::domain::{
    follow_up::{ContactType, FormStatus, SurvivalStatus},
    infection::{InfectionSeverity, OrganismClass},
    patient::{ConsentStatus, LtfuStatus, Sex},
    schedule::Timepoint,
    vocabulary::Vocabulary,
};
use crate::web::auth::extract::SiteFilter;

/// The entities that can be exported: (path name, title).
pub const ENTITIES: [(&str, &str); 3] = [
    ("patients", "Patients"),
    ("follow_ups", "Follow-up periods"),
    ("infections", "Infections"),
];

/// How dates and identities are written.
#[derive(Debug, Clone, Copy)]
pub struct ExportProfile {
    /// Leave out the registry id and other identifiers.
    pub deidentified: bool,
    /// Dates as days from the patient's first Day 0.
    pub relative_days: bool,
}

/// A CSV table: header and rows.
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

fn label<T: Vocabulary>(code: Option<&str>) -> String {
    code.and_then(|c| T::parse(c).ok())
        .map(|v| v.label().to_owned())
        .unwrap_or_default()
}

struct Columns {
    profile: ExportProfile,
    header: Vec<String>,
}

impl Columns {
    fn new(profile: ExportProfile) -> Self {
        let mut header = vec!["patient_key".to_owned()];
        if !profile.deidentified {
            header.push("registry_id".to_owned());
        }
        Self { profile, header }
    }

    fn coded(&mut self, name: &str) {
        self.header.push(name.to_owned());
        self.header.push(format!("{name}_label"));
    }

    fn plain(&mut self, name: &str) {
        self.header.push(name.to_owned());
    }

    fn date(&mut self, name: &str) {
        if self.profile.relative_days {
            self.header.push(format!("{name}_day"));
        } else {
            self.header.push(name.to_owned());
        }
    }
}

struct Row<'a> {
    profile: ExportProfile,
    day0: Option<NaiveDate>,
    cells: Vec<String>,
    _marker: std::marker::PhantomData<&'a ()>,
}

impl Row<'_> {
    fn new(profile: ExportProfile, pid: i32, registry_id: &str, day0: Option<NaiveDate>) -> Self {
        let mut cells = vec![pid.to_string()];
        if !profile.deidentified {
            cells.push(registry_id.to_owned());
        }
        Self {
            profile,
            day0,
            cells,
            _marker: std::marker::PhantomData,
        }
    }

    fn coded<T: Vocabulary>(&mut self, code: Option<&str>) {
        self.cells.push(code.unwrap_or_default().to_owned());
        self.cells.push(label::<T>(code));
    }

    fn plain(&mut self, value: impl ToString) {
        self.cells.push(value.to_string());
    }

    fn date(&mut self, date: Option<NaiveDate>) {
        let text = match (date, self.profile.relative_days, self.day0) {
            (None, _, _) => String::new(),
            (Some(d), false, _) => d.to_string(),
            (Some(d), true, Some(day0)) => (d - day0).num_days().to_string(),
            (Some(_), true, None) => String::new(),
        };
        self.cells.push(text);
    }
}

fn day0s(conn: &mut SqliteConnection, scope: &SiteFilter) -> QueryResult<HashMap<i32, NaiveDate>> {
    let mut q = infusions::table
        .inner_join(patients::table.on(patients::id.eq(infusions::patient_id)))
        .filter(infusions::infusion_number.eq(1))
        .select((infusions::patient_id, infusions::infusion_date))
        .into_boxed();
    if let SiteFilter::Only(ids) = scope {
        q = q.filter(patients::site_id.eq_any(ids.clone()));
    }
    let mut out: HashMap<i32, NaiveDate> = HashMap::new();
    for (pid, date) in q.load::<(i32, NaiveDate)>(conn)? {
        out.entry(pid)
            .and_modify(|d| *d = (*d).min(date))
            .or_insert(date);
    }
    Ok(out)
}

type PatientLine = (
    i32,
    String,
    String,
    String,
    i32,
    Option<NaiveDate>,
    NaiveDate,
    String,
    String,
    Option<NaiveDate>,
);

/// Builds the CSV table of an entity within the scope, or `None` for an unknown entity.
pub fn export(
    conn: &mut SqliteConnection,
    entity: &str,
    scope: &SiteFilter,
    profile: ExportProfile,
) -> QueryResult<Option<Table>> {
    let day0 = day0s(conn, scope)?;
    let mut cols = Columns::new(profile);
    let mut rows = Vec::new();
    match entity {
        "patients" => {
            cols.plain("site");
            cols.coded("sex");
            cols.plain("birth_year");
            if !profile.deidentified {
                cols.plain("birth_date");
            }
            cols.date("enrolment_date");
            cols.coded("consent_research");
            cols.coded("ltfu_status");
            cols.date("ltfu_status_date");
            let mut q = patients::table
                .inner_join(sites::table.on(sites::id.eq(patients::site_id)))
                .select((
                    patients::id,
                    patients::registry_id,
                    sites::code,
                    patients::sex,
                    patients::birth_year,
                    patients::birth_date,
                    patients::enrolment_date,
                    patients::consent_research,
                    patients::ltfu_status,
                    patients::ltfu_status_date,
                ))
                .order(patients::id)
                .into_boxed();
            if let SiteFilter::Only(ids) = scope {
                q = q.filter(patients::site_id.eq_any(ids.clone()));
            }
            for (pid, rid, site, sex, year, birth, enrolled, consent, status, status_date) in
                q.load::<PatientLine>(conn)?
            {
                let mut row = Row::new(profile, pid, &rid, day0.get(&pid).copied());
                row.plain(site);
                row.coded::<Sex>(Some(&sex));
                row.plain(year);
                if !profile.deidentified {
                    row.plain(birth.map(|d| d.to_string()).unwrap_or_default());
                }
                row.date(Some(enrolled));
                row.coded::<ConsentStatus>(Some(&consent));
                row.coded::<LtfuStatus>(Some(&status));
                row.date(status_date);
                rows.push(row.cells);
            }
        }
        "follow_ups" => {
            cols.plain("follow_up_id");
            cols.plain("course_id");
            cols.coded("timepoint");
            cols.date("contact_date");
            cols.coded("contact_type");
            cols.coded("survival_status");
            cols.plain("ecog");
            cols.plain("relapse_since_last");
            cols.date("relapse_date");
            cols.coded("form_status");
            cols.plain("infections_none_to_report");
            cols.plain("toxicities_none_to_report");
            let mut q = follow_ups::table
                .inner_join(patients::table.on(patients::id.eq(follow_ups::patient_id)))
                .select((
                    (
                        follow_ups::patient_id,
                        patients::registry_id,
                        follow_ups::id,
                        follow_ups::course_id,
                        follow_ups::timepoint,
                        follow_ups::contact_date,
                        follow_ups::contact_type,
                        follow_ups::survival_status,
                    ),
                    (
                        follow_ups::ecog_performance_status,
                        follow_ups::relapse_since_last,
                        follow_ups::relapse_date,
                        follow_ups::form_status,
                        follow_ups::infections_none_to_report,
                        follow_ups::toxicities_none_to_report,
                    ),
                ))
                .order(follow_ups::id)
                .into_boxed();
            if let SiteFilter::Only(ids) = scope {
                q = q.filter(patients::site_id.eq_any(ids.clone()));
            }
            type A = (
                i32,
                String,
                i32,
                i32,
                String,
                Option<NaiveDate>,
                Option<String>,
                Option<String>,
            );
            type B = (
                Option<i32>,
                Option<String>,
                Option<NaiveDate>,
                String,
                Option<bool>,
                Option<bool>,
            );
            let flag = |b: Option<bool>| b.map_or(String::new(), |v| u8::from(v).to_string());
            for (
                (pid, rid, id, course, tp, contact, ctype, survival),
                (ecog, relapse, rdate, status, inf, tox),
            ) in q.load::<(A, B)>(conn)?
            {
                let mut row = Row::new(profile, pid, &rid, day0.get(&pid).copied());
                row.plain(id);
                row.plain(course);
                row.coded::<Timepoint>(Some(&tp));
                row.date(contact);
                row.coded::<ContactType>(ctype.as_deref());
                row.coded::<SurvivalStatus>(survival.as_deref());
                row.plain(ecog.map(|e| e.to_string()).unwrap_or_default());
                row.plain(relapse.unwrap_or_default());
                row.date(rdate);
                row.coded::<FormStatus>(Some(&status));
                row.plain(flag(inf));
                row.plain(flag(tox));
                rows.push(row.cells);
            }
        }
        "infections" => {
            cols.plain("infection_id");
            cols.plain("reported_in_follow_up_id");
            cols.date("diagnosis_date");
            cols.coded("organism_class");
            cols.plain("organism");
            cols.coded("severity");
            let mut q = infections::table
                .inner_join(patients::table.on(patients::id.eq(infections::patient_id)))
                .select((
                    infections::patient_id,
                    patients::registry_id,
                    infections::id,
                    infections::reported_in_follow_up_id,
                    infections::diagnosis_date,
                    infections::organism_class,
                    infections::organism,
                    infections::severity,
                ))
                .order(infections::id)
                .into_boxed();
            if let SiteFilter::Only(ids) = scope {
                q = q.filter(patients::site_id.eq_any(ids.clone()));
            }
            type I = (
                i32,
                String,
                i32,
                Option<i32>,
                NaiveDate,
                String,
                Option<String>,
                Option<String>,
            );
            for (pid, rid, id, fu, date, class, organism, severity) in q.load::<I>(conn)? {
                let mut row = Row::new(profile, pid, &rid, day0.get(&pid).copied());
                row.plain(id);
                row.plain(fu.map(|f| f.to_string()).unwrap_or_default());
                row.date(Some(date));
                row.coded::<OrganismClass>(Some(&class));
                row.plain(organism.unwrap_or_default());
                row.coded::<InfectionSeverity>(severity.as_deref());
                rows.push(row.cells);
            }
        }
        _ => return Ok(None),
    }
    Ok(Some(Table {
        header: cols.header,
        rows,
    }))
}

/// Writes a table as RFC 4180 CSV (CRLF line ends, quotes where needed).
pub fn to_csv(table: &Table) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(&table.header)?;
    for row in &table.rows {
        writer.write_record(row)?;
    }
    writer.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}
