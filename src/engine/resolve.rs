//! Resolution of a project's table maps against both endpoints' discovered schemas.
//!
//! A project is written by hand and by the app; the databases are what they are. Before a row
//! moves, every table, key column and field column a map names is looked up in the discovered
//! schema of its side (exact, then case-insensitive when unambiguous), so a typo is one clear
//! error naming the map, the side and the closest existing name, instead of a failure deep inside
//! a batch. The result, [`ResolvedMap`], carries the names as the databases spell them, which is
//! also what makes them safe to quote into SQL.
//!
//! Lookups are resolved here too: a field's `lookup.table` may name either side's table of the
//! map that provides it; the engine always resolves through the Dataverse table of that map,
//! because that is where a row has both representations (its GUID id and its natural key).

use crate::endpoint::{ColumnName, EndpointError, Schema, TableSchema};
use crate::model::{FieldDirection, Project, Side, TableMap, Transform};

use super::EngineError;

/// Column names that hold the legal entity (company) of a row on the F&O side.
const COMPANY_COLUMNS: [&str; 2] = ["dataAreaId", "DataAreaId"];

/// A lookup resolved to the Dataverse table that holds both representations of the row.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedLookup {
    /// The map that provides the referenced table.
    pub provider_map: String,
    /// The referenced Dataverse table, as the database spells it.
    pub dataverse_table: String,
    /// Its natural-key column (the value F&O holds).
    pub natural_key: String,
    /// Its primary-key (id) column (the value Dataverse holds).
    pub id_column: String,
    /// Its company column, when the referenced map is company-striped on Dataverse.
    pub company_column: Option<String>,
}

/// One field of a map with resolved column names.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedField {
    /// Index in the map's `fields`.
    pub index: usize,
    /// F&O column (a [`ColumnName`]: the transform clones it into every row it builds).
    pub fno: ColumnName,
    /// Dataverse column.
    pub dataverse: ColumnName,
    /// Which way the field writes.
    pub direction: FieldDirection,
    /// Value map or default.
    pub transform: Option<Transform>,
    /// The resolved lookup, if the field references another table.
    pub lookup: Option<ResolvedLookup>,
}

impl ResolvedField {
    /// The column on a side.
    pub fn column(&self, side: Side) -> &str {
        self.column_name(side).as_str()
    }

    /// The column on a side, as the key of a [`crate::endpoint::Row`].
    pub fn column_name(&self, side: Side) -> &ColumnName {
        match side {
            Side::Fno => &self.fno,
            Side::Dataverse => &self.dataverse,
        }
    }

    /// How messages name the field.
    pub fn label(&self) -> String {
        format!("{} <-> {}", self.fno, self.dataverse)
    }
}

/// A table map resolved against both schemas.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedMap {
    /// The map as written in the project.
    pub map: TableMap,
    /// F&O entity name as the database spells it.
    pub fno_table: String,
    /// Dataverse table name as the database spells it.
    pub dataverse_table: String,
    /// F&O integration key columns.
    pub fno_keys: Vec<String>,
    /// Dataverse integration key columns.
    pub dataverse_keys: Vec<String>,
    /// Every field, resolved.
    pub fields: Vec<ResolvedField>,
    /// The field that carries the legal entity, when the map is company-striped.
    pub company_field: Option<usize>,
}

impl ResolvedMap {
    /// The map id.
    pub fn id(&self) -> &str {
        &self.map.id
    }

    /// The table on a side.
    pub fn table(&self, side: Side) -> &str {
        match side {
            Side::Fno => &self.fno_table,
            Side::Dataverse => &self.dataverse_table,
        }
    }

    /// The integration key columns on a side.
    pub fn keys(&self, side: Side) -> &[String] {
        match side {
            Side::Fno => &self.fno_keys,
            Side::Dataverse => &self.dataverse_keys,
        }
    }

    /// The fields that write into `destination`.
    pub fn fields_to(&self, destination: Side) -> impl Iterator<Item = &ResolvedField> {
        self.fields
            .iter()
            .filter(move |f| f.direction.writes_to(destination))
    }

    /// The company column on a side (company-striped maps only).
    pub fn company_column(&self, side: Side) -> Option<&str> {
        self.company_field
            .and_then(|i| self.fields.get(i))
            .map(|f| f.column(side))
    }
}

/// Resolves every map of the project; the first error stops.
pub fn resolve_project(
    project: &Project,
    fno: (&str, &Schema),
    dataverse: (&str, &Schema),
) -> Result<Vec<ResolvedMap>, EngineError> {
    project
        .table_maps
        .iter()
        .map(|map| resolve_map(project, map, fno, dataverse))
        .collect()
}

