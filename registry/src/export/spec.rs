//! One export spec per entity table: its columns, in table order, each with what it holds
//! ([`Kind`]), whether it identifies a person, and a one-line description for the data
//! dictionary. The bookkeeping columns every entity table has (`created_at/by`,
//! `updated_at/by`, `row_version`) are appended by [`EntitySpec::columns`].
//!
//! Which vocabulary a coded column holds mirrors `coded_columns()` in
//! `registry/tests/registry/schema.rs` (the test that compares the schema's CHECK lists with the
//! domain enums); `tests/registry/export.rs` checks every coded column here against it.

use super::Entity;

/// What a source column holds, which decides how it is rendered and whether the de-identified
/// profile keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// This row's id (kept: meaningless outside the database, needed for joins).
    RowId,
    /// The patient's row id: replaced by a pseudonym in the de-identified profile.
    Patient,
    /// The id of another entity's row (kept, like [`Kind::RowId`]).
    Ref,
    Integer,
    Number,
    /// 0/1, empty when not answered.
    Boolean,
    /// A code of the domain vocabulary with this Rust type name; `missing`: the column may also
    /// hold a missing-data code (`UNK`, `NA`, ...).
    Code {
        vocabulary: &'static str,
        missing: bool,
    },
    /// `response_assessments.response`: a code of the vocabulary its `criteria` names.
    Response,
    /// A clinical date (ISO text) with its `<name>_estimated` flag.
    Date,
    /// Short text that is not about the person (a site code, a product or stage name).
    Text,
    /// Free text typed by a person: dropped in the de-identified profile (it may hold anything,
    /// names included; REDCap's "remove unvalidated text fields").
    FreeText,
    /// Bookkeeping: a UTC timestamp (dropped in the de-identified profile).
    Timestamp,
    /// Bookkeeping: a user id (dropped in the de-identified profile: staff identity).
    User,
    /// Bookkeeping: the edit counter (dropped in the de-identified profile).
    Version,
}

/// One source column.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column {
    /// The column name in the table, and the output column name.
    pub name: &'static str,
    pub kind: Kind,
    /// Identifies a person (a registry or external id, a birth date, a name): dropped in the
    /// de-identified profile whatever its kind.
    pub identifying: bool,
    /// An SQL expression over the row alias `t` when the value is derived, not stored.
    pub expr: Option<&'static str>,
    pub description: &'static str,
}

const fn col(name: &'static str, kind: Kind, description: &'static str) -> Column {
    Column {
        name,
        kind,
        identifying: false,
        expr: None,
        description,
    }
}

const fn ident(name: &'static str, kind: Kind, description: &'static str) -> Column {
    Column {
        name,
        kind,
        identifying: true,
        expr: None,
        description,
    }
}

const fn derived(
    name: &'static str,
    kind: Kind,
    expr: &'static str,
    description: &'static str,
) -> Column {
    Column {
        name,
        kind,
        identifying: false,
        expr: Some(expr),
        description,
    }
}

const fn code(vocabulary: &'static str) -> Kind {
    Kind::Code {
        vocabulary,
        missing: false,
    }
}

const fn answer(vocabulary: &'static str) -> Kind {
    Kind::Code {
        vocabulary,
        missing: true,
    }
}

use Kind::{Boolean, Date, FreeText, Integer, Number, Patient, Ref, RowId, Text};

/// One entity table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EntitySpec {
    pub table: &'static str,
    /// SQL expression over the row alias `t` giving the patient's id.
    pub patient: &'static str,
    pub own: &'static [Column],
}

const BOOKKEEPING: &[Column] = &[
    col(
        "created_at",
        Kind::Timestamp,
        "When the row was created (UTC)",
    ),
    col("created_by", Kind::User, "User id of who created the row"),
    col(
        "updated_at",
        Kind::Timestamp,
        "When the row was last changed (UTC)",
    ),
    col("updated_by", Kind::User, "User id of who last changed it"),
    col(
        "row_version",
        Kind::Version,
        "Edit counter (1 = never edited)",
    ),
];

