//! The runner's events file: JSON lines, checked against the schema before
//! anything runs. `gadget-host/FORMATS.md` documents it for users.
//!
//! Each line is one of:
//!
//! - a packet: `{"datasource": "exec", "event": {"pid": 42}}` for a single
//!   data source, `{"datasource": "batches", "events": [{...}, {...}]}` for
//!   an array one; when the schema declares exactly one data source, the
//!   fields alone: `{"pid": 42}` (or `[{...}, {...}]`);
//! - a perf record: `{"perf": "events", "cpu": 0, "data": "0a0b", "when":
//!   "next_log"}` (a sample; `when` is `now`, the default, `reader_created`
//!   or `next_log`), or `{"perf": "events", "lost": 3}` (lost samples);
//!   the map is declared in the schema or created by the gadget (`newMap`);
//! - a point in the lifecycle: `{"after": "init"}`, `"pre_start"` or
//!   `"start"` (the default): the lines below it run once that hook has
//!   returned, before the next one. Points only move forward.
//!
//! Empty lines and lines starting with `#` are skipped. Bytes fields take a
//! hex string (`"0a1b"`) or an array of numbers; string fields take text
//! (`"\u0000"` for a NUL).

use std::path::Path;

use serde_json::Value as Json;

use super::RunError;
use super::schema::Schema;
use crate::spec::{DataSourceType, FieldSpec, map_type};
use crate::{Event, FieldKind, PerfRecord, PerfWhen, Value};

/// A hook after which lines run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum After {
    /// After `gadgetInit`, before `gadgetPreStart`.
    Init,
    /// After `gadgetPreStart`, before `gadgetStart`.
    PreStart,
    /// After `gadgetStart`, before `gadgetStop`.
    Start,
}

impl After {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "init" => Self::Init,
            "pre_start" => Self::PreStart,
            "start" => Self::Start,
            _ => return None,
        })
    }
}

/// One line to act on.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// Line number in the events file (1-based).
    pub line: usize,
    /// The hook after which it runs.
    pub after: After,
    /// What to do.
    pub action: Action,
}

/// What a line does.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Push a packet onto a data source.
    Push {
        /// The data source.
        datasource: String,
        /// The packet.
        packet: Packet,
    },
    /// Write a perf record into a perf event array.
    Perf {
        /// The map's name (declared, or given to `newMap`).
        map: String,
        /// When it is written.
        when: PerfWhen,
        /// The record.
        record: PerfRecord,
    },
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
    let mut after = After::Start;
    let mut marked = false;
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
        let obj = json.as_object();
        if let Some(point) = obj.and_then(|o| o.get("after")) {
            let next = point
                .as_str()
                .and_then(After::parse)
                .filter(|_| obj.is_some_and(|o| o.len() == 1))
                .ok_or_else(|| {
                    (
                        line,
                        format!(
                            "a point line is {{\"after\": \"init\" | \"pre_start\" | \"start\"}}, found {json}"
                        ),
                    )
                })?;
            // Lines before the first point run after start, the default.
            if next < after && (marked || !inputs.is_empty()) {
                return Err((
                    line,
                    format!(
                        "{{\"after\": {point}}} goes back in the lifecycle: points only move forward (init, pre_start, start)"
                    ),
                ));
            }
            after = next;
            marked = true;
            continue;
        }
        let action = if obj.is_some_and(|o| o.contains_key("perf")) {
            perf(&json, schema)
        } else {
            push(&json, schema)
        }
        .map_err(|m| (line, m))?;
        inputs.push(Input {
            line,
            after,
            action,
        });
    }
    Ok(inputs)
}

fn perf(json: &Json, schema: &Schema) -> Result<Action, String> {
    let obj = json.as_object().expect("checked by the caller");
    let map = obj["perf"]
        .as_str()
        .ok_or("\"perf\" names a perf event array and must be a string")?
        .to_owned();
    if let Some(declared) = schema.maps.iter().find(|m| m.name == map) {
        if declared.map_type != map_type::PERF_EVENT_ARRAY {
            return Err(format!(
                "map `{map}` is declared with type {}, not a perf event array (4)",
                declared.map_type
            ));
        }
    }
    let mut cpu = 0;
    let mut when = PerfWhen::Now;
    let mut data = None;
    let mut lost = None;
    for (key, value) in obj {
        match key.as_str() {
            "perf" => {}
            "cpu" => {
                cpu = value
                    .as_u64()
                    .and_then(|c| u32::try_from(c).ok())
                    .ok_or_else(|| format!("\"cpu\" must be a CPU number, found {value}"))?;
            }
            "when" => {
                when = serde_json::from_value(value.clone()).map_err(|_| {
                    format!(
                        "\"when\" is \"now\", \"reader_created\" or \"next_log\", found {value}"
                    )
                })?;
            }
            "data" => data = Some(bytes(value).map_err(|e| format!("\"data\": {e}"))?),
            "lost" => {
                lost = Some(value.as_u64().ok_or_else(|| {
                    format!("\"lost\" is a number of lost samples, found {value}")
                })?);
            }
            other => {
                return Err(format!(
                    "unknown key `{other}` in a perf line (keys: perf, cpu, data or lost, when)"
                ));
            }
        }
    }
    let record = match (data, lost) {
        (Some(data), None) => PerfRecord::Sample { cpu, data },
        (None, Some(count)) => PerfRecord::Lost { cpu, count },
        _ => {
            return Err(format!(
                "perf record for `{map}`: give either \"data\" (hex bytes) or \"lost\" (a count)"
            ));
        }
    };
    Ok(Action::Perf { map, when, record })
}

