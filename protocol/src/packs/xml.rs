//! The MSEZ canonical form of an XML document (Akoma Ntoso lawpack documents), and the digests
//! of its `eId` fragments.
//!
//! Owns [`canonicalize`], [`CanonicalXml`] and [`XmlError`].
//!
//! Never: expands a DTD or a custom entity (a `<!DOCTYPE>` is rejected, which rules out XXE and
//! entity bombs), or accepts a document that is not well formed.
//!
//! # The canonical form (msez-xml-c14n-v1)
//!
//! A small, documented subset of W3C Canonical XML 1.0, chosen so that documents that differ
//! only in attribute order, line endings, quoting or markup style give the same bytes:
//! - input is UTF-8; the XML declaration, comments, processing instructions and anything
//!   outside the root element are dropped;
//! - line endings are normalised (`\r\n` and lone `\r` become `\n`, XML 1.0 §2.11); attribute
//!   values are normalised as CDATA attributes (XML 1.0 §3.3.3: `\t`, `\n`, `\r` become spaces);
//! - character and predefined entity references are resolved; CDATA sections become text;
//! - empty elements are written as a start and an end tag (`<a></a>`);
//! - attributes are sorted by their qualified name as written (namespace declarations are
//!   ordinary attributes here, so `xmlns` sorts with the others), written as `name="value"`
//!   with one space before each;
//! - text escapes `&`, `<`, `>` (and `\r` as `&#xD;`); attribute values escape `&`, `<`, `"`,
//!   and `\t`, `\n`, `\r` as character references, as C14N does;
//! - whitespace in text is kept (Akoma Ntoso has mixed content), after line-ending
//!   normalisation.
//!
//! Namespace prefixes are kept as written: renaming a prefix changes the digest. A fragment
//! digest is `SHA-256("msez.lawpack.fragment.v1" || 0x00 || canonical bytes of the element
//! carrying that eId, including its descendants)`.

use std::collections::BTreeMap;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::digest::{Digest, DomainTag};

/// Tag of an `eId` fragment digest.
pub const FRAGMENT_TAG: DomainTag = DomainTag::new("msez.lawpack.fragment.v1");

/// The deepest element nesting accepted. Akoma Ntoso nests about 15 levels in practice; 256
/// bounds the open-element stack.
pub const XML_DEPTH_MAX: usize = 256;

/// A document in canonical form, with the digest of each `eId` fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalXml {
    /// The canonical bytes.
    pub bytes: Vec<u8>,
    /// `eId` → fragment digest, sorted by `eId`.
    pub fragments: BTreeMap<String, Digest>,
}

/// Why a document cannot be canonicalised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    /// Not UTF-8.
    #[error("not UTF-8 at byte {offset}")]
    InvalidUtf8 {
        /// Byte offset of the first invalid sequence.
        offset: usize,
    },
    /// Not well formed, as the parser reports it.
    #[error("not well-formed XML at byte {offset}: {reason}")]
    Syntax {
        /// Byte offset of the error.
        offset: u64,
        /// The parser's explanation.
        reason: String,
    },
    /// A `<!DOCTYPE>` declaration.
    #[error("DOCTYPE declarations are not accepted")]
    DocType,
    /// An entity other than the five predefined ones.
    #[error("unknown entity &{name};")]
    UnknownEntity {
        /// The entity name.
        name: String,
    },
    /// The same attribute twice on one element.
    #[error("element <{element}> has attribute {attribute} twice")]
    DuplicateAttribute {
        /// The element.
        element: String,
        /// The attribute.
        attribute: String,
    },
    /// Two elements with the same `eId`.
    #[error("eId {e_id:?} appears twice")]
    DuplicateEId {
        /// The repeated eId.
        e_id: String,
    },
    /// Nesting deeper than [`XML_DEPTH_MAX`].
    #[error("elements nest deeper than {XML_DEPTH_MAX}")]
    TooDeep,
    /// No root element, a second root, or an element left open at the end.
    #[error("the document must hold exactly one root element, closed")]
    RootElement,
}

/// One open element: where its canonical start tag begins, and its eId if any.
struct Open {
    start_offset: usize,
    e_id: Option<String>,
    name: String,
}