impl EntitySpec {
    /// Every source column: the table's own, then the bookkeeping ones.
    pub fn columns(&self) -> impl Iterator<Item = &'static Column> {
        self.own.iter().chain(BOOKKEEPING.iter())
    }
}

const PATIENT_ID: Column = col("patient_id", Patient, "The patient");
const FOLLOW_UP: Column = col(
    "reported_in_follow_up_id",
    Ref,
    "The follow-up that first reported it (empty: recorded outside a follow-up)",
);
const COURSE: Column = col("course_id", Ref, "The CAR-T treatment course");

/// The spec of `entity`.
pub(crate) fn spec(entity: Entity) -> EntitySpec {
    match entity {
        Entity::Patients => EntitySpec {
            table: "patients",
            patient: "t.id",
            own: PATIENTS,
        },
        Entity::Diagnoses => simple("diagnoses", DIAGNOSES),
        Entity::TreatmentCourses => simple("treatment_courses", TREATMENT_COURSES),
        Entity::Infusions => simple("infusions", INFUSIONS),
        Entity::FollowUps => simple("follow_ups", FOLLOW_UPS),
        Entity::RelapseDetectionMethods => EntitySpec {
            table: "relapse_detection_methods",
            patient: RELAPSE_METHOD_PATIENT,
            own: RELAPSE_DETECTION_METHODS,
        },
        Entity::ResponseAssessments => simple("response_assessments", RESPONSE_ASSESSMENTS),
        Entity::ToxicityEvents => simple("toxicity_events", TOXICITY_EVENTS),
        Entity::ToxicityTreatments => EntitySpec {
            table: "toxicity_treatments",
            patient: TOXICITY_TREATMENT_PATIENT,
            own: TOXICITY_TREATMENTS,
        },
        Entity::PersistenceTests => simple("persistence_tests", PERSISTENCE_TESTS),
        Entity::LabResults => simple("lab_results", LAB_RESULTS),
        Entity::ImmunoglobulinCourses => simple("immunoglobulin_courses", IMMUNOGLOBULIN_COURSES),
        Entity::Infections => simple("infections", INFECTIONS),
        Entity::InfectionSites => EntitySpec {
            table: "infection_sites",
            patient: INFECTION_SITE_PATIENT,
            own: INFECTION_SITES,
        },
        Entity::NewMalignancies => simple("new_malignancies", NEW_MALIGNANCIES),
        Entity::SubsequentTherapies => simple("subsequent_therapies", SUBSEQUENT_THERAPIES),
        Entity::Deaths => simple("deaths", DEATHS),
        Entity::DeathContributingCauses => EntitySpec {
            table: "death_contributing_causes",
            patient: CONTRIBUTING_CAUSE_PATIENT,
            own: DEATH_CONTRIBUTING_CAUSES,
        },
    }
}

const fn simple(table: &'static str, own: &'static [Column]) -> EntitySpec {
    EntitySpec {
        table,
        patient: "t.patient_id",
        own,
    }
}

