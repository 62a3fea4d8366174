//! Contract check: every field our spec-backed wire types send or read must exist in the Mass
//! OpenAPI documents (`mass/specs/`, copies of `shared/mass-specs/`) with a compatible type.
//!
//! Owns [`check`] (the walker) and [`cases`] (one fully populated sample per wire type, from
//! `samples`). Test-only: compiled under `cfg(test)`.
//!
//! Method: serialise a sample with every optional field set, then walk the JSON against the
//! schema (following `$ref`, `allOf`; `oneOf` accepts any branch). A key absent from the
//! schema's `properties`, or a JSON type the schema's `type` does not admit, is reported with its
//! path (`Organization.address.postalCode`). Never: checks the services without a published
//! spec (treasury, consent, investment, identity); their contract is documented per module.

mod samples;

use serde_json::{Value, to_value};

/// The organization-info OpenAPI document, read from the shared specs beside the repository
/// (one source of truth: a copy here could drift from the contract Mass publishes).
pub(crate) const ORGANIZATION_SPEC: &str =
    include_str!("../../../shared/mass-specs/organization-info.openapi.json");
/// The templating-engine OpenAPI document, from the same place.
pub(crate) const TEMPLATING_SPEC: &str =
    include_str!("../../../shared/mass-specs/templating-engine.openapi.json");

/// (spec name, schema name, fully populated sample) for every spec-backed wire type.
pub(crate) fn cases() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        (
            "organization-info",
            "Name",
            sample(crate::organization::Name::contract_sample()),
        ),
        (
            "organization-info",
            "EmailAddress",
            sample(crate::organization::EmailAddress::contract_sample()),
        ),
        (
            "organization-info",
            "Tag",
            sample(crate::organization::Tag::contract_sample()),
        ),
        (
            "organization-info",
            "Address",
            sample(crate::organization::Address::contract_sample()),
        ),
        (
            "organization-info",
            "Branding",
            sample(crate::organization::Branding::contract_sample()),
        ),
        (
            "organization-info",
            "Identifier",
            sample(crate::organization::Identifier::contract_sample()),
        ),
        (
            "organization-info",
            "TelephoneNumber",
            sample(crate::organization::TelephoneNumber::contract_sample()),
        ),
        (
            "organization-info",
            "Director",
            sample(crate::organization::Director::contract_sample()),
        ),
        (
            "organization-info",
            "Board",
            sample(crate::organization::Board::contract_sample()),
        ),
        (
            "organization-info",
            "UpdateBoard",
            sample(crate::organization::UpdateBoard::contract_sample()),
        ),
        (
            "organization-info",
            "OrganizationMember",
            sample(crate::organization::OrganizationMember::contract_sample()),
        ),
        (
            "organization-info",
            "Organization",
            sample(crate::organization::Organization::contract_sample()),
        ),
        (
            "organization-info",
            "PersonalDetails",
            sample(crate::organization::PersonalDetails::contract_sample()),
        ),
        (
            "organization-info",
            "CreateOrganization",
            sample(crate::organization::CreateOrganization::contract_sample()),
        ),
        (
            "organization-info",
            "UpdateOrganization",
            sample(crate::organization::UpdateOrganization::contract_sample()),
        ),
        (
            "organization-info",
            "SearchRequest",
            sample(crate::organization::SearchRequest::contract_sample()),
        ),
        (
            "organization-info",
            "ResponsePageOrganization",
            sample(crate::organization::OrganizationPage::contract_sample()),
        ),
        (
            "organization-info",
            "SupportedJurisdiction",
            sample(crate::organization::SupportedJurisdiction::contract_sample()),
        ),
        (
            "organization-info",
            "LicensingRequest",
            sample(crate::organization::LicensingRequest::contract_sample()),
        ),
        (
            "organization-info",
            "LicensingResponse",
            sample(crate::organization::LicensingResponse::contract_sample()),
        ),
        (
            "templating-engine",
            "Name",
            sample(crate::templating::SignerName::contract_sample()),
        ),
        (
            "templating-engine",
            "Tag",
            sample(crate::templating::SignerTag::contract_sample()),
        ),
        (
            "templating-engine",
            "Signer",
            sample(crate::templating::Signer::contract_sample()),
        ),
        (
            "templating-engine",
            "FieldRequest",
            sample(crate::templating::FieldRequest::contract_sample()),
        ),
        (
            "templating-engine",
            "SigningRequest",
            sample(crate::templating::SigningRequest::contract_sample()),
        ),
        (
            "templating-engine",
            "TemplateSummary",
            sample(crate::templating::TemplateSummary::contract_sample()),
        ),
        (
            "templating-engine",
            "Submission",
            sample(crate::templating::Submission::contract_sample()),
        ),
        (
            "templating-engine",
            "SubmissionResponse",
            sample(crate::templating::SubmissionResponse::contract_sample()),
        ),
        (
            "templating-engine",
            "FieldOption",
            sample(crate::templating::FieldOption::contract_sample()),
        ),
        (
            "templating-engine",
            "FieldRole",
            sample(crate::templating::FieldRole::contract_sample()),
        ),
        (
            "templating-engine",
            "TemplateField",
            sample(crate::templating::TemplateField::contract_sample()),
        ),
        (
            "templating-engine",
            "Template",
            sample(crate::templating::Template::contract_sample()),
        ),
        (
            "templating-engine",
            "TemplateOptions",
            sample(crate::templating::TemplateOptions::contract_sample()),
        ),
    ]
}

