//! The validation rules, one small module per concern. Each rule appends its findings; the
//! caller sorts them, so rules may report in whatever order is cheapest.

pub(crate) mod alert_rules;
pub(crate) mod chart_rules;
pub(crate) mod fields;
pub(crate) mod groups;
pub(crate) mod keys;
pub(crate) mod limits;
pub(crate) mod maps;