const PATIENTS: &[Column] = &[
    col("id", Patient, "The patient"),
    ident(
        "registry_id",
        Text,
        "Registry id SITE-NNNNNN (pseudonymous, but printed on the site's records)",
    ),
    col("site_id", Ref, "The centre"),
    derived(
        "site_code",
        Text,
        "(SELECT s.code FROM sites s WHERE s.id = t.site_id)",
        "The centre's short code",
    ),
    ident("cibmtr_crid", Text, "CIBMTR research id (CRID)"),
    ident("ebmt_id", Text, "EBMT registry id"),
    ident("trial_subject_id", Text, "Clinical trial subject id"),
    col("sex", code("Sex"), "Sex"),
    ident("birth_date", Date, "Date of birth"),
    col("birth_year", Integer, "Year of birth"),
    col("enrolment_date", Date, "Enrolment in the registry"),
    col(
        "consent_research",
        code("ConsentStatus"),
        "Consent to research use",
    ),
    col(
        "consent_research_date",
        Date,
        "Date of the research consent",
    ),
    col(
        "consent_data_sharing",
        code("ConsentStatus"),
        "Consent to data sharing (EBMT PASS)",
    ),
    col(
        "consent_data_sharing_date",
        Date,
        "Date of the data-sharing consent",
    ),
    col(
        "ltfu_status",
        code("LtfuStatus"),
        "Long-term follow-up status",
    ),
    col("ltfu_status_date", Date, "Since when the status holds"),
    col(
        "ltfu_contact_attempts",
        Integer,
        "Contact attempts before lost to follow-up",
    ),
    col(
        "transfer_centre",
        FreeText,
        "Centre the patient was transferred to",
    ),
    ident("referring_physician", FreeText, "Referring physician"),
];

const DIAGNOSES: &[Column] = &[
    col("id", RowId, "Diagnosis row id"),
    PATIENT_ID,
    col(
        "disease",
        code("Disease"),
        "Indication for CAR-T (subtype level)",
    ),
    col("disease_other", FreeText, "Disease when 'other'"),
    col(
        "diagnosis_date",
        Date,
        "Pathological diagnosis (sample date)",
    ),
    col("stage", Text, "Stage (Ann Arbor / Lugano)"),
    col("ipi_score", Integer, "International Prognostic Index (0-5)"),
    col(
        "riss_stage",
        answer("RissStage"),
        "Revised ISS stage (myeloma)",
    ),
    col(
        "high_risk_cytogenetics",
        answer("YesNo"),
        "High-risk cytogenetics",
    ),
    col(
        "extramedullary_disease",
        answer("YesNo"),
        "Extramedullary disease",
    ),
    col("cns_involvement", answer("YesNo"), "CNS involvement"),
    col(
        "prior_lines_count",
        Integer,
        "Prior lines of therapy before CAR-T",
    ),
    col(
        "refractory_status",
        answer("RefractoryStatus"),
        "Refractory / relapse status",
    ),
    col(
        "prior_hct",
        answer("PriorTransplant"),
        "Prior haematopoietic cell transplant",
    ),
    col("prior_hct_date", Date, "Date of the prior transplant"),
    col("prior_car_t", answer("YesNo"), "Prior CAR-T therapy"),
    col(
        "prior_same_target_therapy",
        answer("YesNo"),
        "Prior therapy against the same target antigen",
    ),
];

const TREATMENT_COURSES: &[Column] = &[
    col("id", RowId, "Treatment course row id"),
    PATIENT_ID,
    col("diagnosis_id", Ref, "The diagnosis treated"),
    col(
        "course_number",
        Integer,
        "Course number of the patient (1, 2, ...)",
    ),
    col("product", code("Product"), "CAR-T product"),
    col(
        "investigational_product_name",
        Text,
        "Investigational product name",
    ),
    col(
        "investigational_target",
        code("TargetAntigen"),
        "Target antigen of an investigational product",
    ),
    col(
        "investigational_target_other",
        Text,
        "Target antigen of an investigational product when 'other' (e.g. CD22)",
    ),
    col(
        "product_class",
        code("ProductClass"),
        "Commercial / investigational / out of specification",
    ),
    col("trial_id", Text, "Clinical trial id (e.g. NCT number)"),
    ident(
        "batch_number",
        Text,
        "Product batch / lot (chain of identity)",
    ),
    col("apheresis_date", Date, "Apheresis"),
    col(
        "bridging_therapy",
        answer("BridgingTherapy"),
        "Bridging therapy type",
    ),
    col("bridging_regimen", FreeText, "Bridging regimen"),
    col("bridging_start_date", Date, "Bridging start"),
    col("bridging_end_date", Date, "Bridging end"),
    col(
        "not_infused_reason",
        answer("NotInfusedReason"),
        "Why the product was not infused",
    ),
];

