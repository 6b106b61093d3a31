// Searching the tables a connection test discovered, and what role a column plays in its
// table's keys, for the table browser.

import type { ColumnSchema, TableSchema } from "../bindings";

/** Tables whose name, or one of whose column names, contains the search text. */
export function searchTables(tables: TableSchema[], query: string): TableSchema[] {
  const q = query.trim().toLowerCase();
  if (q === "") return tables;
  return tables.filter(
    (t) => t.name.toLowerCase().includes(q) || t.columns.some((c) => c.name.toLowerCase().includes(q)),
  );
}

/** "PK", "PK 2", "UK", "UK1 UK2" ... for a column. */
export function keyRoles(table: TableSchema, column: ColumnSchema): string[] {
  const roles: string[] = [];
  const pk = table.primaryKey.indexOf(column.name);
  if (pk >= 0) roles.push(table.primaryKey.length > 1 ? `PK ${pk + 1}` : "PK");
  table.uniqueKeys.forEach((key, i) => {
    if (key.includes(column.name)) roles.push(table.uniqueKeys.length > 1 ? `UK${i + 1}` : "UK");
  });
  return roles;
}
