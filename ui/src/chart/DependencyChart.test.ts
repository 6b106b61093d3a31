import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import ELK from "elkjs/lib/elk.bundled.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import DependencyChart from "./DependencyChart.svelte";
import { smallChart, smallFindings, smallGroups } from "./fixture.test-data";
import { LARGE_CHART } from "./layout";
import { clearLayouts } from "./layoutCache";
import { syntheticChart } from "./synthetic";

function mount(extra: Record<string, unknown> = {}) {
  const onOpenMap = vi.fn();
  const onExport = vi.fn();
  const result = render(DependencyChart, {
    props: { chart: smallChart, groups: smallGroups, findings: smallFindings, onOpenMap, onExport, elk: new ELK(), ...extra },
  });
  return { ...result, onOpenMap, onExport };
}

const node = (id: string) => document.querySelector(`[data-testid='chart-node'][data-map-id='${id}']`) as SVGGElement;

afterEach(() => {
  cleanup();
  clearLayouts();
});

describe("DependencyChart", () => {
  it("draws the maps, the group box and the edges once ELK has laid them out", async () => {
    mount();
    const nodes = await screen.findAllByTestId("chart-node", {}, { timeout: 20_000 });
    expect(nodes.map((n) => n.getAttribute("data-map-id")).sort()).toEqual(["currencies", "customers", "notes", "sales-orders"]);
    expect(screen.getByTestId("chart-group").getAttribute("data-group-id")).toBe("reference");
    expect(screen.getByTestId("chart-group").textContent).toContain("Reference and orders");
    const edges = screen.getAllByTestId("chart-edge").map((e) => `${e.dataset.from}>${e.dataset.to}`);
    expect(edges.sort()).toEqual(["currencies>customers", "customers>sales-orders", "sales-orders>notes"]);
    expect(node("sales-orders").textContent).toContain("W2");
    await vi.waitFor(() => expect(screen.getByTestId("chart").dataset.renderMs).toBeDefined());
    expect(Number(screen.getByTestId("chart").dataset.layoutMs)).toBeGreaterThanOrEqual(0);
  });

  it("tells the caller each layout it has drawn, with its figures", async () => {
    const onDrawn = vi.fn();
    mount({ onDrawn });
    await vi.waitFor(() => expect(onDrawn).toHaveBeenCalledTimes(1), { timeout: 20_000 });
    const figures = onDrawn.mock.calls[0][0];
    expect(figures).toMatchObject({ maps: 4, groupBoxes: true });
    expect(figures.renderMs).toBeGreaterThanOrEqual(figures.layoutMs);
    await fireEvent.click(screen.getByTestId("chart-group-boxes"));
    await vi.waitFor(() => expect(onDrawn).toHaveBeenCalledTimes(2), { timeout: 20_000 });
    expect(onDrawn.mock.calls[1][0]).toMatchObject({ maps: 4, groupBoxes: false });
  });

  it("marks self-references and sequence violations in the error style", async () => {
    mount();
    await screen.findAllByTestId("chart-node", {}, { timeout: 20_000 });
    expect(node("customers").classList.contains("error")).toBe(true);
    expect(node("customers").querySelector(".self-loop")).not.toBeNull();
    expect(node("sales-orders").classList.contains("error")).toBe(true);
    expect(node("notes").classList.contains("error")).toBe(false);
    const violating = document.querySelector("[data-testid='chart-edge'][data-from='customers'][data-to='sales-orders']");
    expect(violating?.classList.contains("error")).toBe(true);
  });

  it("marks the maps and edges of a cycle", async () => {
    const chart = {
      ...smallChart,
      nodes: smallChart.nodes.map((n) => ({ ...n, inCycle: n.id === "sales-orders" || n.id === "notes" })),
      edges: [...smallChart.edges, { from: "notes", to: "sales-orders", causes: [{ kind: "dependsOn" as const }] }],
      cycles: [["sales-orders", "notes"]],
    };
    mount({ chart, findings: [] });
    await screen.findAllByTestId("chart-node", {}, { timeout: 20_000 });
    const edge = (from: string, to: string) =>
      document.querySelector(`[data-testid='chart-edge'][data-from='${from}'][data-to='${to}']`)!;
    expect(edge("sales-orders", "notes").classList.contains("error")).toBe(true);
    expect(edge("notes", "sales-orders").classList.contains("error")).toBe(true);
    expect(edge("currencies", "customers").classList.contains("error")).toBe(false);
    expect(node("notes").classList.contains("error")).toBe(true);
    expect(node("currencies").classList.contains("error")).toBe(false);
    await fireEvent.pointerEnter(edge("notes", "sales-orders"));
    expect(screen.getByTestId("chart-tooltip").textContent).toContain("Part of a dependency cycle");
  });

  it("opens a map on click and on Enter", async () => {
    const { onOpenMap } = mount();
    await screen.findAllByTestId("chart-node", {}, { timeout: 20_000 });
    await fireEvent.click(node("customers"));
    expect(onOpenMap).toHaveBeenCalledWith("customers");
    await fireEvent.keyDown(node("notes"), { key: "Enter" });
    expect(onOpenMap).toHaveBeenLastCalledWith("notes");
    await fireEvent.click(node("currencies"), { shiftKey: true });
    expect(onOpenMap).toHaveBeenCalledTimes(2);
    expect(node("currencies").classList.contains("selected")).toBe(true);
  });

  it("highlights search matches and cycles through them with Enter", async () => {
    mount();
    await screen.findAllByTestId("chart-node", {}, { timeout: 20_000 });
    const input = screen.getByTestId("chart-search");
    const viewport = () => document.querySelector("[data-viewport]")!.getAttribute("transform");
    const before = viewport();
    await fireEvent.input(input, { target: { value: "cu" } });
    expect(viewport()).not.toBe(before); // moved to centre the first match
    expect(node("currencies").classList.contains("match")).toBe(true);
    expect(node("customers").classList.contains("match")).toBe(true);
    expect(node("notes").classList.contains("match")).toBe(false);
    expect(node("currencies").classList.contains("current")).toBe(true);
    await fireEvent.keyDown(input, { key: "Enter" });
    expect(node("customers").classList.contains("current")).toBe(true);
    await fireEvent.keyDown(input, { key: "Enter" });
    expect(node("currencies").classList.contains("current")).toBe(true);
  });

  it("focuses the selected map's ancestors and descendants, and clears the focus", async () => {
    const vendors = { id: "vendors", name: "Vendors", group: null, syncMode: "async" as const, wave: 0, inCycle: false, selfReference: false };
    mount({ chart: { ...smallChart, nodes: [...smallChart.nodes, vendors] } });
    await screen.findAllByTestId("chart-node", {}, { timeout: 20_000 });
    expect(screen.getByTestId("chart-focus")).toHaveProperty("disabled", true);
    await fireEvent.click(node("customers"));
    await fireEvent.click(screen.getByTestId("chart-focus"));
    const dimmed = () => [...document.querySelectorAll("svg [data-testid='chart-node'].dim")].map((n) => n.getAttribute("data-map-id"));
    expect(dimmed()).toEqual(["vendors"]);
    expect(document.querySelectorAll("svg [data-testid='chart-edge'].dim")).toHaveLength(0);
    await fireEvent.input(screen.getByTestId("chart-search"), { target: { value: "vendors" } });
    await fireEvent.keyDown(screen.getByTestId("chart-search"), { key: "Enter" });
    await fireEvent.click(screen.getByTestId("chart-focus"));
    expect(dimmed().sort()).toEqual(["currencies", "customers", "notes", "sales-orders"]);
    expect(document.querySelectorAll("svg [data-testid='chart-edge'].dim")).toHaveLength(3);
    await fireEvent.click(screen.getByTestId("chart-clear-focus"));
    expect(document.querySelectorAll("svg .dim")).toHaveLength(0);
  });

  it("shows a map's findings and an edge's causes in the tooltip", async () => {
    mount();
    await screen.findAllByTestId("chart-node", {}, { timeout: 20_000 });
    await fireEvent.pointerEnter(node("sales-orders"));
    const tip = screen.getByTestId("chart-tooltip");
    expect(tip.textContent).toContain("DW005");
    expect(tip.textContent).toContain("Give sales-orders a higher sequence number.");
    await fireEvent.pointerLeave(node("sales-orders"));
    const edge = document.querySelector("[data-testid='chart-edge'][data-from='customers']")!;
    await fireEvent.pointerEnter(edge);
    expect(screen.getByTestId("chart-tooltip").textContent).toContain("lookup customerid -> account");
    expect(screen.getByTestId("chart-tooltip").textContent).toContain("dependsOn");
  });

  it("zooms with the buttons", async () => {
    mount();
    await screen.findAllByTestId("chart-node", {}, { timeout: 20_000 });
    const viewport = () => document.querySelector("[data-viewport]")!.getAttribute("transform")!;
    const before = viewport();
    await fireEvent.click(screen.getByTestId("chart-zoom-in"));
    expect(viewport()).not.toBe(before);
    await fireEvent.click(screen.getByTestId("chart-fit"));
    await fireEvent.click(screen.getByTestId("chart-zoom-out"));
    expect(viewport()).toMatch(/scale\(0\.8\)/);
    await fireEvent.keyDown(screen.getByTestId("chart-svg"), { key: "0" });
    expect(viewport()).toMatch(/scale\(1\)/);
    await fireEvent.keyDown(screen.getByTestId("chart-svg"), { key: "+" });
    expect(viewport()).toMatch(/scale\(1\.25\)/);
  });

  it("lays the chart out top to bottom on request", async () => {
    mount();
    await screen.findAllByTestId("chart-node", {}, { timeout: 20_000 });
    const box = (id: string) => {
      const m = /translate\(([-\d.]+) ([-\d.]+)\)/.exec(node(id).getAttribute("transform")!)!;
      return { x: Number(m[1]), y: Number(m[2]) };
    };
    expect(box("currencies").x).toBeLessThan(box("customers").x);
    await fireEvent.change(screen.getByTestId("chart-direction"), { target: { value: "DOWN" } });
    await vi.waitFor(() => expect(box("currencies").y).toBeLessThan(box("customers").y - 40), { timeout: 20_000 });
  });

  it("draws the group boxes on request and leaves them out when asked, with a legend note", async () => {
    mount();
    await screen.findAllByTestId("chart-group", {}, { timeout: 20_000 });
    const toggle = screen.getByTestId("chart-group-boxes") as HTMLInputElement;
    expect(toggle.checked).toBe(true);
    await fireEvent.click(toggle);
    await vi.waitFor(() => expect(screen.queryAllByTestId("chart-group")).toHaveLength(0), { timeout: 20_000 });
    expect(screen.getAllByTestId("chart-node")).toHaveLength(4);
    expect(screen.getAllByTestId("chart-edge")).toHaveLength(3);
    expect(screen.getByTestId("chart-boxes-off").textContent).toContain("group is in its tooltip");
    await fireEvent.click(toggle);
    await screen.findAllByTestId("chart-group", {}, { timeout: 20_000 });
  });

  it("leaves the group boxes out by default on a chart above LARGE_CHART maps", async () => {
    const { chart, groups } = syntheticChart(LARGE_CHART + 1);
    mount({ chart, groups, findings: [] });
    const nodes = await screen.findAllByTestId("chart-node", {}, { timeout: 60_000 });
    expect(nodes).toHaveLength(LARGE_CHART + 1);
    expect(screen.queryAllByTestId("chart-group")).toHaveLength(0);
    expect((screen.getByTestId("chart-group-boxes") as HTMLInputElement).checked).toBe(false);
  }, 60_000);

  it("draws a layout already made for the same chart without calling ELK again", async () => {
    mount();
    await screen.findAllByTestId("chart-node", {}, { timeout: 20_000 });
    cleanup();
    const elk = { layout: () => Promise.reject(new Error("ELK must not be called")) };
    mount({ elk, chart: structuredClone(smallChart) });
    const nodes = await screen.findAllByTestId("chart-node", {}, { timeout: 20_000 });
    expect(nodes).toHaveLength(4);
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("exports a standalone SVG", async () => {
    const { onExport } = mount();
    await screen.findAllByTestId("chart-node", {}, { timeout: 20_000 });
    await fireEvent.click(screen.getByTestId("chart-export-svg"));
    expect(onExport).toHaveBeenCalledTimes(1);
    const [kind, text] = onExport.mock.calls[0];
    expect(kind).toBe("svg");
    expect(text).toMatch(/^<\?xml/);
    expect(text).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(text).toContain("Customers V3");
    expect(text).not.toContain("transform=\"translate(0 0) scale");
    expect(text).not.toContain("data-export");
    expect(text.match(/xmlns="http:\/\/www.w3.org\/2000\/svg"/g)).toHaveLength(1);
    expect(text).not.toContain("tabindex");
    const doc = new DOMParser().parseFromString(text, "image/svg+xml");
    expect(doc.querySelector("parsererror")).toBeNull();
    expect(doc.documentElement.getAttribute("viewBox")).toMatch(/^-16 -16 \d+ \d+$/);
  });

  it("hands the same standalone SVG for a PNG export (the backend draws it)", async () => {
    const { onExport } = mount();
    await screen.findAllByTestId("chart-node", {}, { timeout: 20_000 });
    await fireEvent.click(screen.getByTestId("chart-export-png"));
    expect(onExport).toHaveBeenCalledTimes(1);
    const [kind, text] = onExport.mock.calls[0];
    expect(kind).toBe("png");
    expect(typeof text).toBe("string");
    expect(text).toMatch(/^<\?xml/);
    expect(text).toContain("Customers V3");
    if (process.env.DW_DUMP_CHART_SVG) (await import("node:fs")).writeFileSync(process.env.DW_DUMP_CHART_SVG, text);
  });

  it("says what to do when there are no maps", () => {
    mount({ chart: { nodes: [], edges: [], waves: [], cycles: [] }, groups: [] });
    expect(screen.getByTestId("chart").textContent).toContain("Add a table map to see its dependencies");
    expect(screen.queryByTestId("chart-svg")).toBeNull();
  });
});