const INFUSIONS: &[Column] = &[
    col("id", RowId, "Infusion row id"),
    COURSE,
    PATIENT_ID,
    col(
        "infusion_number",
        Integer,
        "Infusion number in the course (re-infusions > 1)",
    ),
    col(
        "intent",
        code("InfusionIntent"),
        "Why it was given: initial, or the reason for a re-infusion (empty: not recorded)",
    ),
    col(
        "lymphodepletion_regimen",
        answer("LymphodepletionRegimen"),
        "Lymphodepletion regimen",
    ),
    col("lymphodepletion_start_date", Date, "Lymphodepletion start"),
    col("lymphodepletion_end_date", Date, "Lymphodepletion end"),
    col(
        "infusion_date",
        Date,
        "Infusion (Day 0 when it is the patient's first)",
    ),
    col("dose", Number, "Dose infused"),
    col("dose_unit", code("DoseUnit"), "Unit of the dose"),
    col(
        "entire_volume_infused",
        answer("YesNo"),
        "Entire product volume infused",
    ),
    col("route", code("InfusionRoute"), "Route"),
    col(
        "care_setting",
        code("InfusionSetting"),
        "Inpatient / outpatient",
    ),
    col("admission_date", Date, "Admission for the infusion"),
    col("discharge_date", Date, "Discharge after the infusion"),
    col(
        "ecog_pre_infusion",
        Integer,
        "ECOG performance status before infusion",
    ),
];

const FOLLOW_UPS: &[Column] = &[
    col("id", RowId, "Follow-up row id"),
    PATIENT_ID,
    COURSE,
    col("timepoint", code("Timepoint"), "Reporting timepoint"),
    col("contact_date", Date, "Date of last contact in the period"),
    col(
        "contact_type",
        code("ContactType"),
        "How the contact was made",
    ),
    col(
        "survival_status",
        code("SurvivalStatus"),
        "Survival status at contact",
    ),
    col(
        "ecog_performance_status",
        Integer,
        "ECOG performance status",
    ),
    col(
        "relapse_since_last",
        answer("YesNo"),
        "Relapse or progression since the last report",
    ),
    col("relapse_date", Date, "First date of relapse / progression"),
    col(
        "relapse_method",
        answer("RelapseMethod"),
        "How relapse was first detected (one of relapse_detection_methods)",
    ),
    col(
        "relapse_antigen_status",
        answer("RelapseAntigenStatus"),
        "Target antigen at relapse",
    ),
    col("form_status", code("FormStatus"), "Form status"),
    col(
        "responses_none_to_report",
        Boolean,
        "1: explicitly no response assessment to report",
    ),
    col(
        "toxicities_none_to_report",
        Boolean,
        "1: explicitly no toxicity to report",
    ),
    col(
        "infections_none_to_report",
        Boolean,
        "1: explicitly no infection to report",
    ),
    col(
        "new_malignancies_none_to_report",
        Boolean,
        "1: explicitly no new malignancy to report",
    ),
    col(
        "subsequent_therapies_none_to_report",
        Boolean,
        "1: explicitly no subsequent therapy to report",
    ),
    col(
        "persistence_tests_none_to_report",
        Boolean,
        "1: explicitly no persistence test to report",
    ),
    col(
        "lab_results_none_to_report",
        Boolean,
        "1: explicitly no lab result to report",
    ),
    col(
        "immunoglobulin_none_to_report",
        Boolean,
        "1: explicitly no immunoglobulin replacement to report",
    ),
    col("locked_by", Kind::User, "User id of who locked the form"),
    col(
        "locked_at",
        Kind::Timestamp,
        "When the form was locked (UTC)",
    ),
];

