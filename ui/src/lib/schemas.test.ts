import { describe, expect, it, vi } from "vitest";
import type { ConnectionReport, Environment } from "../bindings";
import { columnNames, SchemaCache, tableNames } from "./schemas.svelte";

const column = (name: string) => ({
  name,
  declaredType: "TEXT",
  baseType: "text",
  class: "text" as const,
  nullable: true,
  hasDefault: false,
  computed: false,
});

const report = (side: "fno" | "dataverse", tables: Record<string, string[]>): ConnectionReport => ({
  environment: side,
  side,
  kind: "sqlite",
  url: `${side}.db`,
  tables: Object.entries(tables).map(([name, cols]) => ({
    name,
    columns: cols.map(column),
    primaryKey: [],
    uniqueKeys: [],
  })),
  elapsedMs: 1,
  secrets: [],
});

const env = (id: string, side: "fno" | "dataverse"): Environment => ({ id, side, kind: "sqlite", url: `${id}.db` });

describe("schema suggestions", () => {
  const reports = [
    report("fno", { CustCustomerV3Entity: ["CUSTOMERACCOUNT", "DATAAREAID"], CurrencyEntity: ["CURRENCYCODE"] }),
    report("dataverse", { account: ["accountnumber", "name"] }),
  ];

  it("lists one side's tables, sorted", () => {
    expect(tableNames(reports, "fno")).toEqual(["CurrencyEntity", "CustCustomerV3Entity"]);
    expect(tableNames(reports, "dataverse")).toEqual(["account"]);
  });

  it("lists a table's columns whatever the case of its name", () => {
    expect(columnNames(reports, "fno", "custcustomerv3entity")).toEqual(["CUSTOMERACCOUNT", "DATAAREAID"]);
    expect(columnNames(reports, "dataverse", "CustCustomerV3Entity")).toEqual([]);
    expect(columnNames(reports, "fno", " ")).toEqual([]);
  });

  it("tests each environment once and ignores failures", async () => {
    const load = vi.fn(async (e: Environment) => {
      if (e.id === "down") throw new Error("unreachable");
      return reports[1];
    });
    const cache = new SchemaCache(load);
    cache.ensure([env("dv", "dataverse"), env("down", "fno")]);
    cache.ensure([env("dv", "dataverse"), env("down", "fno")]);
    expect(load).toHaveBeenCalledTimes(2);
    await vi.waitFor(() => expect(cache.tables("dataverse")).toEqual(["account"]));
    expect(cache.tables("fno")).toEqual([]);
  });
});
