//! CycloneDX 1.4 to 1.7 (1.2 and 1.3 read with a note), JSON and XML.
//!
//! What is read: `metadata.component` (the subject), `components` with
//! their nested `components`, and of each component `type`, `group`,
//! `name`, `version`, `purl`, `description`, `licenses` and `properties`.
//! Everything else is ignored.

use quick_xml::events::Event;
use quick_xml::Reader;
use serde::Deserialize;

use crate::model::{finish, json_error, Found, Raw};
use crate::{Limits, Sbom, SbomError, SbomFormat};

const SUPPORTED: &str = "CycloneDX 1.2 to 1.7 (1.4 to 1.7 tested)";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bom {
    bom_format: Option<String>,
    spec_version: Option<String>,
    metadata: Option<Metadata>,
    #[serde(default)]
    components: Vec<Component>,
}

#[derive(Deserialize)]
struct Metadata {
    component: Option<Component>,
}

#[derive(Deserialize)]
struct Component {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    name: String,
    group: Option<String>,
    version: Option<String>,
    purl: Option<String>,
    description: Option<String>,
    #[serde(default)]
    licenses: Vec<LicenseChoice>,
    #[serde(default)]
    properties: Vec<Property>,
    #[serde(default)]
    components: Vec<Component>,
}

#[derive(Deserialize)]
struct LicenseChoice {
    license: Option<LicenseObject>,
    expression: Option<String>,
}

#[derive(Deserialize)]
struct LicenseObject {
    id: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize)]
struct Property {
    name: String,
    value: Option<String>,
}

/// Checks a declared `specVersion` and notes versions outside the tested
/// range.
fn check_version(
    version: &str,
    format: SbomFormat,
    file: &str,
    notes: &mut Vec<String>,
) -> Result<(), SbomError> {
    let minor = version
        .strip_prefix("1.")
        .and_then(|m| m.parse::<u32>().ok());
    match minor {
        Some(4..=7) => Ok(()),
        Some(2 | 3) => {
            notes.push(format!(
                "CycloneDX {version} is older than 1.4; read with the 1.4 rules"
            ));
            Ok(())
        }
        _ => Err(SbomError::UnsupportedVersion {
            file: file.to_string(),
            format,
            version: version.chars().take(40).collect(),
            supported: SUPPORTED,
        }),
    }
}

fn raw_of(c: Component, place: String) -> (Raw, Vec<Component>) {
    let mut licenses = Vec::new();
    for l in c.licenses {
        if let Some(e) = l.expression.filter(|e| !e.is_empty()) {
            licenses.push(e);
        }
        if let Some(o) = l.license {
            if let Some(s) = o.id.or(o.name).filter(|s| !s.is_empty()) {
                licenses.push(s);
            }
        }
    }
    let raw = Raw {
        place,
        kind: c.kind.to_ascii_lowercase(),
        name: c.name,
        group: c.group,
        version: c.version,
        purl: c.purl,
        description: c.description,
        licenses,
        props: c
            .properties
            .into_iter()
            .map(|p| (p.name, p.value.unwrap_or_default()))
            .collect(),
        source_info: None,
    };
    (raw, c.components)
}

/// Flattens components depth-first (a component before its children).
fn flatten(
    top: Vec<Component>,
    prefix: &str,
    file: &str,
    limits: &Limits,
    out: &mut Vec<Raw>,
) -> Result<(), SbomError> {
    // (place prefix, remaining siblings), as an explicit stack.
    let mut stack: Vec<(String, std::iter::Enumerate<std::vec::IntoIter<Component>>)> =
        vec![(prefix.to_string(), top.into_iter().enumerate())];
    while let Some((prefix, iter)) = stack.last_mut() {
        let Some((i, c)) = iter.next() else {
            stack.pop();
            continue;
        };
        let place = format!("{prefix}[{i}]");
        let (raw, children) = raw_of(c, place.clone());
        out.push(raw);
        if out.len() > limits.max_components {
            return Err(SbomError::Invalid {
                file: file.to_string(),
                place,
                message: format!("more than {} components", limits.max_components),
            });
        }
        if !children.is_empty() {
            stack.push((
                format!("{place}.components"),
                children.into_iter().enumerate(),
            ));
        }
    }
    Ok(())
}

