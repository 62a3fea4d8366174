//! Policy conditions: predicates over a trigger's JSON payload, addressed by dot paths.
//!
//! Owns [`Condition`], [`FieldPath`], [`Scalar`] and [`parse_condition`].
//!
//! Never: compares floats. Payloads follow the MSEZ integer profile, so every number is an
//! integer within ±(2^53−1) and comparisons are exact `i64` comparisons. Evaluation is total: a
//! missing path or a value of the wrong type makes the predicate false, never an error, so one
//! odd payload cannot stop the engine.
//!
//! JSON form: `{"type":"threshold","path":"match.score_bps","value":8500}`,
//! `{"type":"in","path":"status","values":["expired","revoked"]}`,
//! `{"type":"and","conditions":[...]}`. `threshold` means value ≥ limit, `greater_than` value >
//! limit, `less_than` value < limit. `contains` holds when an array member equals the value or,
//! for strings, when the string contains the given substring.

use serde_json::Value;

use crate::fields::{
    FieldError, as_array, as_i64, as_object, as_str, as_word, child_path, index_path,
};

/// The deepest nesting of `and`/`or` accepted. Real policies nest two or three levels; 8 bounds
/// the recursion of evaluation and parsing.
pub const CONDITION_DEPTH_MAX: usize = 8;

/// The most sub-conditions one `and`/`or` may hold. 32 covers every policy we have seen and
/// bounds evaluation cost per node.
pub const CONDITION_CHILDREN_MAX: usize = 32;

/// The most segments a dot path may have. Payloads are shallow; 8 bounds lookup cost.
pub const PATH_SEGMENTS_MAX: usize = 8;

/// The most values an `in` list may hold. Long lists belong in a pack, not a policy; 64 bounds
/// the linear scan.
pub const IN_VALUES_MAX: usize = 64;

/// A dot path into a payload (`match.entries.0.id`); numeric segments index arrays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath {
    text: String,
    segments: Vec<PathSegment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PathSegment {
    Key(String),
    /// A numeric segment: an array index, or an object key spelled with digits.
    Index(usize, String),
}

/// A scalar a condition compares against: a string, an integer or a boolean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scalar {
    /// A string.
    Text(String),
    /// An integer (within ±(2^53−1)).
    Integer(i64),
    /// A boolean.
    Bool(bool),
}

/// A predicate over a trigger payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// The integer at `path` is ≥ `limit`.
    Threshold {
        /// Where the integer is.
        path: FieldPath,
        /// The inclusive lower bound.
        limit: i64,
    },
    /// The integer at `path` is > `limit`.
    GreaterThan {
        /// Where the integer is.
        path: FieldPath,
        /// The exclusive lower bound.
        limit: i64,
    },
    /// The integer at `path` is < `limit`.
    LessThan {
        /// Where the integer is.
        path: FieldPath,
        /// The exclusive upper bound.
        limit: i64,
    },
    /// The value at `path` equals `value`.
    Equals {
        /// Where the value is.
        path: FieldPath,
        /// The expected value.
        value: Scalar,
    },
    /// The value at `path` exists and differs from `value`.
    NotEquals {
        /// Where the value is.
        path: FieldPath,
        /// The value it must not equal.
        value: Scalar,
    },
    /// The array at `path` has a member equal to `value`, or the string at `path` contains it.
    Contains {
        /// Where the array or string is.
        path: FieldPath,
        /// The member or substring.
        value: Scalar,
    },
    /// The value at `path` equals one of `values`.
    In {
        /// Where the value is.
        path: FieldPath,
        /// The allowed values.
        values: Vec<Scalar>,
    },
    /// Something (not null) is at `path`.
    Exists {
        /// The path.
        path: FieldPath,
    },
    /// Every sub-condition holds (an empty list is rejected at parse time).
    And(Vec<Condition>),
    /// At least one sub-condition holds (an empty list is rejected at parse time).
    Or(Vec<Condition>),
}

const CONDITION_TYPES: &[&str] = &[
    "threshold",
    "greater_than",
    "less_than",
    "equals",
    "not_equals",
    "contains",
    "in",
    "exists",
    "and",
    "or",
];