const RESPONSE_ASSESSMENTS: &[Column] = &[
    col("id", RowId, "Response assessment row id"),
    PATIENT_ID,
    COURSE,
    FOLLOW_UP,
    col("assessment_date", Date, "Assessment date"),
    col("method", code("AssessmentMethod"), "Assessment method"),
    col("criteria", code("ResponseCriteria"), "Response criteria"),
    col(
        "response",
        Kind::Response,
        "Response, a code of the criteria's own list",
    ),
    col("deauville_score", Integer, "Deauville score (1-5)"),
    col("mrd_status", answer("MrdStatus"), "MRD status"),
    col("mrd_method", code("MrdMethod"), "MRD method"),
    col(
        "mrd_sensitivity",
        code("MrdSensitivity"),
        "MRD assay sensitivity",
    ),
    col("assessor", code("Assessor"), "Who assessed"),
];

const TOXICITY_EVENTS: &[Column] = &[
    col("id", RowId, "Toxicity event row id"),
    PATIENT_ID,
    COURSE,
    FOLLOW_UP,
    col(
        "toxicity_type",
        code("ToxicityType"),
        "Toxicity (CRS, ICANS, ...)",
    ),
    col(
        "toxicity_term",
        FreeText,
        "CTCAE term or description of other toxicities",
    ),
    col("grading_system", code("GradingSystem"), "Grading system"),
    col("max_grade", answer("CtcaeGrade"), "Maximum grade"),
    col("max_grade_date", Date, "Date the maximum grade was reached"),
    col("onset_date", Date, "Onset"),
    col("resolution_date", Date, "Resolution"),
    col("ongoing", Boolean, "Ongoing at the last report"),
    col("icu_admission", answer("YesNo"), "ICU admission"),
    col(
        "crs_max_temperature_c",
        Number,
        "CRS: maximum temperature (Celsius)",
    ),
    col("crs_hypotension", answer("Hypotension"), "CRS: hypotension"),
    col("crs_hypoxia", answer("Hypoxia"), "CRS: hypoxia"),
    col(
        "icans_lowest_ice_score",
        Integer,
        "ICANS: lowest ICE score (0-10)",
    ),
    col(
        "icans_highest_capd_score",
        Integer,
        "ICANS: highest CAPD score (children)",
    ),
    col(
        "icans_consciousness",
        answer("Consciousness"),
        "ICANS: depressed level of consciousness",
    ),
    col("icans_seizure", answer("Seizure"), "ICANS: seizure"),
    col(
        "icans_motor_weakness",
        answer("MotorFinding"),
        "ICANS: motor findings",
    ),
    col(
        "icans_cerebral_oedema",
        answer("CerebralOedema"),
        "ICANS: raised ICP / cerebral oedema",
    ),
    col(
        "icaht_days_anc_le_500",
        Integer,
        "Early ICAHT: days with ANC <= 500/uL (EHA/EBMT 2023)",
    ),
    col(
        "icaht_days_anc_le_100",
        Integer,
        "Early ICAHT: days with ANC <= 100/uL (EHA/EBMT 2023)",
    ),
    col(
        "icaht_anc_nadir_per_ul",
        Integer,
        "Late ICAHT: ANC nadir, cells/uL (EHA/EBMT 2023)",
    ),
];

const TOXICITY_TREATMENT_PATIENT: &str =
    "(SELECT e.patient_id FROM toxicity_events e WHERE e.id = t.toxicity_event_id)";

const TOXICITY_TREATMENTS: &[Column] = &[
    col("id", RowId, "Toxicity treatment row id"),
    col("toxicity_event_id", Ref, "The toxicity event treated"),
    derived(
        "patient_id",
        Patient,
        TOXICITY_TREATMENT_PATIENT,
        "The patient (from the toxicity event)",
    ),
    col("agent", code("ToxicityTreatment"), "Treatment given"),
    col("agent_detail", FreeText, "Agent detail"),
    col("doses_count", Integer, "Number of doses"),
    col("start_date", Date, "Start of the treatment"),
];