/// Reads CycloneDX JSON.
pub(crate) fn read_json(bytes: &[u8], file: &str, limits: &Limits) -> Result<Sbom, SbomError> {
    let bom: Bom = serde_json::from_slice(bytes).map_err(|e| json_error(file, &e))?;
    if let Some(f) = bom.bom_format.as_deref().filter(|f| *f != "CycloneDX") {
        return Err(SbomError::Invalid {
            file: file.to_string(),
            place: "bomFormat".into(),
            message: format!(
                "is `{}`, expected `CycloneDX`",
                f.chars().take(40).collect::<String>()
            ),
        });
    }
    let Some(spec_version) = bom.spec_version else {
        return Err(SbomError::Invalid {
            file: file.to_string(),
            place: "specVersion".into(),
            message: "missing: a CycloneDX document declares its version (`1.6`)".into(),
        });
    };
    let mut notes = Vec::new();
    check_version(&spec_version, SbomFormat::CycloneDxJson, file, &mut notes)?;
    let mut components = Vec::new();
    let subject = match bom.metadata.and_then(|m| m.component) {
        Some(c) => {
            let (raw, children) = raw_of(c, "metadata.component".into());
            flatten(
                children,
                "metadata.component.components",
                file,
                limits,
                &mut components,
            )?;
            Some(raw)
        }
        None => None,
    };
    flatten(bom.components, "components", file, limits, &mut components)?;
    Ok(finish(Found {
        format: SbomFormat::CycloneDxJson,
        spec_version,
        subject,
        components,
        notes,
    }))
}

/// The streaming XML reader's state.
#[derive(Default)]
struct XmlState {
    path: Vec<String>,
    /// Components being read, innermost last, each with the path depth
    /// it started at.
    open: Vec<(Raw, usize)>,
    components: Vec<Raw>,
    subject: Option<Raw>,
    spec_version: Option<String>,
    text: String,
    prop_name: String,
    count: usize,
    saw_root: bool,
}

impl XmlState {
    fn start(
        &mut self,
        e: &quick_xml::events::BytesStart<'_>,
        pos: u64,
        file: &str,
        limits: &Limits,
    ) -> Result<(), SbomError> {
        let xml_err = |offset: u64, message: String| SbomError::Xml {
            file: file.to_string(),
            offset,
            message,
        };
        let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
        if self.path.is_empty() {
            if self.saw_root {
                return Err(xml_err(pos, "more than one root element".into()));
            }
            self.saw_root = true;
            if local != "bom" {
                return Err(SbomError::UnknownFormat {
                    file: file.to_string(),
                    detail: format!(
                        "an XML document whose root is `{}`, not CycloneDX `bom` (SPDX RDF/XML is not supported)",
                        local.chars().take(40).collect::<String>()
                    ),
                });
            }
        }
        let mut attrs: Vec<(String, String)> = Vec::new();
        for a in e.attributes() {
            let a = a.map_err(|err| xml_err(pos, format!("bad attribute: {err}")))?;
            let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
            let value = a
                .unescape_value()
                .map_err(|err| xml_err(pos, format!("attribute `{key}`: {err}")))?
                .into_owned();
            attrs.push((key, value));
        }
        let attr = |k: &str| attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        if self.path.is_empty() {
            if let Some(ns) = attr("xmlns") {
                self.spec_version = ns
                    .strip_prefix("http://cyclonedx.org/schema/bom/")
                    .map(str::to_string);
            }
        }
        let parent = self.path.last().map(String::as_str);
        let grandparent = self
            .path
            .len()
            .checked_sub(2)
            .and_then(|i| self.path.get(i))
            .map(String::as_str);
        // Components of the BOM, nested components, and the subject; not
        // the tools under `metadata/tools/components`.
        let wanted = match parent {
            Some("metadata") => true,
            Some("components") => matches!(grandparent, Some("bom") | Some("component")),
            _ => false,
        };
        if local == "component" && wanted {
            self.count += 1;
            if self.count > limits.max_components {
                return Err(xml_err(
                    pos,
                    format!("more than {} components", limits.max_components),
                ));
            }
            let kind = attr("type").unwrap_or_default().to_ascii_lowercase();
            let place = if parent == Some("metadata") {
                "metadata/component".to_string()
            } else {
                format!("component at byte {pos}")
            };
            self.open.push((
                Raw {
                    place,
                    kind,
                    ..Raw::default()
                },
                self.path.len(),
            ));
        }
        if local == "property" {
            self.prop_name = attr("name").unwrap_or_default();
        }
        self.text.clear();
        self.path.push(local);
        if self.path.len() > limits.max_depth {
            return Err(xml_err(
                pos,
                format!("elements nested deeper than {}", limits.max_depth),
            ));
        }
        Ok(())
    }

