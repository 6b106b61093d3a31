import { cleanup, fireEvent, render, screen, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import { demoProject } from "../../test/demo";
import { editor } from "../../test/editing";
import MapEditor from "./MapEditor.svelte";

afterEach(cleanup);

function setup(mapIndex: number) {
  const project = demoProject();
  const doc = editor(project, (p) => void view.rerender({ project: p, map: p.tableMaps[mapIndex] }));
  const view = render(MapEditor, {
    props: {
      project,
      map: project.tableMaps[mapIndex],
      findings: [],
      flagged: new Set<number>(),
      highlightField: null,
      suggestions: null,
      edit: doc.edit,
      onClose: () => {},
      onDelete: () => {},
      onRenamed: () => {},
    },
  });
  return doc;
}

const rows = () => screen.getAllByTestId("field-row");

describe("MapEditor field grid", () => {
  it("shows the platform's direction symbol and the transform chip", () => {
    setup(1);
    const rounding = rows()[3];
    expect((within(rounding).getByLabelText("Direction") as HTMLSelectElement).selectedOptions[0].textContent).toBe(">");
    expect(within(rounding).getByText("default")).toBeTruthy();
  });

  it("edits a value map in the details", async () => {
    const doc = setup(1);
    const rounding = rows()[3];
    await fireEvent.click(within(rounding).getByRole("button", { name: "Details" }));
    await fireEvent.change(within(rounding).getByLabelText("Transform"), { target: { value: "valueMap" } });
    await fireEvent.click(within(rows()[3]).getByRole("button", { name: "Add value" }));
    await fireEvent.change(within(rows()[3]).getByLabelText("Source value"), { target: { value: "0" } });
    await fireEvent.change(within(rows()[3]).getByLabelText("Destination value"), { target: { value: "2" } });
    expect(doc.project.tableMaps[1].fields[3].transform).toEqual({ valueMap: { "0": 2 } });
    expect(within(rows()[3]).getByText("value map")).toBeTruthy();
  });

  it("adds, moves and removes fields", async () => {
    const doc = setup(0);
    await fireEvent.click(screen.getByRole("button", { name: "Add field" }));
    expect(doc.project.tableMaps[0].fields).toHaveLength(3);
    // A map to Dataverse adds fields that go to Dataverse.
    expect(doc.project.tableMaps[0].fields[2].direction).toBe("toDataverse");
    await fireEvent.click(within(rows()[1]).getByRole("button", { name: "Move up" }));
    expect(doc.project.tableMaps[0].fields.map((f) => f.fno)).toEqual(["NAME", "LEGALENTITYID", ""]);
    await fireEvent.click(within(rows()[2]).getByRole("button", { name: "Remove field" }));
    expect(doc.project.tableMaps[0].fields).toHaveLength(2);
  });

  it("keys are edited as a comma-separated list", async () => {
    const doc = setup(3);
    const keys = screen.getAllByLabelText(/Keys/)[0];
    await fireEvent.change(keys, { target: { value: "CUSTOMERACCOUNT, DATAAREAID, PARTYNUMBER" } });
    expect(doc.project.tableMaps[3].fno.keys).toEqual(["CUSTOMERACCOUNT", "DATAAREAID", "PARTYNUMBER"]);
  });
});
