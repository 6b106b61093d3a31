//! Reading the `<DWSettings>` elements of an App.config into plain records.
//!
//! This layer knows XML and the helper's attribute names and nothing of the project model,
//! so that every error about the file's shape carries the line and column of the element or
//! attribute at fault. `<appSettings>` is never read: it is where the helper keeps user names,
//! passwords and MFA secrets, none of which belongs in a project or a log.

use std::collections::HashMap;
use std::path::Path;

use roxmltree::{Document, Node};

use super::HelperConfigError;
use crate::model::Side;

/// A line and column in the file, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Position {
    pub line: u32,
    pub column: u32,
}

/// One `<Map>` of `<MapConfigs>`.
#[derive(Debug, Clone)]
pub(super) struct RawMap {
    pub at: Position,
    pub name: String,
    pub keys: Vec<String>,
    /// The `group` attribute, when present and not empty.
    pub group: Option<String>,
    /// The side of `master`, or `None` when the attribute is absent.
    pub master: Option<Side>,
    /// Attributes the project has no field for (`version`, `authors`, anything else).
    pub other: Vec<(String, String)>,
}

/// One `<Group>` of `<Groups>`.
#[derive(Debug, Clone)]
pub(super) struct RawGroup {
    pub at: Position,
    pub name: String,
    /// `initialSync`, or `None` when the attribute is absent.
    pub initial_sync: Option<bool>,
    /// Attributes the project has no field for (`targetState`, `exceptionHandling`, ...).
    pub other: Vec<(String, String)>,
}

/// What the import uses from an App.config.
#[derive(Debug, Clone, Default)]
pub(super) struct RawConfig {
    pub maps: Vec<RawMap>,
    pub groups: Vec<RawGroup>,
    /// `<Solutions>` entries (the helper imports these solutions first).
    pub solutions: Vec<String>,
    /// Elements inside `<MapConfigs>` or `<Groups>` that are not `<Map>` / `<Group>`.
    pub ignored_elements: Vec<(Position, String)>,
}

/// Parses the XML and collects maps, groups and solutions.
pub(super) fn read(text: &str, path: &Path) -> Result<RawConfig, HelperConfigError> {
    let doc = Document::parse(text).map_err(|error| {
        let pos = error.pos();
        let message = error.to_string();
        // roxmltree ends its message with " at LINE:COLUMN"; the position is reported apart.
        let message = message
            .strip_suffix(&format!(" at {pos}"))
            .map(str::to_string)
            .unwrap_or(message);
        HelperConfigError::NotXml {
            path: path.to_owned(),
            line: pos.row,
            column: pos.col,
            message,
        }
    })?;
    let reader = Reader { doc: &doc, path };
    let map_configs =
        reader
            .single_section("MapConfigs")?
            .ok_or_else(|| HelperConfigError::NoMapConfigs {
                path: path.to_owned(),
            })?;
    let mut config = RawConfig::default();
    for child in map_configs.children().filter(Node::is_element) {
        if child.tag_name().name() == "Map" {
            config.maps.push(reader.map(child)?);
        } else {
            config
                .ignored_elements
                .push((reader.position(child), child.tag_name().name().to_string()));
        }
    }
    if let Some(groups) = reader.single_section("Groups")? {
        for child in groups.children().filter(Node::is_element) {
            if child.tag_name().name() == "Group" {
                config.groups.push(reader.group(child)?);
            } else {
                config
                    .ignored_elements
                    .push((reader.position(child), child.tag_name().name().to_string()));
            }
        }
    }
    if let Some(solutions) = reader.single_section("Solutions")? {
        config.solutions = solutions
            .children()
            .filter(|c| c.has_tag_name("Solution"))
            .filter_map(|c| c.attribute("name"))
            .map(str::to_string)
            .collect();
    }
    check_unique(&config, path)?;
    Ok(config)
}

struct Reader<'a, 'input> {
    doc: &'a Document<'input>,
    path: &'a Path,
}

impl<'a, 'input> Reader<'a, 'input> {
    fn position(&self, node: Node) -> Position {
        self.position_at(node.range().start)
    }

    fn position_at(&self, offset: usize) -> Position {
        let pos = self.doc.text_pos_at(offset);
        Position {
            line: pos.row,
            column: pos.col,
        }
    }

    /// The one element with this name, if any; two are refused (which one would count?).
    fn single_section(&self, name: &str) -> Result<Option<Node<'a, 'input>>, HelperConfigError> {
        let mut found = self
            .doc
            .root_element()
            .descendants()
            .filter(|n| n.has_tag_name(name));
        let first = found.next();
        if let (Some(first), Some(second)) = (first, found.next()) {
            let at = self.position(second);
            return Err(HelperConfigError::RepeatedSection {
                path: self.path.to_owned(),
                line: at.line,
                column: at.column,
                element: name.to_string(),
                first_line: self.position(first).line,
            });
        }
        Ok(first)
    }