    /// Closes the innermost element: its text goes to the field its place
    /// names; a closed component is kept.
    fn end(&mut self) {
        let depth = self.path.len();
        let text = std::mem::take(&mut self.text);
        let field = self.field();
        if let Some((raw, _)) = self.open.last_mut() {
            let t = text.trim().to_string();
            match field {
                Some("name") => raw.name = t,
                Some("group") => raw.group = Some(t),
                Some("version") => raw.version = Some(t),
                Some("purl") => raw.purl = Some(t),
                Some("description") => raw.description = Some(t),
                Some("license") if !t.is_empty() => raw.licenses.push(t),
                Some("property") => raw.props.push((std::mem::take(&mut self.prop_name), t)),
                _ => {}
            }
        }
        if let Some((_, start)) = self.open.last() {
            if *start + 1 == depth {
                if let Some((raw, _)) = self.open.pop() {
                    if raw.place.starts_with("metadata") && self.open.is_empty() {
                        self.subject = Some(raw);
                    } else {
                        self.components.push(raw);
                    }
                }
            }
        }
        self.path.pop();
    }

    /// Which component field the innermost element holds, relative to the
    /// innermost open component.
    fn field(&self) -> Option<&'static str> {
        let (_, start) = self.open.last()?;
        let rel: Vec<&str> = self
            .path
            .get(start + 1..)?
            .iter()
            .map(String::as_str)
            .collect();
        Some(match rel.as_slice() {
            ["name"] => "name",
            ["group"] => "group",
            ["version"] => "version",
            ["purl"] => "purl",
            ["description"] => "description",
            ["licenses", "license", "id" | "name"] | ["licenses", "expression"] => "license",
            ["properties", "property"] => "property",
            _ => return None,
        })
    }
}

/// Reads CycloneDX XML, streaming: memory is bounded by the components
/// kept, never by the document's element count. A DOCTYPE (and with it
/// any entity definition) is refused; only the five predefined entities
/// and character references are expanded.
pub(crate) fn read_xml(bytes: &[u8], file: &str, limits: &Limits) -> Result<Sbom, SbomError> {
    let xml_err = |offset: u64, message: String| SbomError::Xml {
        file: file.to_string(),
        offset,
        message,
    };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        xml_err(
            e.valid_up_to() as u64,
            "not UTF-8: palisade reads CycloneDX XML in UTF-8".into(),
        )
    })?;
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut st = XmlState::default();
    loop {
        let pos = reader.buffer_position();
        let ev = reader
            .read_event()
            .map_err(|e| xml_err(reader.error_position(), format!("malformed XML: {e}")))?;
        match ev {
            Event::DocType(_) => return Err(xml_err(
                pos,
                "a DOCTYPE is not allowed in a CycloneDX document (entity definitions are refused)"
                    .into(),
            )),
            Event::Start(e) => st.start(&e, pos, file, limits)?,
            Event::Empty(e) => {
                st.start(&e, pos, file, limits)?;
                st.end();
            }
            Event::End(_) => st.end(),
            Event::Text(t) => {
                let s = t
                    .xml_content()
                    .map_err(|err| xml_err(pos, format!("text: {err}")))?;
                if !st.path.is_empty() {
                    st.text.push_str(&s);
                } else if !s.trim().is_empty() {
                    return Err(xml_err(pos, "text outside the root element".into()));
                }
            }
            Event::CData(t) => {
                let s = t
                    .decode()
                    .map_err(|err| xml_err(pos, format!("CDATA: {err}")))?;
                st.text.push_str(&s);
            }
            Event::GeneralRef(r) => {
                if let Some(c) = r
                    .resolve_char_ref()
                    .map_err(|err| xml_err(pos, format!("character reference: {err}")))?
                {
                    st.text.push(c);
                } else {
                    let name = r
                        .decode()
                        .map_err(|err| xml_err(pos, format!("entity: {err}")))?;
                    match quick_xml::escape::resolve_predefined_entity(&name) {
                        Some(s) => st.text.push_str(s),
                        None => {
                            return Err(xml_err(
                                pos,
                                format!(
                                    "unknown entity `&{};`: only the predefined XML entities are allowed",
                                    name.chars().take(40).collect::<String>()
                                ),
                            ))
                        }
                    }
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    if !st.path.is_empty() {
        return Err(xml_err(
            reader.buffer_position(),
            format!(
                "the document ends inside `<{}>` (truncated)",
                st.path.join("/")
            ),
        ));
    }
    if !st.saw_root {
        return Err(SbomError::UnknownFormat {
            file: file.to_string(),
            detail: "an XML document without a root element".into(),
        });
    }
    let Some(spec_version) = st.spec_version else {
        return Err(SbomError::Invalid {
            file: file.to_string(),
            place: "bom".into(),
            message: "no CycloneDX namespace (`xmlns=\"http://cyclonedx.org/schema/bom/1.6\"`)"
                .into(),
        });
    };
    let mut notes = Vec::new();
    check_version(&spec_version, SbomFormat::CycloneDxXml, file, &mut notes)?;
    Ok(finish(Found {
        format: SbomFormat::CycloneDxXml,
        spec_version,
        subject: st.subject,
        components: st.components,
        notes,
    }))
}