const PERSISTENCE_TESTS: &[Column] = &[
    col("id", RowId, "Persistence test row id"),
    PATIENT_ID,
    COURSE,
    FOLLOW_UP,
    col("sample_date", Date, "Sample date"),
    col("specimen", code("Specimen"), "Specimen"),
    col("method", code("PersistenceMethod"), "Method"),
    col("detected", answer("YesNo"), "CAR-T cells detected"),
    col("value", Number, "Measured value (none below the LLOQ)"),
    col(
        "unit",
        code("PersistenceUnit"),
        "Unit of the value and the LLOQ",
    ),
    col(
        "below_lloq",
        Boolean,
        "Detected, below the lower limit of quantification (censored at the LLOQ)",
    ),
    col("lloq", Number, "Lower limit of quantification"),
    col("laboratory", FreeText, "Laboratory"),
];

const LAB_RESULTS: &[Column] = &[
    col("id", RowId, "Lab result row id"),
    PATIENT_ID,
    FOLLOW_UP,
    col("sample_date", Date, "Sample date"),
    col("analyte", code("LabAnalyte"), "Analyte"),
    col("value", Number, "Value as entered"),
    col("unit", code("LabUnit"), "Unit as entered"),
    col(
        "value_missing",
        code("MissingCode"),
        "Why the value is missing",
    ),
    col(
        "normalised_value",
        Number,
        "Value in the analyte's normal unit",
    ),
    col("normalised_unit", code("LabUnit"), "The normal unit"),
    col(
        "ivig_within_30_days",
        answer("YesNo"),
        "IVIG within 30 days before (IgG not native)",
    ),
    col(
        "rbc_transfusion_within_30_days",
        answer("YesNo"),
        "RBC transfusion within 30 days before",
    ),
    col(
        "platelet_transfusion_within_7_days",
        answer("YesNo"),
        "Platelet transfusion within 7 days before",
    ),
];

const IMMUNOGLOBULIN_COURSES: &[Column] = &[
    col("id", RowId, "Immunoglobulin course row id"),
    PATIENT_ID,
    FOLLOW_UP,
    col("start_date", Date, "Start"),
    col("stop_date", Date, "Stop"),
    col("ongoing", Boolean, "Ongoing at the last report"),
    col("route", code("IgProduct"), "IVIG or SCIG"),
    col("product_name", Text, "Product (brand)"),
    col("dose_g", Number, "Dose (g)"),
    col("dose_mg_per_kg", Number, "Dose (mg/kg)"),
    col("interval_days", Integer, "Interval between doses (days)"),
    col("indication", answer("IgIndication"), "Indication"),
];

const INFECTIONS: &[Column] = &[
    col("id", RowId, "Infection row id"),
    PATIENT_ID,
    FOLLOW_UP,
    col("diagnosis_date", Date, "Diagnosis of the infection"),
    col("organism_class", answer("OrganismClass"), "Organism class"),
    col("organism", answer("Organism"), "Organism"),
    col("organism_other", FreeText, "Organism when 'other'"),
    col(
        "severity",
        answer("InfectionSeverity"),
        "Severity (CTCAE v5 grade)",
    ),
    col("hospitalised", answer("YesNo"), "Hospitalised"),
    col("icu_admission", answer("YesNo"), "ICU admission"),
    col("outcome", answer("InfectionOutcome"), "Outcome"),
    col("resolution_date", Date, "Resolution"),
    col(
        "recurrence_of_infection_id",
        Ref,
        "The earlier infection this one is a recurrence of",
    ),
];

const RELAPSE_METHOD_PATIENT: &str =
    "(SELECT f.patient_id FROM follow_ups f WHERE f.id = t.follow_up_id)";

