//! Finding a table map or an entity group by id, for the CLI's `--map`/`--group` and the app's
//! requests: one place that refuses an id the project does not have and names the closest one,
//! so a typo reads the same ("did you mean ...?") wherever it is made.

use super::{Group, Project, TableMap};

/// What kind of id names nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    Map,
    Group,
}

impl std::fmt::Display for IdKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            IdKind::Map => "table map",
            IdKind::Group => "entity group",
        })
    }
}

/// An id that names no table map or entity group of the project.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the project has no {kind} \"{id}\"{}",
    .closest.as_ref().map(|c| format!("; did you mean \"{c}\"?")).unwrap_or_default())]
pub struct UnknownId {
    pub kind: IdKind,
    pub id: String,
    /// The project's id most like `id`, if it has any of this kind.
    pub closest: Option<String>,
}

impl Project {
    /// The table map with this id, or an error naming the closest id.
    pub fn require_map(&self, id: &str) -> Result<&TableMap, UnknownId> {
        self.map(id).ok_or_else(|| UnknownId {
            kind: IdKind::Map,
            id: id.to_string(),
            closest: closest(self.table_maps.iter().map(|m| m.id.as_str()), id),
        })
    }

    /// The entity group with this id, or an error naming the closest id.
    pub fn require_group(&self, id: &str) -> Result<&Group, UnknownId> {
        self.group(id).ok_or_else(|| UnknownId {
            kind: IdKind::Group,
            id: id.to_string(),
            closest: closest(self.groups.iter().map(|g| g.id.as_str()), id),
        })
    }

    /// The maps a run selects: a group's maps in sequence order, or else the maps named (each
    /// checked; empty: none chosen, which callers read as "all").
    pub fn selected_maps(
        &self,
        group: Option<&str>,
        maps: &[String],
    ) -> Result<Vec<String>, UnknownId> {
        if let Some(group) = group {
            return Ok(self.require_group(group)?.map_ids_in_sequence());
        }
        for map in maps {
            self.require_map(map)?;
        }
        Ok(maps.to_vec())
    }

    /// The map id most like `id`, for a "did you mean" when `id` names no map.
    pub fn closest_map_id(&self, id: &str) -> Option<&str> {
        closest_id(id, self.table_maps.iter().map(|m| m.id.as_str()))
    }
}

fn closest<'a>(candidates: impl Iterator<Item = &'a str>, id: &str) -> Option<String> {
    closest_id(id, candidates).map(str::to_string)
}

/// How similar a candidate must be (Jaro-Winkler, 0..1, ignoring case) to be suggested.
const SUGGESTION_THRESHOLD: f64 = 0.8;

/// The candidate closest to `unknown`, if one is close enough to suggest (the validation
/// findings' "did you mean" uses the same rule).
pub fn closest_id<'a>(unknown: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let unknown = unknown.to_lowercase();
    candidates
        .map(|c| (strsim::jaro_winkler(&unknown, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= SUGGESTION_THRESHOLD)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> Project {
        let mut project = Project::empty("p");
        let standard = crate::templates::standard_maps().unwrap();
        for (id, template) in ["customers", "contacts"].into_iter().zip(standard) {
            let mut map = template.to_table_map();
            map.id = id.into();
            project.table_maps.push(map);
        }
        let group: Group = serde_json::from_value(serde_json::json!({
            "id": "parties",
            "name": "Parties",
            "members": [{"map": "contacts", "sequence": 2}, {"map": "customers", "sequence": 1}],
        }))
        .unwrap();
        project.groups.push(group);
        project
    }

    #[test]
    fn an_unknown_id_names_the_closest_of_its_kind() {
        let project = project();
        let error = project.require_map("custmers").unwrap_err();
        assert_eq!(error.closest.as_deref(), Some("customers"));
        assert_eq!(
            error.to_string(),
            "the project has no table map \"custmers\"; did you mean \"customers\"?"
        );
        let error = project.require_group("partys").unwrap_err();
        assert_eq!(
            (error.kind, error.closest.as_deref()),
            (IdKind::Group, Some("parties"))
        );
        let empty = Project::empty("empty");
        assert_eq!(
            empty.require_map("x").unwrap_err().to_string(),
            "the project has no table map \"x\""
        );
    }

    #[test]
    fn a_group_selects_its_maps_in_sequence_order_and_named_maps_are_checked() {
        let project = project();
        assert_eq!(
            project.selected_maps(Some("parties"), &[]).unwrap(),
            ["customers", "contacts"]
        );
        let named = vec!["contacts".to_string()];
        assert_eq!(project.selected_maps(None, &named).unwrap(), named);
        let wrong = vec!["contacts".to_string(), "ghost".to_string()];
        assert_eq!(project.selected_maps(None, &wrong).unwrap_err().id, "ghost");
    }
}
