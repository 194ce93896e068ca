//! The transitions chart as data: what the report draws as an SVG (HealthyHostCount over time, the
//! alarm state as coloured bands, marks where Unicorn stopped and started and where mails came).
//! A leaf: the transitions step fills it from its evidence and the report renders it
//! (`report::chart`), without either reaching the other.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimelineChart {
    pub title: String,
    /// The metric's name, e.g. `HealthyHostCount`.
    pub series_label: String,
    pub points: Vec<(DateTime<Utc>, f64)>,
    /// The alarm's state over time.
    pub bands: Vec<StateBand>,
    pub marks: Vec<Mark>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StateBand {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// `OK`, `ALARM` or `INSUFFICIENT_DATA`.
    pub state: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mark {
    pub at: DateTime<Utc>,
    pub label: String,
}