const RELAPSE_DETECTION_METHODS: &[Column] = &[
    col("id", RowId, "Relapse detection method row id"),
    col(
        "follow_up_id",
        Ref,
        "The follow-up that reported the relapse",
    ),
    derived(
        "patient_id",
        Patient,
        RELAPSE_METHOD_PATIENT,
        "The patient (from the follow-up)",
    ),
    col(
        "method",
        code("RelapseMethod"),
        "A method that detected the relapse",
    ),
];

const INFECTION_SITE_PATIENT: &str =
    "(SELECT i.patient_id FROM infections i WHERE i.id = t.infection_id)";

const INFECTION_SITES: &[Column] = &[
    col("id", RowId, "Infection site row id"),
    col("infection_id", Ref, "The infection"),
    derived(
        "patient_id",
        Patient,
        INFECTION_SITE_PATIENT,
        "The patient (from the infection)",
    ),
    col("site", code("InfectionSite"), "Body site"),
    col("site_other", FreeText, "Body site when 'other'"),
];

const NEW_MALIGNANCIES: &[Column] = &[
    col("id", RowId, "New malignancy row id"),
    PATIENT_ID,
    FOLLOW_UP,
    col("diagnosis_date", Date, "Pathological diagnosis"),
    col(
        "malignancy_type",
        code("NewMalignancyType"),
        "Type of malignancy",
    ),
    col("malignancy_detail", FreeText, "Detail (histology, site)"),
    col("t_cell_malignancy", Boolean, "T-cell malignancy"),
    col("ebv_positive", answer("YesNo"), "EBV positive"),
    col(
        "car_transgene_tested",
        answer("YesNo"),
        "Tested for the CAR transgene",
    ),
    col(
        "car_transgene_result",
        code("TransgeneResult"),
        "CAR transgene result",
    ),
    col(
        "product_derived",
        answer("YesNo"),
        "Derived from the CAR-T product",
    ),
    col(
        "pathology_report_attached",
        Boolean,
        "Pathology report attached",
    ),
    col(
        "reported_to_manufacturer_date",
        Date,
        "Reported to the manufacturer",
    ),
    col(
        "reported_to_fda_date",
        Date,
        "Reported to the FDA (MedWatch)",
    ),
];

const SUBSEQUENT_THERAPIES: &[Column] = &[
    col("id", RowId, "Subsequent therapy row id"),
    PATIENT_ID,
    COURSE,
    FOLLOW_UP,
    col(
        "category",
        code("SubsequentTherapyCategory"),
        "Therapy category",
    ),
    col("intent", answer("TherapyIntent"), "Intent"),
    col("regimen", FreeText, "Regimen"),
    col("start_date", Date, "Start"),
    col("end_date", Date, "End"),
    col(
        "best_response",
        answer("GenericResponse"),
        "Best response to it",
    ),
];

const DEATHS: &[Column] = &[
    col("id", RowId, "Death row id"),
    PATIENT_ID,
    FOLLOW_UP,
    col("death_date", Date, "Date of death"),
    col(
        "primary_cause",
        answer("CauseOfDeath"),
        "Primary cause of death",
    ),
    col(
        "primary_cause_other",
        FreeText,
        "Primary cause when 'other'",
    ),
    col("autopsy", answer("Autopsy"), "Autopsy"),
    col(
        "autopsy_report_attached",
        Boolean,
        "Autopsy report attached",
    ),
];

const CONTRIBUTING_CAUSE_PATIENT: &str =
    "(SELECT d.patient_id FROM deaths d WHERE d.id = t.death_id)";

const DEATH_CONTRIBUTING_CAUSES: &[Column] = &[
    col("id", RowId, "Contributing cause row id"),
    col("death_id", Ref, "The death"),
    derived(
        "patient_id",
        Patient,
        CONTRIBUTING_CAUSE_PATIENT,
        "The patient (from the death)",
    ),
    col("cause", code("CauseOfDeath"), "Contributing cause"),
    col("cause_other", FreeText, "Cause when 'other'"),
];
