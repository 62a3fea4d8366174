//! Goal: our spec-backed wire types match the Mass OpenAPI documents, and the check is able to
//! fail. Method: run `check` over every case against the real specs (no problems expected), then
//! against deliberately drifted copies (the drifted field must be named).

use serde_json::Value;

use super::{ORGANIZATION_SPEC, TEMPLATING_SPEC, cases, check};
use crate::organization::{Privacy, RetrievalStrategy};
use crate::templating::{SigningRole, SubmissionStatus};

fn spec(name: &str) -> Value {
    let text = if name == "organization-info" {
        ORGANIZATION_SPEC
    } else {
        TEMPLATING_SPEC
    };
    serde_json::from_str(text).unwrap()
}

fn strings<'a>(document: &'a Value, pointer: &str) -> Vec<&'a str> {
    let list = document.pointer(pointer).and_then(Value::as_array).unwrap();
    list.iter().filter_map(Value::as_str).collect()
}

#[test]
fn wire_types_match_the_openapi_specs() {
    let all = cases();
    assert_eq!(all.len(), 33);
    let mut problems = Vec::new();
    for (spec_name, schema_name, sample) in &all {
        assert!(sample.is_object(), "{schema_name} sample did not serialise");
        problems.extend(check(&spec(spec_name), schema_name, sample));
    }
    assert!(
        problems.is_empty(),
        "contract drift:\n{}",
        problems.join("\n")
    );
}

#[test]
fn contract_check_names_a_renamed_field() {
    let mut drifted = spec("organization-info");
    let properties = drifted
        .pointer_mut("/components/schemas/Address/properties")
        .unwrap();
    let postal = properties
        .as_object_mut()
        .unwrap()
        .remove("postalCode")
        .unwrap();
    properties
        .as_object_mut()
        .unwrap()
        .insert("zipCode".to_owned(), postal);
    let organization = cases()
        .into_iter()
        .find(|(_, schema, _)| *schema == "Organization")
        .unwrap()
        .2;
    let problems = check(&drifted, "Organization", &organization);
    assert_eq!(
        problems,
        vec!["Organization.address.postalCode: not in the spec".to_owned()]
    );
}

#[test]
fn contract_check_names_a_changed_type_and_enum() {
    let mut drifted = spec("organization-info");
    *drifted
        .pointer_mut("/components/schemas/Tag/properties/key/type")
        .unwrap() = Value::from("integer");
    *drifted
        .pointer_mut("/components/schemas/Name/properties/type/enum")
        .unwrap() = serde_json::json!(["OTHER"]);
    let director = cases()
        .into_iter()
        .find(|(_, schema, _)| *schema == "Director")
        .unwrap()
        .2;
    let problems = check(&drifted, "Director", &director);
    assert_eq!(
        problems,
        vec!["Director.name.type: spec says string, we use \"PERSONAL\"".to_owned()]
    );
    let organization = cases()
        .into_iter()
        .find(|(_, schema, _)| *schema == "Organization")
        .unwrap()
        .2;
    let problems = check(&drifted, "Organization", &organization);
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("Organization.tags[].key: spec says integer")),
        "{problems:?}"
    );
}

#[test]
fn open_enum_values_exist_in_the_specs() {
    let org = spec("organization-info");
    let templating = spec("templating-engine");
    let checks: [(&Value, &str, &[&str]); 4] = [
        (
            &org,
            "/components/schemas/Organization/properties/privacy/enum",
            Privacy::WIRE_VALUES,
        ),
        (
            &org,
            "/paths/~1api~1v1~1organization~1{organizationId}/get/parameters/1/schema/enum",
            RetrievalStrategy::WIRE_VALUES,
        ),
        (
            &templating,
            "/components/schemas/Signer/properties/signingRole/enum",
            SigningRole::WIRE_VALUES,
        ),
        (
            &templating,
            "/components/schemas/Submission/properties/status/enum",
            SubmissionStatus::WIRE_VALUES,
        ),
    ];
    for (document, pointer, ours) in checks {
        assert_eq!(strings(document, pointer), ours, "{pointer}");
    }
}

#[test]
fn sandbox_requires_what_the_spec_requires() {
    let org = spec("organization-info");
    let mut required = strings(&org, "/components/schemas/CreateOrganization/required");
    required.sort_unstable();
    let mut ours = crate::sandbox::organization::CREATE_ORGANIZATION_REQUIRED.to_vec();
    ours.sort_unstable();
    assert_eq!(required, ours);
}