/// Bytes as a hex string or an array of numbers.
fn bytes(json: &Json) -> Result<Vec<u8>, String> {
    match json {
        Json::String(text) => crate::from_hex(text),
        Json::Array(_) => match Value::from_json(json)? {
            Value::Bytes(b) => Ok(b),
            _ => unreachable!("arrays read as bytes"),
        },
        other => Err(format!(
            "bytes are a hex string (\"0a1b\") or an array of numbers, found {other}"
        )),
    }
}

fn push(json: &Json, schema: &Schema) -> Result<Action, String> {
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
    Ok(Action::Push {
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
        let value = if spec.kind == FieldKind::Bytes {
            bytes(value).map(Value::Bytes)
        } else {
            Value::from_json(value)
        }
        .map_err(|e| format!("field `{name}`: {e}"))?;
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
            inputs[0].action,
            Action::Push {
                datasource: "exec".into(),
                packet: Packet::Single(Event::new().set("pid", Value::I64(1)).set("comm", "sh"))
            }
        );
        assert!(
            matches!(&inputs[1].action, Action::Push { packet: Packet::Array(v), .. } if v.len() == 2)
        );
    }

    #[test]
    fn bare_events_need_a_single_data_source_in_the_schema() {
        let one = Schema {
            datasources: vec![DataSourceSpec::single("exec").field("pid", FieldKind::Uint32)],
            ..Schema::default()
        };
        assert!(matches!(
            &parse("{\"pid\": 3}", &one).unwrap()[0].action,
            Action::Push { datasource, .. } if datasource == "exec"
        ));
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

    #[test]
    fn perf_lines_points_and_hex_bytes() {
        let s = Schema {
            datasources: vec![DataSourceSpec::single("raw").field("b", FieldKind::Bytes)],
            maps: vec![
                crate::MapSpec::perf_event_array("events"),
                crate::MapSpec::hash("counts", 4, 4, 8),
            ],
            ..Schema::default()
        };
        let text = concat!(
            "{\"after\": \"init\"}\n",
            "{\"perf\": \"events\", \"cpu\": 1, \"data\": \"0A0b\", \"when\": \"reader_created\"}\n",
            "{\"after\": \"start\"}\n",
            "{\"perf\": \"per_container\", \"lost\": 3}\n",
            "{\"b\": \"00ff\"}\n",
            "{\"b\": [1, 2]}\n",
        );
        let inputs = parse(text, &s).unwrap();
        assert_eq!(inputs.len(), 4);
        assert_eq!(inputs[0].after, After::Init);
        assert_eq!(
            inputs[0].action,
            Action::Perf {
                map: "events".into(),
                when: PerfWhen::ReaderCreated,
                record: PerfRecord::Sample {
                    cpu: 1,
                    data: vec![10, 11]
                }
            }
        );
        assert_eq!(inputs[1].after, After::Start);
        assert!(matches!(
            &inputs[1].action,
            Action::Perf {
                record: PerfRecord::Lost { count: 3, .. },
                when: PerfWhen::Now,
                ..
            }
        ));
        let bytes_of = |i: &Input| match &i.action {
            Action::Push {
                packet: Packet::Single(e),
                ..
            } => e.get("b").cloned(),
            _ => None,
        };
        assert_eq!(bytes_of(&inputs[2]), Some(Value::Bytes(vec![0, 255])));
        assert_eq!(bytes_of(&inputs[3]), Some(Value::Bytes(vec![1, 2])));

        for (text, want) in [
            ("{\"b\": \"0g\"}", "field `b`: `0g` is not hex"),
            ("{\"b\": \"abc\"}", "odd length"),
            (
                "{\"perf\": \"counts\", \"data\": \"00\"}",
                "map `counts` is declared with type 1, not a perf event array",
            ),
            (
                "{\"perf\": \"events\"}",
                "give either \"data\" (hex bytes) or \"lost\"",
            ),
            (
                "{\"perf\": \"events\", \"lost\": 1, \"when\": \"later\"}",
                "\"when\" is \"now\"",
            ),
            ("{\"after\": \"stop\"}", "a point line is"),
            (
                "{\"after\": \"start\"}\n{\"after\": \"init\"}",
                "goes back in the lifecycle",
            ),
            (
                "{\"b\": \"00\"}\n{\"after\": \"pre_start\"}",
                "goes back in the lifecycle",
            ),
        ] {
            let (_, e) = parse(text, &s).unwrap_err();
            assert!(e.contains(want), "{text}: {e}");
        }
    }
}
