//! Canonical form (SPEC §1): `msez canon` and `msez digest` against the oracle and RFC 8785.
//!
//! Goal: the canonical bytes of any document are what an independent RFC 8785 implementation
//! produces, and both sides reject the same bad input. Method: thousands of seeded random
//! documents (see `json_gen`) go through `msez canon`/`msez digest` in-process and through the
//! oracle in one batch; then the public RFC 8785 vectors run end to end.

use std::path::Path;

use serde_json::{Value, json};

use super::harness::{Oracle, Rng, msez, vectors_dir};
use super::json_gen;

/// Generated documents per run: enough to hit every character class in keys and values many
/// times over, while the whole comparison stays around a second.
const GENERATED_DOCUMENT_COUNT: usize = 4000;
/// Generated invalid documents per run.
const INVALID_DOCUMENT_COUNT: usize = 1000;

fn oracle_canon(
    oracle: &Oracle,
    documents: &[Vec<u8>],
    profile: &str,
) -> Vec<Result<Value, String>> {
    let items = documents
        .iter()
        .map(|document| json!({ "input_hex": hex::encode(document), "profile": profile }))
        .collect();
    oracle.run("canon", items)
}

/// `count` documents from `generate` under `seed`, each with the oracle's verdict on it.
fn generated_cases(
    seed: u64,
    count: usize,
    generate: fn(&mut Rng) -> Vec<u8>,
) -> Vec<(Vec<u8>, Result<Value, String>)> {
    let mut rng = Rng::new(seed);
    let documents: Vec<Vec<u8>> = (0..count).map(|_| generate(&mut rng)).collect();
    let verdicts = oracle_canon(&Oracle::get(), &documents, "msez");
    documents.into_iter().zip(verdicts).collect()
}

#[test]
fn canon_matches_oracle_on_generated_documents() {
    let cases = generated_cases(
        0x6d73_657a_0001,
        GENERATED_DOCUMENT_COUNT,
        json_gen::document,
    );
    for (index, (document, expected)) in cases.into_iter().enumerate() {
        let document = &document;
        let shown = String::from_utf8_lossy(document);
        let expected = expected.unwrap_or_else(|reason| {
            panic!("document {index}: oracle rejected a valid document ({reason}): {shown}")
        });
        let canon = msez(&["canon"], document);
        assert_eq!(
            canon.code, 0,
            "document {index}: {} for {shown}",
            canon.stderr
        );
        assert_eq!(
            hex::encode(&canon.stdout),
            expected["canonical_hex"].as_str().unwrap(),
            "document {index}: canonical bytes differ for {shown}"
        );
        let digest = msez(&["digest"], document).success();
        assert_eq!(
            digest.stdout_text(),
            format!("{}\n", expected["digest"].as_str().unwrap()),
            "document {index}: digest differs for {shown}"
        );
    }
}

#[test]
fn canon_rejects_what_oracle_rejects() {
    let cases = generated_cases(
        0x6d73_657a_0002,
        INVALID_DOCUMENT_COUNT,
        json_gen::invalid_document,
    );
    for (index, (document, expected)) in cases.into_iter().enumerate() {
        let document = &document;
        let shown = String::from_utf8_lossy(document);
        assert!(
            expected.is_err(),
            "document {index}: oracle accepted {shown}"
        );
        let canon = msez(&["canon"], document);
        assert_eq!(canon.code, 2, "document {index}: msez accepted {shown}");
        assert!(canon.stdout.is_empty(), "document {index}: partial output");
        assert!(
            canon.stderr.starts_with("msez: stdin: ") && canon.stderr.lines().count() == 1,
            "document {index}: stderr is not one line naming the input: {}",
            canon.stderr
        );
    }
}

#[test]
fn canon_reproduces_rfc8785_vectors_end_to_end() {
    let jcs = vectors_dir().join("jcs");
    let mut names: Vec<_> = std::fs::read_dir(jcs.join("input"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names.len(), 6, "the six RFC 8785 reference pairs");
    for name in &names {
        let input = jcs.join("input").join(name);
        let expected = std::fs::read(jcs.join("output").join(name)).unwrap();
        let outhex =
            std::fs::read_to_string(jcs.join("outhex").join(name.replace(".json", ".txt")))
                .unwrap();
        let outhex: String = outhex.split_whitespace().collect();
        assert_eq!(
            hex::encode(&expected),
            outhex,
            "{name}: output and outhex disagree"
        );
        let general = msez(&["canon", "--profile", "rfc8785", path_arg(&input)], b"").success();
        assert_eq!(general.stdout, expected, "{name}: rfc8785 profile");
        let strict = msez(&["canon", path_arg(&input)], b"");
        // The MSEZ profile takes the integer-only vectors unchanged and refuses the others.
        if name == "structures.json" || name == "values.json" {
            assert_eq!(strict.code, 2, "{name}: floats must be refused");
            assert!(
                strict.stderr.contains("is not an integer"),
                "{name}: {}",
                strict.stderr
            );
        } else {
            assert_eq!(strict.code, 0, "{name}: {}", strict.stderr);
            assert_eq!(strict.stdout, expected, "{name}: msez profile");
        }
    }
}

#[test]
fn canon_writes_es6_numbers_end_to_end() {
    let numbers = vectors_dir().join("jcs/numbers");
    let mut line_count = 0;
    for file in ["es6-numbers-10000.txt", "es6-numbers-readme-samples.txt"] {
        let text = std::fs::read_to_string(numbers.join(file)).unwrap();
        for line in text.lines() {
            let (bits_hex, expected) = line.split_once(',').unwrap();
            let value = f64::from_bits(u64::from_str_radix(bits_hex, 16).unwrap());
            if !value.is_finite() {
                continue; // JSON has no spelling for NaN or the infinities.
            }
            // `{:e}` is the shortest round-tripping spelling, unlike the expected ES6 form.
            let input = format!("[{value:e}]");
            let run = msez(&["canon", "--profile", "rfc8785"], input.as_bytes()).success();
            assert_eq!(run.stdout_text(), format!("[{expected}]"), "{file}: {line}");
            line_count += 1;
        }
    }
    assert!(line_count >= 10_000, "only {line_count} number lines ran");
}

#[test]
fn canon_rejects_negative_zero_unlike_rfc8785() {
    // A deliberate difference (documented in protocol::canonical): RFC 8785 writes `-0` as `0`,
    // but the MSEZ profile refuses it, because the parser cannot tell `-0` from `-0.0` and no
    // protocol artifact needs a signed zero. Refusing cannot make two verifiers disagree.
    let oracle = Oracle::get();
    let expected = oracle_canon(&oracle, &[b"-0".to_vec()], "msez");
    assert_eq!(
        expected[0].as_ref().unwrap()["canonical_hex"],
        json!(hex::encode("0"))
    );
    let run = msez(&["canon"], b"-0");
    assert_eq!(run.code, 2, "{}", run.stderr);
}

fn path_arg(path: &Path) -> &str {
    path.to_str().unwrap()
}
