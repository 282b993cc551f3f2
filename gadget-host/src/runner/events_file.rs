//! The runner's events file: JSON lines, checked against the schema before
//! anything runs.
//!
//! Each line is one packet:
//!
//! - `{"datasource": "exec", "event": {"pid": 42, "comm": "bash"}}` for a
//!   single data source;
//! - `{"datasource": "batches", "events": [{...}, {...}]}` for an array one;
//! - when the schema declares exactly one data source, the fields alone:
//!   `{"pid": 42}` (or `[{...}, {...}]` for an array data source).
//!
//! Empty lines and lines starting with `#` are skipped. Strings go into
//! string and bytes fields (`"\u0000"` for a NUL); bytes may also be arrays
//! of numbers.

use std::path::Path;

use serde_json::Value as Json;

use super::RunError;
use super::schema::Schema;
use crate::spec::{DataSourceType, FieldSpec};
use crate::{Event, Value};

/// One packet to push.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// Line number in the events file (1-based).
    pub line: usize,
    /// Data source to push onto.
    pub datasource: String,
    /// The packet.
    pub packet: Packet,
}

/// The contents of one pushed packet.
#[derive(Debug, Clone, PartialEq)]
pub enum Packet {
    /// One event for a single data source.
    Single(Event),
    /// The elements of an array packet.
    Array(Vec<Event>),
}

/// Reads and checks an events file against `schema`.
pub fn load(path: &Path, schema: &Schema) -> Result<Vec<Input>, RunError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| RunError::Input {
        file: file.clone(),
        line: None,
        message: format!("cannot read the events: {e}"),
    })?;
    parse(&text, schema).map_err(|(line, message)| RunError::Input {
        file,
        line: Some(line),
        message,
    })
}

/// Parses events text; errors are `(line, message)`.
pub fn parse(text: &str, schema: &Schema) -> Result<Vec<Input>, (usize, String)> {
    let mut inputs = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let json: Json = serde_json::from_str(trimmed).map_err(|e| {
            (
                line,
                format!(
                    "not JSON: {}",
                    super::schema::strip_position(&e.to_string())
                ),
            )
        })?;
        inputs.push(input(line, &json, schema).map_err(|m| (line, m))?);
    }
    Ok(inputs)
}

fn input(line: usize, json: &Json, schema: &Schema) -> Result<Input, String> {
    let (name, body) = match json.as_object().and_then(|o| o.get("datasource")) {
        Some(Json::String(name)) => {
            let obj = json.as_object().into_iter().flatten();
            let mut body = None;
            for (key, value) in obj {
                match key.as_str() {
                    "datasource" => {}
                    "event" | "events" => body = Some(value),
                    other => {
                        return Err(format!(
                            "unknown key `{other}`: a line is {{\"datasource\": ..., \"event\": {{...}}}} or {{\"datasource\": ..., \"events\": [...]}}"
                        ));
                    }
                }
            }
            let body =
                body.ok_or_else(|| format!("data source `{name}`: no \"event\" or \"events\""))?;
            (name.as_str(), body)
        }
        Some(_) => return Err("\"datasource\" must be a string".into()),
        None => match schema.datasources.as_slice() {
            [only] => (only.name.as_str(), json),
            [] => return Err("the schema declares no data source to push onto".into()),
            _ => {
                return Err(
                    "the schema declares several data sources: say which with {\"datasource\": ..., \"event\": {...}}"
                        .into(),
                );
            }
        },
    };
    let (ds, fields) = schema.input_fields(name).ok_or_else(|| {
        let known: Vec<_> = schema.datasources.iter().map(|d| d.name.as_str()).collect();
        format!(
            "data source `{name}` is not in the schema (it has: {})",
            known.join(", ")
        )
    })?;
    let packet = match (ds.ds_type, body) {
        (DataSourceType::Single, Json::Object(_)) => Packet::Single(event(name, body, &fields)?),
        (DataSourceType::Array, Json::Array(items)) => Packet::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    event(name, item, &fields).map_err(|e| format!("element {i}: {e}"))
                })
                .collect::<Result<_, _>>()?,
        ),
        (DataSourceType::Single, _) => {
            return Err(format!(
                "data source `{name}` is single: its event must be a JSON object"
            ));
        }
        (DataSourceType::Array, _) => {
            return Err(format!(
                "data source `{name}` is an array: its events must be a JSON array of objects"
            ));
        }
    };
    Ok(Input {
        line,
        datasource: name.to_owned(),
        packet,
    })
}