impl FieldPath {
    /// Parses a dot path: 1..=[`PATH_SEGMENTS_MAX`] non-empty segments separated by `.`.
    pub fn parse(text: &str, field: &str) -> Result<Self, FieldError> {
        let mut segments = Vec::new();
        for segment in text.split('.') {
            if segment.is_empty() {
                return Err(FieldError::Empty {
                    path: field.to_owned(),
                });
            }
            segments.push(match segment.parse::<usize>() {
                Ok(index) if segment.bytes().all(|byte| byte.is_ascii_digit()) => {
                    PathSegment::Index(index, segment.to_owned())
                }
                _ => PathSegment::Key(segment.to_owned()),
            });
        }
        if segments.len() > PATH_SEGMENTS_MAX {
            return Err(FieldError::TooLong {
                path: field.to_owned(),
                length: segments.len(),
                limit: PATH_SEGMENTS_MAX,
            });
        }
        Ok(Self {
            text: text.to_owned(),
            segments,
        })
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The value at this path in `payload`, if any (null counts as absent).
    pub fn lookup<'a>(&self, payload: &'a Value) -> Option<&'a Value> {
        let mut current = payload;
        for segment in &self.segments {
            current = match (segment, current) {
                (PathSegment::Key(key), Value::Object(map)) => map.get(key)?,
                (PathSegment::Index(_, key), Value::Object(map)) => map.get(key)?,
                (PathSegment::Index(index, _), Value::Array(items)) => items.get(*index)?,
                _ => return None,
            };
        }
        (!current.is_null()).then_some(current)
    }
}

impl Scalar {
    fn matches(&self, value: &Value) -> bool {
        match (self, value) {
            (Scalar::Text(expected), Value::String(found)) => expected == found,
            (Scalar::Integer(expected), Value::Number(found)) => found.as_i64() == Some(*expected),
            (Scalar::Bool(expected), Value::Bool(found)) => expected == found,
            _ => false,
        }
    }

    fn parse(value: &Value, path: &str) -> Result<Self, FieldError> {
        match value {
            Value::String(text) => Ok(Scalar::Text(text.clone())),
            Value::Bool(flag) => Ok(Scalar::Bool(*flag)),
            Value::Number(_) => as_i64(value, path).map(Scalar::Integer),
            _ => Err(FieldError::WrongType {
                path: path.to_owned(),
                expected: "a string, an integer or a boolean",
            }),
        }
    }

    /// The scalar as JSON.
    pub fn to_value(&self) -> Value {
        match self {
            Scalar::Text(text) => Value::String(text.clone()),
            Scalar::Integer(number) => Value::from(*number),
            Scalar::Bool(flag) => Value::Bool(*flag),
        }
    }
}

impl Condition {
    /// Whether the condition holds for `payload`.
    pub fn holds(&self, payload: &Value) -> bool {
        let integer = |path: &FieldPath| path.lookup(payload).and_then(Value::as_i64);
        match self {
            Condition::Threshold { path, limit } => integer(path).is_some_and(|v| v >= *limit),
            Condition::GreaterThan { path, limit } => integer(path).is_some_and(|v| v > *limit),
            Condition::LessThan { path, limit } => integer(path).is_some_and(|v| v < *limit),
            Condition::Equals { path, value } => path
                .lookup(payload)
                .is_some_and(|found| value.matches(found)),
            Condition::NotEquals { path, value } => path
                .lookup(payload)
                .is_some_and(|found| !value.matches(found)),
            Condition::Contains { path, value } => match (path.lookup(payload), value) {
                (Some(Value::Array(items)), _) => items.iter().any(|item| value.matches(item)),
                (Some(Value::String(text)), Scalar::Text(needle)) => text.contains(needle.as_str()),
                _ => false,
            },
            Condition::In { path, values } => path
                .lookup(payload)
                .is_some_and(|found| values.iter().any(|value| value.matches(found))),
            Condition::Exists { path } => path.lookup(payload).is_some(),
            Condition::And(conditions) => conditions.iter().all(|c| c.holds(payload)),
            Condition::Or(conditions) => conditions.iter().any(|c| c.holds(payload)),
        }
    }

