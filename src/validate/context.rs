//! What every rule needs to look up: maps by id, a group's sync mode, JSON paths, "did you
//! mean" suggestions and number formatting.
//!
//! Built once per validation so that rules stay linear in the size of the project (a
//! project may hold thousands of maps; a linear scan per lookup would make validation
//! quadratic).

use std::collections::HashMap;

use crate::model::{Group, Project, SyncMode, TableMap};

/// A project with its maps indexed by id.
pub(crate) struct Context<'p> {
    pub project: &'p Project,
    map_index: HashMap<&'p str, usize>,
    /// Sync mode per group (index = group index), see [`Context::group_mode`].
    group_modes: Vec<Option<SyncMode>>,
}

impl<'p> Context<'p> {
    pub fn new(project: &'p Project) -> Self {
        let mut map_index = HashMap::with_capacity(project.table_maps.len());
        for (i, map) in project.table_maps.iter().enumerate() {
            // The loader refuses duplicate ids; for a project built in code, the first wins.
            map_index.entry(map.id.as_str()).or_insert(i);
        }
        let mut cx = Context {
            project,
            map_index,
            group_modes: Vec::new(),
        };
        cx.group_modes = project.groups.iter().map(|g| cx.mode_of(g)).collect();
        cx
    }

    /// The index in `tableMaps` and the map with this id.
    pub fn map(&self, id: &str) -> Option<(usize, &'p TableMap)> {
        let project = self.project;
        self.map_index.get(id).map(|&i| (i, &project.table_maps[i]))
    }

    /// The index in `tableMaps` of the map with this id.
    pub fn map_index(&self, id: &str) -> Option<usize> {
        self.map_index.get(id).copied()
    }

    /// The group's maps that exist, with their member index.
    pub fn group_maps<'g>(
        &'g self,
        group: &'g Group,
    ) -> impl Iterator<Item = (usize, &'p TableMap)> + 'g {
        group
            .members
            .iter()
            .enumerate()
            .filter_map(|(k, member)| self.map(&member.map).map(|(_, map)| (k, map)))
    }

    /// The sync mode of the group at this index in `groups`: that of its members. When
    /// members disagree (DW001), the majority's mode, and on a tie the mode of the member that
    /// runs first; `None` for a group with no known member.
    pub fn group_mode(&self, group: usize) -> Option<SyncMode> {
        self.group_modes.get(group).copied().flatten()
    }

    fn mode_of(&self, group: &Group) -> Option<SyncMode> {
        let (mut live, mut asynchronous) = (0usize, 0usize);
        for (_, map) in self.group_maps(group) {
            match map.sync_mode {
                SyncMode::Live => live += 1,
                SyncMode::Async => asynchronous += 1,
            }
        }
        match live.cmp(&asynchronous) {
            std::cmp::Ordering::Greater => Some(SyncMode::Live),
            std::cmp::Ordering::Less => Some(SyncMode::Async),
            std::cmp::Ordering::Equal if live == 0 => None,
            std::cmp::Ordering::Equal => group
                .members_in_sequence()
                .into_iter()
                .find_map(|m| self.map(&m.map))
                .map(|(_, map)| map.sync_mode),
        }
    }

    /// The map id closest to a misspelt one, if one is close enough to suggest.
    pub fn closest_map_id(&self, unknown: &str) -> Option<&'p str> {
        closest(
            unknown,
            self.project.table_maps.iter().map(|m| m.id.as_str()),
        )
    }
}

pub(crate) use crate::model::closest_id as closest;

/// " (did you mean \"x\"?)" or nothing.
pub(crate) fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion
        .map(|s| format!(" Did you mean \"{s}\"?"))
        .unwrap_or_default()
}

/// JSON paths of the places findings point at, spelt as in the project file.
pub(crate) mod path {
    pub fn table_map(map: usize) -> String {
        format!("tableMaps[{map}]")
    }
    pub fn map_key(map: usize, key: &str) -> String {
        format!("tableMaps[{map}].{key}")
    }
    pub fn field(map: usize, field: usize) -> String {
        format!("tableMaps[{map}].fields[{field}]")
    }
    pub fn depends_on(map: usize, entry: usize) -> String {
        format!("tableMaps[{map}].dependsOn[{entry}]")
    }
    pub fn group_key(group: usize, key: &str) -> String {
        format!("groups[{group}].{key}")
    }
    pub fn member(group: usize, member: usize) -> String {
        format!("groups[{group}].members[{member}]")
    }
    pub fn alert_rule_key(rule: usize, key: &str) -> String {
        format!("alertRules[{rule}].{key}")
    }
}

/// `"a", "b" and "c"`.
pub(crate) fn quoted_list<S: AsRef<str>>(items: &[S]) -> String {
    let quoted: Vec<String> = items
        .iter()
        .map(|s| format!("\"{}\"", s.as_ref()))
        .collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// `1,234,567`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_lists_and_numbers_for_messages() {
        assert_eq!(quoted_list(&["a"]), "\"a\"");
        assert_eq!(quoted_list(&["a", "b", "c"]), "\"a\", \"b\" and \"c\"");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(122_526_105), "122,526,105");
    }

    #[test]
    fn suggests_only_close_candidates() {
        let ids = ["customers", "contacts", "sales orders"];
        assert_eq!(closest("customer", ids.into_iter()), Some("customers"));
        assert_eq!(closest("Contacts", ids.into_iter()), Some("contacts"));
        assert_eq!(closest("warehouses", ids.into_iter()), None);
    }
}