/// Resolves one map against both schemas (`(endpoint name, schema)` per side).
pub fn resolve_map(
    project: &Project,
    map: &TableMap,
    fno: (&str, &Schema),
    dataverse: (&str, &Schema),
) -> Result<ResolvedMap, EngineError> {
    let at = |side: Side| {
        move |source: EndpointError| EngineError::Resolve {
            map: map.id.clone(),
            side,
            source: Box::new(source),
        }
    };
    let fno_table = fno.1.table(fno.0, &map.fno.entity).map_err(at(Side::Fno))?;
    let dv_table = dataverse
        .1
        .table(dataverse.0, &map.dataverse.table)
        .map_err(at(Side::Dataverse))?;
    let fno_keys = column_names(fno_table, fno.0, &map.fno.keys).map_err(at(Side::Fno))?;
    let dataverse_keys =
        column_names(dv_table, dataverse.0, &map.dataverse.keys).map_err(at(Side::Dataverse))?;
    for (side, keys) in [(Side::Fno, &fno_keys), (Side::Dataverse, &dataverse_keys)] {
        if keys.is_empty() {
            return Err(EngineError::InvalidMap {
                map: map.id.clone(),
                reason: format!("the {side} side has no key columns; add \"keys\""),
            });
        }
    }
    let mut fields = Vec::with_capacity(map.fields.len());
    for (index, field) in map.fields.iter().enumerate() {
        let fno_column = fno_table.column(fno.0, &field.fno).map_err(at(Side::Fno))?;
        let dv_column = dv_table
            .column(dataverse.0, &field.dataverse)
            .map_err(at(Side::Dataverse))?;
        let lookup = match &field.lookup {
            Some(lookup) => Some(resolve_lookup(project, map, lookup, dataverse)?),
            None => None,
        };
        fields.push(ResolvedField {
            index,
            fno: fno_column.name.as_str().into(),
            dataverse: dv_column.name.as_str().into(),
            direction: field.direction,
            transform: field.transform.clone(),
            lookup,
        });
    }
    let company_field = if map.fno.company_striped {
        fields.iter().position(|f| {
            COMPANY_COLUMNS
                .iter()
                .any(|c| f.fno.eq_ignore_ascii_case(c))
        })
    } else {
        None
    };
    Ok(ResolvedMap {
        map: map.clone(),
        fno_table: fno_table.name.clone(),
        dataverse_table: dv_table.name.clone(),
        fno_keys,
        dataverse_keys,
        fields,
        company_field,
    })
}

fn column_names(
    table: &TableSchema,
    endpoint: &str,
    names: &[String],
) -> Result<Vec<String>, EndpointError> {
    Ok(table
        .columns_named(endpoint, names)?
        .into_iter()
        .map(|c| c.name.clone())
        .collect())
}

/// Finds the Dataverse table a lookup refers to, through the map that provides it.
fn resolve_lookup(
    project: &Project,
    map: &TableMap,
    lookup: &crate::model::Lookup,
    dataverse: (&str, &Schema),
) -> Result<ResolvedLookup, EngineError> {
    let provider = project
        .table_maps
        .iter()
        .find(|m| m.provides_table(&lookup.table))
        .ok_or_else(|| EngineError::InvalidMap {
            map: map.id.clone(),
            reason: format!(
                "a lookup refers to table \"{}\", which no table map provides; add a map for it",
                lookup.table
            ),
        })?;
    let at = |source| EngineError::Resolve {
        map: provider.id.clone(),
        side: Side::Dataverse,
        source: Box::new(source),
    };
    let table = dataverse
        .1
        .table(dataverse.0, &provider.dataverse.table)
        .map_err(at)?;
    // The key names a column of whichever table the lookup named; on the F&O entity it is
    // carried to Dataverse by the provider's field of that column.
    let natural = if provider.dataverse.table.eq_ignore_ascii_case(&lookup.table) {
        lookup.key.clone()
    } else {
        provider
            .fields
            .iter()
            .find(|f| f.fno.eq_ignore_ascii_case(&lookup.key))
            .map(|f| f.dataverse.clone())
            .ok_or_else(|| EngineError::InvalidMap {
                map: map.id.clone(),
                reason: format!(
                    "a lookup uses key \"{}\" of \"{}\", but map \"{}\" has no field for that column",
                    lookup.key, lookup.table, provider.id
                ),
            })?
    };
    let natural_key = table
        .column(dataverse.0, &natural)
        .map_err(at)?
        .name
        .clone();
    let id_column = match table.primary_key.as_slice() {
        [id] => id.clone(),
        _ => {
            return Err(EngineError::InvalidMap {
                map: provider.id.clone(),
                reason: format!(
                    "Dataverse table \"{}\" needs a single-column primary key (its id) for lookups",
                    table.name
                ),
            })
        }
    };
    let company_column = if provider.fno.company_striped {
        provider
            .fields
            .iter()
            .find(|f| {
                COMPANY_COLUMNS
                    .iter()
                    .any(|c| f.fno.eq_ignore_ascii_case(c))
            })
            .map(|f| {
                table
                    .column(dataverse.0, &f.dataverse)
                    .map(|c| c.name.clone())
            })
            .transpose()
            .map_err(at)?
    } else {
        None
    };
    Ok(ResolvedLookup {
        provider_map: provider.id.clone(),
        dataverse_table: table.name.clone(),
        natural_key,
        id_column,
        company_column,
    })
}