    /// The condition in its JSON form (the inverse of [`parse_condition`]).
    pub fn to_value(&self) -> Value {
        let compare = |kind: &str, path: &FieldPath, value: Value| serde_json::json!({ "type": kind, "path": path.as_str(), "value": value });
        let nested = |kind: &str, conditions: &[Condition]| {
            let items: Vec<Value> = conditions.iter().map(Condition::to_value).collect();
            serde_json::json!({ "type": kind, "conditions": items })
        };
        match self {
            Condition::Threshold { path, limit } => compare("threshold", path, (*limit).into()),
            Condition::GreaterThan { path, limit } => {
                compare("greater_than", path, (*limit).into())
            }
            Condition::LessThan { path, limit } => compare("less_than", path, (*limit).into()),
            Condition::Equals { path, value } => compare("equals", path, value.to_value()),
            Condition::NotEquals { path, value } => compare("not_equals", path, value.to_value()),
            Condition::Contains { path, value } => compare("contains", path, value.to_value()),
            Condition::In { path, values } => {
                let items: Vec<Value> = values.iter().map(Scalar::to_value).collect();
                serde_json::json!({ "type": "in", "path": path.as_str(), "values": items })
            }
            Condition::Exists { path } => {
                serde_json::json!({ "type": "exists", "path": path.as_str() })
            }
            Condition::And(conditions) => nested("and", conditions),
            Condition::Or(conditions) => nested("or", conditions),
        }
    }
}

/// Parses a condition from its JSON form at `path`; errors name the offending field.
pub fn parse_condition(value: &Value, path: &str) -> Result<Condition, FieldError> {
    parse_at_depth(value, path, 1)
}

fn parse_at_depth(value: &Value, path: &str, depth: usize) -> Result<Condition, FieldError> {
    if depth > CONDITION_DEPTH_MAX {
        return Err(FieldError::TooLong {
            path: path.to_owned(),
            length: depth,
            limit: CONDITION_DEPTH_MAX,
        });
    }
    let fields = as_object(value, path)?;
    let kind_path = fields.child("type");
    let kind = as_word(fields.required("type")?, &kind_path, CONDITION_TYPES)?;
    let kind = CONDITION_TYPES.get(kind).copied().unwrap_or_default();
    if kind == "and" || kind == "or" {
        fields.only(&["type", "conditions"])?;
        let list_path = fields.child("conditions");
        let items = as_array(
            fields.required("conditions")?,
            &list_path,
            CONDITION_CHILDREN_MAX,
        )?;
        if items.is_empty() {
            return Err(FieldError::Empty { path: list_path });
        }
        let children = items
            .iter()
            .enumerate()
            .map(|(index, item)| parse_at_depth(item, &index_path(&list_path, index), depth + 1))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(if kind == "and" {
            Condition::And(children)
        } else {
            Condition::Or(children)
        });
    }
    let field_path_path = fields.child("path");
    let field_path = FieldPath::parse(
        as_str(fields.required("path")?, &field_path_path)?,
        &field_path_path,
    )?;
    match kind {
        "exists" => {
            fields.only(&["type", "path"])?;
            Ok(Condition::Exists { path: field_path })
        }
        "in" => {
            fields.only(&["type", "path", "values"])?;
            let list_path = fields.child("values");
            let items = as_array(fields.required("values")?, &list_path, IN_VALUES_MAX)?;
            if items.is_empty() {
                return Err(FieldError::Empty { path: list_path });
            }
            let values = items
                .iter()
                .enumerate()
                .map(|(index, item)| Scalar::parse(item, &index_path(&list_path, index)))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Condition::In {
                path: field_path,
                values,
            })
        }
        _ => {
            fields.only(&["type", "path", "value"])?;
            let value_path = child_path(fields.path(), "value");
            let raw = fields.required("value")?;
            parse_comparison(kind, field_path, raw, &value_path)
        }
    }
}

fn parse_comparison(
    kind: &str,
    path: FieldPath,
    raw: &Value,
    value_path: &str,
) -> Result<Condition, FieldError> {
    Ok(match kind {
        "threshold" => Condition::Threshold {
            path,
            limit: as_i64(raw, value_path)?,
        },
        "greater_than" => Condition::GreaterThan {
            path,
            limit: as_i64(raw, value_path)?,
        },
        "less_than" => Condition::LessThan {
            path,
            limit: as_i64(raw, value_path)?,
        },
        "equals" => Condition::Equals {
            path,
            value: Scalar::parse(raw, value_path)?,
        },
        "not_equals" => Condition::NotEquals {
            path,
            value: Scalar::parse(raw, value_path)?,
        },
        _ => Condition::Contains {
            path,
            value: Scalar::parse(raw, value_path)?,
        },
    })
}

#[cfg(test)]
mod tests;