fn sample<T: serde::Serialize>(value: T) -> Value {
    to_value(value).unwrap_or(Value::Null)
}

/// Every drift between `sample` and `schema_name` in `spec`, as `Schema.path: problem` lines.
pub(crate) fn check(spec: &Value, schema_name: &str, sample: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let schema = Value::String(format!("#/components/schemas/{schema_name}"));
    let reference = serde_json::json!({ "$ref": schema });
    walk(spec, &reference, sample, schema_name, &mut problems);
    problems
}

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.trim_start_matches('#');
            spec.pointer(pointer)
                .map_or(&Value::Null, |target| resolve(spec, target))
        }
        None => schema,
    }
}

/// The properties of an object schema, including those of `allOf` parts.
fn property<'a>(spec: &'a Value, schema: &'a Value, key: &str) -> Option<&'a Value> {
    let schema = resolve(spec, schema);
    if let Some(found) = schema.get("properties").and_then(|props| props.get(key)) {
        return Some(found);
    }
    let parts = schema.get("allOf").and_then(Value::as_array)?;
    parts.iter().find_map(|part| property(spec, part, key))
}

fn walk(spec: &Value, schema: &Value, value: &Value, path: &str, problems: &mut Vec<String>) {
    let schema = resolve(spec, schema);
    if schema.get("oneOf").is_some() || value.is_null() {
        return;
    }
    let declared = schema
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("object");
    let compatible = match value {
        Value::Bool(_) => declared == "boolean",
        Value::Number(number) if number.is_f64() => declared == "number",
        Value::Number(_) => declared == "integer" || declared == "number",
        Value::String(text) => declared == "string" && enum_admits(schema, text),
        Value::Array(_) => declared == "array",
        Value::Object(_) => declared == "object",
        Value::Null => true,
    };
    if !compatible {
        problems.push(format!("{path}: spec says {declared}, we use {value}"));
        return;
    }
    match value {
        Value::Array(items) => {
            let item_schema = schema.get("items").unwrap_or(&Value::Null);
            for item in items {
                walk(spec, item_schema, item, &format!("{path}[]"), problems);
            }
        }
        Value::Object(fields) => {
            for (key, field) in fields {
                let field_path = format!("{path}.{key}");
                let additional = schema
                    .get("additionalProperties")
                    .filter(|extra| extra.is_object());
                match property(spec, schema, key).or(additional) {
                    Some(field_schema) => walk(spec, field_schema, field, &field_path, problems),
                    None => problems.push(format!("{field_path}: not in the spec")),
                }
            }
        }
        _ => {}
    }
}

fn enum_admits(schema: &Value, text: &str) -> bool {
    schema
        .get("enum")
        .and_then(Value::as_array)
        .is_none_or(|values| values.iter().any(|value| value.as_str() == Some(text)))
}

#[cfg(test)]
mod tests;
