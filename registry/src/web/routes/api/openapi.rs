//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 description of the API.

use actix_web::HttpResponse;
use serde_json::json;

use crate::web::form::YES_NO_UNKNOWN;

use crate::domain::{
    death::{Autopsy, CauseOfDeath},
    malignancy::{NewMalignancyType, TransgeneResult},
    response::{AssessmentMethod, Assessor, GenericResponse, MrdMethod, MrdSensitivity, MrdStatus},
    therapy::TherapyIntent,
    vocabulary::Vocabulary,
};

/// Every code of a vocabulary, for an `enum`.
fn codes<T: Vocabulary>() -> Vec<&'static str> {
    T::ALL.iter().map(|v| v.code()).collect()
}

/// The document.
pub async fn get() -> HttpResponse {
    let error = json!({ "type": "object", "properties": { "error": { "type": "string" } } });
    let causes = codes::<CauseOfDeath>();
    let autopsy = codes::<Autopsy>();
    let intents = codes::<TherapyIntent>();
    let therapy_responses = codes::<GenericResponse>();
    let malignancy_types = codes::<NewMalignancyType>();
    let transgene_results = codes::<TransgeneResult>();
    let response_methods = codes::<AssessmentMethod>();
    let mrd_statuses = codes::<MrdStatus>();
    let mrd_methods = codes::<MrdMethod>();
    let mrd_sensitivities = codes::<MrdSensitivity>();
    let assessors = codes::<Assessor>();
    let yes_no_unknown: Vec<&str> = YES_NO_UNKNOWN.iter().map(|(code, _)| *code).collect();
    // The inputs of a new malignancy.
    let malignancy_inputs = json!({
        "malignancy_type": { "type": "string", "enum": malignancy_types, "description": "a new malignancy (not the treated disease): its type" },
        "malignancy_date": { "type": "string", "format": "date", "description": "with a new malignancy: the pathological diagnosis, from Day 0" },
        "malignancy_detail": { "type": "string", "maxLength": 200, "description": "with a new malignancy: the organ of a solid tumour, or what an OTHER one is (required for those)" },
        "transgene_result": { "type": "string", "enum": transgene_results, "description": "with a new malignancy: the CAR-transgene test of the tumour (required for a T-cell malignancy; PENDING if sent)" },
        "malignancy_product_derived": { "type": "string", "enum": yes_no_unknown, "description": "with a new malignancy: derived from the CAR-T product (Y only with transgene_result DETECTED)" },
        "malignancy_ebv_positive": { "type": "string", "enum": yes_no_unknown, "description": "with a new malignancy: EBV positive" },
        "malignancy_pathology_report_attached": { "type": ["boolean", "string"], "description": "with a new malignancy: true (or \"1\") when the pathology report is attached" },
        "malignancy_reported_to_manufacturer_date": { "type": "string", "format": "date", "description": "with a new malignancy: reported to the manufacturer; not before the diagnosis, not in the future, may follow the contact date" },
        "malignancy_reported_to_fda_date": { "type": "string", "format": "date", "description": "with a new malignancy: reported to the FDA (MedWatch); not before the diagnosis, not in the future, may follow the contact date" }
    });
    // The inputs of the response assessment, the death and the subsequent therapy (a json! of
    // its own: the document is past the macro's nesting limit).
    let more_inputs = json!({
        "response_date": { "type": "string", "format": "date", "description": "a new response assessment: its date, from Day 0 to the contact date" },
        "response": { "type": "string", "description": "with a new assessment: the response by the disease's own criteria (Lugano 2014 CR, PR, SD, PD, NE, ND; IMWG 2016 SCR, CR, VGPR, PR, MR, SD, PD, NE; B-ALL CR, CRI, MLFS, PR, NR, RELAPSE, NE; iwCLL 2018 CR, CRI, PR, PRL, SD, PD, NE; otherwise CCR, CR, PR, NR, PD, NE)" },
        "response_method": { "type": "string", "enum": response_methods, "description": "with a new assessment: how it was assessed (PET_CT with a Deauville score)" },
        "response_deauville_score": { "type": ["integer", "string"], "minimum": 1, "maximum": 5, "description": "with a new assessment under Lugano 2014 only: the Deauville score of the PET; CR is 1-3, PR and SD are 4-5" },
        "response_mrd": { "type": "string", "enum": mrd_statuses, "description": "with a new assessment: the MRD status" },
        "response_mrd_method": { "type": "string", "enum": mrd_methods, "description": "with response_mrd only: how MRD was measured" },
        "response_mrd_sensitivity": { "type": "string", "enum": mrd_sensitivities, "description": "with response_mrd only: the assay's sensitivity (E4 = 10^-4, E5, E6); myeloma (IMWG) MRD negative needs E5 or E6" },
        "response_assessor": { "type": "string", "enum": assessors, "description": "with a new assessment: who assessed it" },
        "therapy_intent": { "type": "string", "enum": intents, "description": "with a new therapy: why it was given (required to complete the form); consolidation/maintenance and re-infusion keep the CAR-T's best-response window open" },
        "therapy_regimen": { "type": "string", "description": "with a new therapy: its regimen (required with therapy_category OTHER)" },
        "therapy_end_date": { "type": "string", "format": "date", "description": "with a new therapy: its end, not before its start" },
        "therapy_best_response": { "type": "string", "enum": therapy_responses, "description": "with a new therapy: the best response to it" },
        "death_date": { "type": "string", "format": "date", "description": "with survival_status DEAD, once: also the contact date" },
        "death_cause": { "type": "string", "enum": causes, "description": "the primary cause of death" },
        "death_cause_other": { "type": "string", "description": "with death_cause OTHER: what it was" },
        "death_contributing_causes": { "type": "array", "items": { "type": "string", "enum": causes }, "description": "every cause that contributed besides the primary one" },
        "death_contributing_cause_other": { "type": "string", "description": "with OTHER among the contributing causes: what it was" },
        "death_autopsy": { "type": "string", "enum": autopsy, "description": "required to complete a form that reports the death" },
        "death_autopsy_report_attached": { "type": ["boolean", "string"], "description": "true (or \"1\") with death_autopsy Y only" }
    });
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "CAR-T long-term follow-up registry API",
            "version": "1",
            "description": "Per-user bearer tokens (registry user token). The same roles, site scoping, validation and audit as the web forms: another site's patient is a 404."
        },
        "servers": [{ "url": "/api/v1" }],
        "security": [{ "bearer": [] }],
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": {
                "Error": error,
                "ValidationErrors": {
                    "type": "object",
                    "properties": { "errors": { "type": "object", "additionalProperties": { "type": "string" } } }
                },
                "FollowUp": {
                    "type": "object",
                    "description": "A follow-up reporting period as stored (codes, ISO dates); its row_version is also the ETag.",
                    "properties": {
                        "id": { "type": "integer" },
                        "patient_id": { "type": "integer" },
                        "course_id": { "type": "integer" },
                        "timepoint": { "type": "string" },
                        "contact_date": { "type": ["string", "null"], "format": "date" },
                        "contact_type": { "type": ["string", "null"] },
                        "survival_status": { "type": ["string", "null"] },
                        "relapse_since_last": { "type": ["string", "null"], "enum": ["Y", "N", "PREV", "UNK", null] },
                        "relapse_date": { "type": ["string", "null"], "format": "date" },
                        "relapse_method": { "type": ["string", "null"], "description": "how the relapse was first detected (one of relapse_methods)" },
                        "relapse_methods": { "type": "array", "items": { "type": "string", "enum": ["MOLECULAR", "FLOW", "CYTO_FISH", "RADIOLOGICAL", "CLINICAL"] }, "description": "every method that detected the relapse" },
                        "relapse_antigen_status": { "type": ["string", "null"] },
                        "form_status": { "type": "string" },
                        "locked_at": { "type": ["string", "null"] },
                        "row_version": { "type": "integer" }
                    }
                },
                "FollowUpInput": {
                    "type": "object",
                    "description": "The follow-up form's fields by their form names; a field not sent is blank. Event fields (infection_*, toxicity_* including toxicity_max_grade_date[_estimated] and the treatments toxicity_treatment_<AGENT>[_doses|_detail|_start_date[_estimated]], ig_*, persistence_*, therapy_*, malignancy_*, response_*; the form's names) add one event of this period when given; the lab panel (lab_date[_estimated], lab_value-<ANALYTE> with lab_unit-<ANALYTE> for each result, lab_rbc_transfusion_within_30_days, lab_platelet_transfusion_within_7_days) adds one result per analyte given. Any other key is refused (422).",
                    "properties": {
                        "row_version": { "type": "integer", "description": "the version read (0 to create); an If-Match header takes precedence" },
                        "complete": { "type": "boolean", "description": "mark the form complete (every section answered)" },
                        "confirm_window": { "type": "boolean", "description": "confirm a contact date outside the timepoint's window" },
                        "reason": { "type": "string", "description": "required when changing a completed form" },
                        "contact_date": { "type": "string", "format": "date" },
                        "contact_type": { "type": "string", "enum": ["CLINIC", "OUTSIDE_RECORDS", "PHONE", "QUESTIONNAIRE", "SURVIVAL_TOOL", "REGISTRY_LINKAGE"] },
                        "survival_status": { "type": "string", "enum": ["ALIVE", "DEAD", "UNKNOWN"] },
                        "ecog": { "type": ["integer", "string"] },
                        "relapse_since_last": { "type": "string", "enum": ["Y", "N", "PREV", "UNK"], "description": "PREV only after an earlier period of the course reported the relapse; Y only once" },
                        "relapse_date": { "type": "string", "format": "date", "description": "with Y: in this period, from Day 0, not after death" },
                        "relapse_method": { "type": "string", "enum": ["MOLECULAR", "FLOW", "CYTO_FISH", "RADIOLOGICAL", "CLINICAL"], "description": "with Y: the method that detected the relapse first; must be one of relapse_methods" },
                        "relapse_methods": { "type": "array", "items": { "type": "string", "enum": ["MOLECULAR", "FLOW", "CYTO_FISH", "RADIOLOGICAL", "CLINICAL"] }, "description": "with Y: every method that detected the relapse (at least one on a complete form); returned in the list's order" },
                        "relapse_antigen_status": { "type": "string", "enum": ["NEG", "POS", "DIM"], "description": "CD19 or BCMA products; required for B-ALL after a CD19 product" },
                        "infection_sites": { "type": "array", "items": { "type": "string", "enum": ["BLOOD", "BONE", "CNS", "EYE", "GENITAL", "GI_LOWER", "GI_UPPER", "JOINT", "LIVER_SPLEEN", "LUNG", "SINUS_UPPER_RESPIRATORY", "SKIN_CELLULITIS", "SKIN_NECROTISING_FASCIITIS", "URINARY_LOWER", "URINARY_UPPER", "OTHER"] }, "description": "with a new infection: every site (CIBMTR list)" },
                        "infection_site_other": { "type": "string", "maxLength": 200, "description": "with a new infection whose infection_sites include OTHER: what the site is (required then, refused otherwise), e.g. catheter exit site" },
                        "none_responses": { "$ref": "#/components/schemas/SectionAnswer" },
                        "none_toxicities": { "$ref": "#/components/schemas/SectionAnswer" },
                        "none_infections": { "$ref": "#/components/schemas/SectionAnswer" },
                        "none_immunoglobulin": { "$ref": "#/components/schemas/SectionAnswer" },
                        "none_lab_results": { "$ref": "#/components/schemas/SectionAnswer" },
                        "none_persistence_tests": { "$ref": "#/components/schemas/SectionAnswer" },
                        "none_new_malignancies": { "$ref": "#/components/schemas/SectionAnswer" },
                        "none_subsequent_therapies": { "$ref": "#/components/schemas/SectionAnswer" }
                    },
                    "additionalProperties": { "type": ["string", "number", "boolean", "null"] }
                },
                "SectionAnswer": { "type": "string", "enum": ["none", "events", ""], "description": "nothing to report, events reported, or not answered (blank is not none)" },
                "NewPatient": {
                    "type": "object",
                    "required": ["site", "sex", "birth_year", "enrolment_date", "consent_research"],
                    "properties": {
                        "site": { "type": "string", "description": "site code" },
                        "registry_id": { "type": "string", "description": "SITE-NNNNNN; blank numbers automatically" },
                        "sex": { "type": "string", "enum": ["M", "F", "X", "U"] },
                        "birth_year": { "type": ["integer", "string"] },
                        "birth_date": { "type": "string", "format": "date" },
                        "enrolment_date": { "type": "string", "format": "date" },
                        "consent_research": { "type": "string", "enum": ["GIVEN", "DECLINED", "NOT_APPROACHED", "WITHDRAWN"] },
                        "consent_research_date": { "type": "string", "format": "date" },
                        "trial_subject_id": { "type": "string" }
                    }
                }
            }
        },
        "paths": {
            "/worklist": { "get": {
                "summary": "Follow-ups due, overdue and missed for your sites, most urgent first",
                "parameters": [
                    { "name": "status", "in": "query", "schema": { "type": "string", "enum": ["overdue", "due", "missed"] } },
                    { "name": "site", "in": "query", "schema": { "type": "string" } }
                ],
                "responses": { "200": { "description": "work items" }, "401": { "description": "no valid token" }, "403": { "description": "role without patient access" }, "422": { "description": "a filter value that cannot be one", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ValidationErrors" } } } } }
            }},
            "/patients": {
                "get": {
                    "summary": "Patients of your sites",
                    "parameters": [
                        { "name": "q", "in": "query", "schema": { "type": "string" } },
                        { "name": "site", "in": "query", "schema": { "type": "string" } },
                        { "name": "disease", "in": "query", "schema": { "type": "string" } },
                        { "name": "product", "in": "query", "schema": { "type": "string" } },
                        { "name": "status", "in": "query", "schema": { "type": "string" } },
                        { "name": "page", "in": "query", "schema": { "type": "integer" } }
                    ],
                    "responses": { "200": { "description": "a page of patients" }, "401": { "description": "no valid token" } }
                },
                "post": {
                    "summary": "Enrol a patient (coordinators, own sites)",
                    "requestBody": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/NewPatient" } } } },
                    "responses": {
                        "201": { "description": "enrolled" },
                        "422": { "description": "invalid", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ValidationErrors" } } } },
                        "403": { "description": "role may not enrol" }
                    }
                }
            },
            "/patients/{pid}/follow-ups": { "get": {
                "summary": "The follow-ups of a patient of your sites",
                "parameters": [{ "name": "pid", "in": "path", "required": true, "schema": { "type": "integer" } }],
                "responses": {
                    "200": { "description": "id, course_id, timepoint, contact_date, form_status, locked, row_version per follow-up" },
                    "401": { "description": "no valid token" },
                    "404": { "description": "not found or not your site" }
                }
            }},
            "/patients/{pid}/courses/{cid}/follow-ups/{timepoint}": {
                "parameters": [
                    { "name": "pid", "in": "path", "required": true, "schema": { "type": "integer" } },
                    { "name": "cid", "in": "path", "required": true, "schema": { "type": "integer" } },
                    { "name": "timepoint", "in": "path", "required": true, "schema": { "type": "string", "enum": ["D7", "D14", "D28", "D100", "M6", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7", "Y8", "Y9", "Y10", "Y11", "Y12", "Y13", "Y14", "Y15", "UNSCHEDULED"] } }
                ],
                "get": {
                    "summary": "One follow-up (ETag: its row_version)",
                    "responses": {
                        "200": { "description": "the follow-up", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/FollowUp" } } } },
                        "404": { "description": "not recorded yet, not found, or not your site" }
                    }
                },
                "put": {
                    "summary": "Create (row_version 0) or update a follow-up: the form's validation, audit and stale-edit rules (coordinators, own sites)",
                    "parameters": [{ "name": "If-Match", "in": "header", "schema": { "type": "string" }, "description": "\"<row_version>\" as read; overrides the body's row_version" }],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/FollowUpInput" } } } },
                    "responses": {
                        "200": { "description": "updated", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/FollowUp" } } } },
                        "201": { "description": "created", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/FollowUp" } } } },
                        "403": { "description": "role may not write" },
                        "404": { "description": "not found or not your site" },
                        "409": { "description": "stale: saved by someone else since row_version; body has error and current" },
                        "422": { "description": "invalid", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ValidationErrors" } } } },
                        "423": { "description": "locked: an administrator must unlock it first" }
                    }
                }
            },
            "/patients/{id}": { "get": {
                "summary": "One patient of your sites",
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                "responses": { "200": { "description": "the patient" }, "404": { "description": "not found or not your site" } }
            }}
        }
    });
    if let Some(inputs) = doc
        .pointer_mut("/components/schemas/FollowUpInput/properties")
        .and_then(|p| p.as_object_mut())
    {
        for more in [more_inputs, malignancy_inputs] {
            if let serde_json::Value::Object(more) = more {
                inputs.extend(more);
            }
        }
    }
    HttpResponse::Ok().json(doc)
}
