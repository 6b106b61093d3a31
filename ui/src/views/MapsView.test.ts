import { cleanup, fireEvent, render, screen, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import type { Finding } from "../bindings";
import { demoProject } from "../test/demo";
import { editor } from "../test/editing";
import MapsView from "./MapsView.svelte";

function setup(findings: Finding[] = [], selectedMapId: string | null = null, highlightField: number | null = null) {
  const project = demoProject();
  const doc = editor(project, (p) => void view.rerender({ project: p }));
  const view = render(MapsView, {
    props: {
      project,
      findings,
      status: null,
      selectedMapId,
      highlightField,
      suggestions: null,
      edit: doc.edit,
      onSelect: (id: string | null) => void view.rerender({ selectedMapId: id }),
    },
  });
  return doc;
}

const rowIds = () => screen.getAllByTestId("map-row").map((r) => r.dataset.mapId);

afterEach(cleanup);

describe("MapsView", () => {
  it("search filters rows by id, name, entity and table", async () => {
    setup();
    expect(rowIds()).toHaveLength(7);
    await fireEvent.input(screen.getByTestId("map-search"), { target: { value: "salesorder" } });
    expect(rowIds()).toEqual(["salesorders - Sales order headers", "salesorderdetails - Sales order lines"]);
    await fireEvent.input(screen.getByTestId("map-search"), { target: { value: "CustCustomerV3" } });
    expect(rowIds()).toEqual(["accounts - Customers V3"]);
  });

  it("clicking a row opens its editor; editing the sync mode changes the project", async () => {
    const doc = setup();
    await fireEvent.click(screen.getAllByTestId("map-row")[3]);
    const editorEl = screen.getByTestId("map-editor");
    expect(editorEl.dataset.mapId).toBe("accounts - Customers V3");
    await fireEvent.change(within(editorEl).getByTestId("map-sync-mode"), { target: { value: "async" } });
    expect(doc.project.tableMaps[3].syncMode).toBe("async");
    await fireEvent.click(screen.getByTestId("map-close"));
    expect(screen.queryByTestId("map-editor")).toBeNull();
  });

  it("shows the map's findings in the editor and highlights the field", () => {
    setup(
      [
        {
          code: "DW010",
          severity: "error",
          subjects: ["accounts - Customers V3"],
          message: "Two fields write name",
          hint: "Remove one",
          path: "tableMaps[3].fields[1]",
        },
      ],
      "accounts - Customers V3",
      1,
    );
    const editorEl = screen.getByTestId("map-editor");
    expect(within(editorEl).getByText("Two fields write name")).toBeTruthy();
    const rows = within(editorEl).getAllByTestId("field-row");
    expect(rows[1].classList.contains("highlighted")).toBe(true);
    expect(rows[1].classList.contains("flagged")).toBe(true);
    expect(rows[0].classList.contains("flagged")).toBe(false);
  });

  it("adds an empty map and opens it", async () => {
    const doc = setup();
    await fireEvent.click(screen.getByTestId("map-add"));
    expect(doc.project.tableMaps.at(-1)?.id).toBe("new map");
    expect(screen.getByTestId("map-editor").dataset.mapId).toBe("new map");
  });
});