/// One event, with every field checked against its declaration.
fn event(datasource: &str, json: &Json, fields: &[&FieldSpec]) -> Result<Event, String> {
    let obj = json
        .as_object()
        .ok_or_else(|| format!("an event of `{datasource}` must be a JSON object, found {json}"))?;
    let mut event = Event::new();
    for (name, value) in obj {
        let spec = fields.iter().find(|f| f.name == *name).ok_or_else(|| {
            let known: Vec<_> = fields.iter().map(|f| f.name.as_str()).collect();
            format!(
                "field `{name}` is not in data source `{datasource}` (its fields: {})",
                known.join(", ")
            )
        })?;
        let value = Value::from_json(value).map_err(|e| format!("field `{name}`: {e}"))?;
        value
            .encode(spec.kind, spec.size.map(|s| s as usize))
            .map_err(|e| format!("field `{name}`: {e}"))?;
        event.insert(name.clone(), value);
    }
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FieldKind;
    use crate::spec::DataSourceSpec;

    fn schema() -> Schema {
        Schema {
            datasources: vec![
                DataSourceSpec::single("exec")
                    .field("pid", FieldKind::Uint32)
                    .field_fixed("comm", FieldKind::String, 4),
                DataSourceSpec::array("batch").field("n", FieldKind::Uint8),
            ],
            ..Schema::default()
        }
    }

    #[test]
    fn reads_single_and_array_packets_and_skips_comments() {
        let text = "# a comment\n\n{\"datasource\":\"exec\",\"event\":{\"pid\":1,\"comm\":\"sh\"}}\n{\"datasource\":\"batch\",\"events\":[{\"n\":1},{\"n\":2}]}\n";
        let inputs = parse(text, &schema()).unwrap();
        assert_eq!(inputs.len(), 2);
        assert_eq!(inputs[0].line, 3);
        assert_eq!(
            inputs[0].packet,
            Packet::Single(Event::new().set("pid", Value::I64(1)).set("comm", "sh"))
        );
        assert!(matches!(&inputs[1].packet, Packet::Array(v) if v.len() == 2));
    }

    #[test]
    fn bare_events_need_a_single_data_source_in_the_schema() {
        let one = Schema {
            datasources: vec![DataSourceSpec::single("exec").field("pid", FieldKind::Uint32)],
            ..Schema::default()
        };
        assert_eq!(parse("{\"pid\": 3}", &one).unwrap()[0].datasource, "exec");
        let (line, e) = parse("\n{\"pid\": 3}", &schema()).unwrap_err();
        assert_eq!(line, 2);
        assert!(e.contains("several data sources"), "{e}");
    }

    #[test]
    fn errors_name_the_line_and_the_field() {
        let s = schema();
        let (line, e) = parse("{\"datasource\":\"exec\",\"event\":{\"pidd\":1}}", &s).unwrap_err();
        assert_eq!(line, 1);
        assert_eq!(
            e,
            "field `pidd` is not in data source `exec` (its fields: pid, comm)"
        );
        let (_, e) = parse("{\"datasource\":\"exec\",\"event\":{\"pid\":\"x\"}}", &s).unwrap_err();
        assert!(e.starts_with("field `pid`: cannot store"), "{e}");
        let (_, e) = parse("{\"datasource\":\"exec\",\"event\":{\"pid\":-1}}", &s).unwrap_err();
        assert!(e.starts_with("field `pid`: -1 is out of range"), "{e}");
        let (_, e) = parse(
            "{\"datasource\":\"exec\",\"event\":{\"comm\":\"toolong\"}}",
            &s,
        )
        .unwrap_err();
        assert!(e.contains("fixed size of 4"), "{e}");
        let (_, e) = parse("{\"datasource\":\"nope\",\"event\":{}}", &s).unwrap_err();
        assert_eq!(
            e,
            "data source `nope` is not in the schema (it has: exec, batch)"
        );
        let (_, e) = parse("{\"datasource\":\"batch\",\"event\":{}}", &s).unwrap_err();
        assert!(e.contains("is an array"), "{e}");
        let (_, e) = parse("{oops", &s).unwrap_err();
        assert!(e.starts_with("not JSON: "), "{e}");
        let (_, e) = parse("{\"datasource\":\"batch\",\"events\":[{\"n\":300}]}", &s).unwrap_err();
        assert!(
            e.starts_with("element 0: field `n`: 300 is out of range"),
            "{e}"
        );
    }
}
