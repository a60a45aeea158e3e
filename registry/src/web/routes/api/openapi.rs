//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 description of the API.

use actix_web::HttpResponse;
use serde_json::json;

/// The document.
pub async fn get() -> HttpResponse {
    let error = json!({ "type": "object", "properties": { "error": { "type": "string" } } });
    let doc = json!({
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
                "responses": { "200": { "description": "work items" }, "401": { "description": "no valid token" }, "403": { "description": "role without patient access" } }
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
            "/patients/{id}": { "get": {
                "summary": "One patient of your sites",
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                "responses": { "200": { "description": "the patient" }, "404": { "description": "not found or not your site" } }
            }}
        }
    });
    HttpResponse::Ok().json(doc)
}
