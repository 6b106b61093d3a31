import { describe, expect, it } from "vitest";
import type { Environment, TableSchema } from "../bindings";
import { hasLiteralPassword, isValidSecretName, secretReferences } from "./secrets";
import { keyRoles, searchTables } from "./tables";
import {
  environmentProblems,
  listNotes,
  newEnvironment,
  parseLegalEntities,
  usedEnvironments,
} from "./validate";

const env = (over: Partial<Environment>): Environment => ({
  id: "fno",
  side: "fno",
  kind: "sqlite",
  url: "fno.db",
  legalEntities: [],
  ...over,
});

describe("secret references", () => {
  it("extracts ${NAME} references in order without duplicates", () => {
    expect(secretReferences("postgres://dw:${PG_PASSWORD}@db:5432/fno")).toEqual(["PG_PASSWORD"]);
    expect(secretReferences("postgres://${USER}:${PW}@h/${PW}")).toEqual(["USER", "PW"]);
    expect(secretReferences("fno.db")).toEqual([]);
    expect(secretReferences("postgres://x:${UNCLOSED@h")).toEqual([]);
  });
  it("checks names and spots literal passwords", () => {
    expect(isValidSecretName("FNO_PASSWORD")).toBe(true);
    expect(isValidSecretName("FNO-PASSWORD")).toBe(false);
    expect(hasLiteralPassword("postgres://dw:secret@db/fno")).toBe(true);
    expect(hasLiteralPassword("postgres://dw:${PW}@db/fno")).toBe(false);
    expect(hasLiteralPassword("postgres://dw@db/fno")).toBe(false);
    expect(hasLiteralPassword("fno.db")).toBe(false);
  });
});

describe("environment validation", () => {
  it("accepts the demo's environments", () => {
    const all = [env({}), env({ id: "dataverse", side: "dataverse", url: "dataverse.db" })];
    expect(environmentProblems(all[0], all, 0)).toEqual([]);
    expect(listNotes(all)).toEqual([]);
  });
  it("requires unique ids and a URL", () => {
    const all = [env({}), env({ side: "dataverse", url: "" })];
    const problems = environmentProblems(all[1], all, 1);
    expect(problems).toContain('The id "fno" is used by another environment.');
    expect(problems.some((p) => p.startsWith("Give the URL"))).toBe(true);
    expect(environmentProblems(env({ id: " " }), [], 0)).toContain("Give the environment an id.");
  });
  it("checks URLs against the kind and refuses typed passwords", () => {
    expect(environmentProblems(env({ kind: "postgres", url: "fno.db" }), [], 0)).toContain(
      "A PostgreSQL URL starts with postgres://",
    );
    expect(environmentProblems(env({ url: "postgres://h/db" }), [], 0)[0]).toMatch(/set the kind/);
    const literal = environmentProblems(env({ kind: "postgres", url: "postgres://u:hunter2@h/db" }), [], 0);
    expect(literal[0]).toMatch(/Never type a password/);
    const badName = environmentProblems(env({ kind: "postgres", url: "postgres://u:${A-B}@h/db" }), [], 0);
    expect(badName[0]).toMatch(/cannot name a password/);
  });
  it("says which environment of each side the engine uses", () => {
    const all = [env({ id: "a" }), env({ id: "b" }), env({ id: "c", side: "dataverse" })];
    expect(usedEnvironments(all)).toEqual({ fno: "a", dataverse: "c" });
    expect(listNotes(all)).toEqual([
      '2 F&O environments: the engine uses the first one ("a"); the others are kept for reference.',
    ]);
    expect(listNotes([])).toHaveLength(2);
  });
  it("parses legal entities and proposes a new environment", () => {
    expect(parseLegalEntities("usmf, DEMF;  gbsi ")).toEqual(["USMF", "DEMF", "GBSI"]);
    expect(newEnvironment([])).toMatchObject({ id: "fno", side: "fno" });
    expect(newEnvironment([env({})])).toMatchObject({ id: "dataverse", side: "dataverse" });
    expect(newEnvironment([env({}), env({ id: "dataverse", side: "dataverse" })]).id).toBe("fno-2");
  });
});

describe("table browser", () => {
  const tables: TableSchema[] = [
    {
      name: "SalesOrderLineV2Entity",
      primaryKey: ["SALESORDERNUMBER", "LINE"],
      uniqueKeys: [["ITEM"]],
      columns: [
        { name: "SALESORDERNUMBER", declaredType: "TEXT", baseType: "text", class: "text", nullable: false, hasDefault: false, computed: false },
        { name: "LINE", declaredType: "INTEGER", baseType: "integer", class: "integer", nullable: false, hasDefault: false, computed: false },
        { name: "ITEM", declaredType: "TEXT", baseType: "text", class: "text", nullable: true, hasDefault: false, computed: false },
      ],
    },
    { name: "account", primaryKey: [], uniqueKeys: [], columns: [] },
  ];
  it("searches table and column names", () => {
    expect(searchTables(tables, "ACC").map((t) => t.name)).toEqual(["account"]);
    expect(searchTables(tables, "item").map((t) => t.name)).toEqual(["SalesOrderLineV2Entity"]);
    expect(searchTables(tables, "")).toHaveLength(2);
  });
  it("names key roles", () => {
    const t = tables[0];
    expect(keyRoles(t, t.columns[0])).toEqual(["PK 1"]);
    expect(keyRoles(t, t.columns[1])).toEqual(["PK 2"]);
    expect(keyRoles(t, t.columns[2])).toEqual(["UK"]);
  });
});