    fn map(&self, node: Node) -> Result<RawMap, HelperConfigError> {
        let at = self.position(node);
        let name = match node.attribute("mapName").map(str::trim) {
            Some(name) if !name.is_empty() => name.to_string(),
            _ => {
                return Err(HelperConfigError::MissingMapName {
                    path: self.path.to_owned(),
                    line: at.line,
                    column: at.column,
                })
            }
        };
        let master = match node.attribute_node("master") {
            None => None,
            Some(attribute) => Some(match attribute.value() {
                "CE" => Side::Dataverse,
                "FO" => Side::Fno,
                other => {
                    let at = self.position_at(attribute.range().start);
                    return Err(HelperConfigError::BadAttribute {
                        path: self.path.to_owned(),
                        line: at.line,
                        column: at.column,
                        element: format!("<Map mapName=\"{name}\">"),
                        attribute: "master",
                        value: other.to_string(),
                        allowed: "\"CE\" (Dataverse wins conflicts during initial sync) or \
                                  \"FO\" (finance and operations wins)",
                    });
                }
            }),
        };
        let keys = node.attribute("keys").map(split_keys).unwrap_or_default();
        let group = node
            .attribute("group")
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .map(str::to_string);
        let other = other_attributes(node, &["mapName", "keys", "group", "master"]);
        Ok(RawMap {
            at,
            name,
            keys,
            group,
            master,
            other,
        })
    }

    fn group(&self, node: Node) -> Result<RawGroup, HelperConfigError> {
        let at = self.position(node);
        let name = match node.attribute("name").map(str::trim) {
            Some(name) if !name.is_empty() => name.to_string(),
            _ => {
                return Err(HelperConfigError::MissingGroupName {
                    path: self.path.to_owned(),
                    line: at.line,
                    column: at.column,
                })
            }
        };
        let initial_sync = match node.attribute_node("initialSync") {
            None => None,
            Some(attribute) => Some(
                match attribute.value().trim().to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        let at = self.position_at(attribute.range().start);
                        return Err(HelperConfigError::BadAttribute {
                            path: self.path.to_owned(),
                            line: at.line,
                            column: at.column,
                            element: format!("<Group name=\"{name}\">"),
                            attribute: "initialSync",
                            value: attribute.value().to_string(),
                            allowed: "\"true\" or \"false\"",
                        });
                    }
                },
            ),
        };
        let other = other_attributes(node, &["name", "initialSync"]);
        Ok(RawGroup {
            at,
            name,
            initial_sync,
            other,
        })
    }
}

/// The helper's reading of `keys`: comma separated, blanks removed, empty entries dropped.
fn split_keys(keys: &str) -> Vec<String> {
    keys.split(',')
        .map(|k| k.chars().filter(|c| !c.is_whitespace()).collect::<String>())
        .filter(|k| !k.is_empty())
        .collect()
}

fn other_attributes(node: Node, known: &[&str]) -> Vec<(String, String)> {
    node.attributes()
        .filter(|a| !known.contains(&a.name()))
        .map(|a| (a.name().to_string(), a.value().to_string()))
        .collect()
}

/// Map names and group names are keys in the helper; it matches groups ignoring case, so
/// both are compared that way here.
fn check_unique(config: &RawConfig, path: &Path) -> Result<(), HelperConfigError> {
    let mut maps: HashMap<String, Position> = HashMap::new();
    for map in &config.maps {
        if let Some(first) = maps.insert(map.name.to_lowercase(), map.at) {
            return Err(HelperConfigError::DuplicateMap {
                path: path.to_owned(),
                line: map.at.line,
                column: map.at.column,
                name: map.name.clone(),
                first_line: first.line,
            });
        }
    }
    let mut groups: HashMap<String, Position> = HashMap::new();
    for group in &config.groups {
        if let Some(first) = groups.insert(group.name.to_lowercase(), group.at) {
            return Err(HelperConfigError::DuplicateGroup {
                path: path.to_owned(),
                line: group.at.line,
                column: group.at.column,
                name: group.name.clone(),
                first_line: first.line,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_split_like_the_helper_does() {
        assert_eq!(
            split_keys(" msdyn_name , msdyn_company. cdm_companycode,,"),
            vec!["msdyn_name", "msdyn_company.cdm_companycode"]
        );
        assert!(split_keys("").is_empty());
    }
}
