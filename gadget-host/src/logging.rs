//! Log records of a run: the gadget's own (`gadgetLog`) and the warnings ig
//! itself would log about failed calls.

use serde::{Deserialize, Serialize};

/// ig's log levels (ABI §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// 0
    Error = 0,
    /// 1
    Warn = 1,
    /// 2
    Info = 2,
    /// 3
    Debug = 3,
    /// 4
    Trace = 4,
}

impl LogLevel {
    /// From the ABI number.
    pub fn from_abi(n: u32) -> Option<Self> {
        Some(match n {
            0 => Self::Error,
            1 => Self::Warn,
            2 => Self::Info,
            3 => Self::Debug,
            4 => Self::Trace,
            _ => return None,
        })
    }

    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warn => "warn",
            Self::Info => "info",
            Self::Debug => "debug",
            Self::Trace => "trace",
        }
    }
}

/// Who wrote a log record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogSource {
    /// The gadget, through `gadgetLog`.
    Gadget,
    /// The host, about a failed call (ig logs most failures as warnings).
    Host,
}

/// One log record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogRecord {
    /// Level.
    pub level: LogLevel,
    /// Who logged it.
    pub source: LogSource,
    /// Message (lossy UTF-8).
    pub message: String,
}
