import { describe, expect, it } from "vitest";
import type { Finding } from "../bindings";
import { demoProject } from "../test/demo";
import { findingsForGroup, findingsForMap, flaggedFields, locate, parsePath } from "./navigation";

const finding = (over: Partial<Finding>): Finding => ({
  code: "DW010",
  severity: "error",
  subjects: [],
  message: "m",
  hint: "h",
  path: null,
  ...over,
});

describe("finding navigation", () => {
  const project = demoProject();

  it("parses map, field and group paths", () => {
    expect(parsePath("tableMaps[3].fields[12]")).toEqual({ mapIndex: 3, fieldIndex: 12 });
    expect(parsePath("tableMaps[2].syncMode")).toEqual({ mapIndex: 2, fieldIndex: undefined });
    expect(parsePath("groups[1].members[0]")).toEqual({ groupIndex: 1 });
    expect(parsePath(null)).toEqual({});
  });

  it("a field path opens the map editor at the field", () => {
    expect(locate(finding({ path: "tableMaps[3].fields[2]" }), project)).toEqual({
      view: "maps",
      mapId: "accounts - Customers V3",
      fieldIndex: 2,
    });
  });

  it("a group path opens the group", () => {
    expect(locate(finding({ path: "groups[3].members[1]" }), project)).toEqual({
      view: "groups",
      groupId: "sales-orders",
    });
  });

  it("falls back to subjects, maps before groups", () => {
    expect(locate(finding({ subjects: ["customers", "contacts - Contact persons"] }), project)).toEqual({
      view: "maps",
      mapId: "contacts - Contact persons",
      fieldIndex: null,
    });
    expect(locate(finding({ subjects: ["customers"] }), project)).toEqual({ view: "groups", groupId: "customers" });
    expect(locate(finding({ subjects: ["nothing"], path: "tableMaps[99]" }), project)).toBeNull();
  });

  it("selects findings for a map and the fields they flag", () => {
    const findings = [
      finding({ path: "tableMaps[3].fields[2]" }),
      finding({ subjects: ["accounts - Customers V3"] }),
      finding({ subjects: ["contacts - Contact persons"], path: "tableMaps[4]" }),
    ];
    expect(findingsForMap(findings, project, "accounts - Customers V3")).toHaveLength(2);
    expect([...flaggedFields(findings, project, "accounts - Customers V3")]).toEqual([2]);
  });

  it("selects group-level findings for a group by its id or its members", () => {
    const group = project.groups[3];
    const findings = [
      finding({ code: "DW001", subjects: ["sales-orders"] }),
      finding({ code: "DW005", subjects: ["salesorderdetails - Sales order lines"] }),
      finding({ code: "DW010", subjects: ["salesorderdetails - Sales order lines"] }),
      finding({ code: "DW001", subjects: ["customers"] }),
    ];
    expect(findingsForGroup(findings, project, group).map((f) => f.code)).toEqual(["DW001", "DW005"]);
  });
});
