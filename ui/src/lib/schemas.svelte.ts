// Column and table suggestions for the map editor, from the environments' discovered schemas.
// Each environment is tested (backend.testEnvironment) at most once per URL, lazily, when a map
// editor opens; an environment that cannot be reached simply offers no suggestions.

import type { ConnectionReport, Environment, Side } from "../bindings";

export type SchemaLoader = (environment: Environment) => Promise<ConnectionReport>;

export interface Suggestions {
  tables: (side: Side) => string[];
  columns: (side: Side, table: string) => string[];
}

const cacheKey = (env: Environment) => `${env.id}\u0000${env.kind}\u0000${env.url}`;

/** Table names of the reports of one side, sorted, without duplicates. */
export function tableNames(reports: readonly ConnectionReport[], side: Side): string[] {
  const names = new Set(reports.filter((r) => r.side === side).flatMap((r) => r.tables.map((t) => t.name)));
  return [...names].sort((a, b) => a.localeCompare(b));
}

/** Column names of a table (matched without regard to case) on one side. */
export function columnNames(reports: readonly ConnectionReport[], side: Side, table: string): string[] {
  const wanted = table.trim().toLowerCase();
  if (!wanted) return [];
  const names = new Set(
    reports
      .filter((r) => r.side === side)
      .flatMap((r) => r.tables.filter((t) => t.name.toLowerCase() === wanted))
      .flatMap((t) => t.columns.map((c) => c.name)),
  );
  return [...names];
}

export class SchemaCache implements Suggestions {
  #reports: ReadonlyMap<string, ConnectionReport> = $state.raw(new Map());
  readonly #started = new Set<string>();
  readonly #load: SchemaLoader;

  constructor(load: SchemaLoader) {
    this.#load = load;
  }

  /** Starts discovering the environments not discovered yet; failures are ignored. */
  ensure(environments: readonly Environment[]): void {
    for (const env of environments) {
      const key = cacheKey(env);
      if (this.#started.has(key)) continue;
      this.#started.add(key);
      this.#load(env).then(
        (report) => {
          const next = new Map(this.#reports);
          next.set(key, report);
          this.#reports = next;
        },
        () => {
          // No suggestions from this environment: the pickers stay free text.
        },
      );
    }
  }

  tables(side: Side): string[] {
    return tableNames([...this.#reports.values()], side);
  }

  columns(side: Side, table: string): string[] {
    return columnNames([...this.#reports.values()], side, table);
  }
}