/// Canonicalises `input` and digests its `eId` fragments (see the module docs).
pub fn canonicalize(input: &[u8]) -> Result<CanonicalXml, XmlError> {
    let text = std::str::from_utf8(input).map_err(|error| XmlError::InvalidUtf8 {
        offset: error.valid_up_to(),
    })?;
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut out: Vec<u8> = Vec::with_capacity(input.len());
    let mut stack: Vec<Open> = Vec::new();
    let mut fragments = BTreeMap::new();
    let mut roots_seen = 0usize;
    loop {
        let event = reader.read_event().map_err(|error| XmlError::Syntax {
            offset: reader.error_position(),
            reason: error.to_string(),
        })?;
        let inside = !stack.is_empty();
        match event {
            Event::Start(start) | Event::Empty(start) if !inside && roots_seen > 0 => {
                let _ = start; // A second root element.
                return Err(XmlError::RootElement);
            }
            Event::Start(start) => {
                roots_seen += usize::from(!inside);
                open_element(&mut out, &mut stack, &start)?;
            }
            Event::Empty(start) => {
                roots_seen += usize::from(!inside);
                open_element(&mut out, &mut stack, &start)?;
                close_element(&mut out, &mut stack, &mut fragments)?;
            }
            Event::End(_) => close_element(&mut out, &mut stack, &mut fragments)?,
            Event::Text(text) if inside => escape_text(&mut out, &text.xml10_content()),
            Event::CData(data) if inside => {
                escape_text(&mut out, &normalize_line_endings(&data.into_inner()));
            }
            Event::GeneralRef(reference) if inside => {
                let character = match reference.resolve_char_ref() {
                    Ok(Some(character)) => character,
                    Ok(None) => predefined_entity(&reference.into_inner())?,
                    Err(error) => {
                        return Err(XmlError::Syntax {
                            offset: reader.buffer_position(),
                            reason: error.to_string(),
                        });
                    }
                };
                escape_text(&mut out, character.encode_utf8(&mut [0u8; 4]));
            }
            Event::DocType(_) => return Err(XmlError::DocType),
            Event::Eof => break,
            // Declarations, comments, PIs, and text outside the root carry no content.
            _ => {}
        }
    }
    if roots_seen != 1 || !stack.is_empty() {
        return Err(XmlError::RootElement);
    }
    Ok(CanonicalXml {
        bytes: out,
        fragments,
    })
}

fn open_element(
    out: &mut Vec<u8>,
    stack: &mut Vec<Open>,
    start: &BytesStart<'_>,
) -> Result<(), XmlError> {
    if stack.len() >= XML_DEPTH_MAX {
        return Err(XmlError::TooDeep);
    }
    let name = start.name().as_ref().to_owned();
    let mut attributes: Vec<(String, String)> = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|error| XmlError::Syntax {
            offset: 0,
            reason: error.to_string(),
        })?;
        let key = attribute.key.as_ref().to_owned();
        let value = attribute
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|error| match error {
                quick_xml::Error::Escape(quick_xml::escape::EscapeError::UnrecognizedEntity(
                    _,
                    name,
                )) => XmlError::UnknownEntity { name },
                other => XmlError::Syntax {
                    offset: 0,
                    reason: other.to_string(),
                },
            })?
            .into_owned();
        attributes.push((key, value));
    }
    attributes.sort_unstable();
    if let Some(pair) = attributes.windows(2).find(|pair| pair[0].0 == pair[1].0) {
        return Err(XmlError::DuplicateAttribute {
            element: name,
            attribute: pair[0].0.clone(),
        });
    }
    let e_id = attributes
        .iter()
        .find(|(key, _)| key == "eId")
        .map(|(_, value)| value.clone());
    stack.push(Open {
        start_offset: out.len(),
        e_id,
        name: name.clone(),
    });
    out.push(b'<');
    out.extend_from_slice(name.as_bytes());
    for (key, value) in &attributes {
        out.push(b' ');
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(b"=\"");
        escape_attribute(out, value);
        out.push(b'"');
    }
    out.push(b'>');
    Ok(())
}

fn close_element(
    out: &mut Vec<u8>,
    stack: &mut Vec<Open>,
    fragments: &mut BTreeMap<String, Digest>,
) -> Result<(), XmlError> {
    let open = stack.pop().ok_or(XmlError::RootElement)?;
    out.extend_from_slice(b"</");
    out.extend_from_slice(open.name.as_bytes());
    out.push(b'>');
    if let Some(e_id) = open.e_id {
        let fragment = out.get(open.start_offset..).unwrap_or_default();
        let digest = Digest::tagged(FRAGMENT_TAG, fragment);
        if fragments.insert(e_id.clone(), digest).is_some() {
            return Err(XmlError::DuplicateEId { e_id });
        }
    }
    Ok(())
}

fn predefined_entity(name: &str) -> Result<char, XmlError> {
    match name {
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "amp" => Ok('&'),
        "quot" => Ok('"'),
        "apos" => Ok('\''),
        _ => Err(XmlError::UnknownEntity {
            name: name.to_owned(),
        }),
    }
}

fn normalize_line_endings(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

fn escape_text(out: &mut Vec<u8>, text: &str) {
    for character in text.chars() {
        match character {
            '&' => out.extend_from_slice(b"&amp;"),
            '<' => out.extend_from_slice(b"&lt;"),
            '>' => out.extend_from_slice(b"&gt;"),
            '\r' => out.extend_from_slice(b"&#xD;"),
            other => out.extend_from_slice(other.encode_utf8(&mut [0u8; 4]).as_bytes()),
        }
    }
}

fn escape_attribute(out: &mut Vec<u8>, text: &str) {
    for character in text.chars() {
        match character {
            '&' => out.extend_from_slice(b"&amp;"),
            '<' => out.extend_from_slice(b"&lt;"),
            '"' => out.extend_from_slice(b"&quot;"),
            '\t' => out.extend_from_slice(b"&#x9;"),
            '\n' => out.extend_from_slice(b"&#xA;"),
            '\r' => out.extend_from_slice(b"&#xD;"),
            other => out.extend_from_slice(other.encode_utf8(&mut [0u8; 4]).as_bytes()),
        }
    }
}

#[cfg(test)]
mod tests;
