import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, within } from "@testing-library/svelte";
import type { ConnectionReport, Project } from "../bindings";
import demo from "../../../examples/contoso.dwproj.json";

vi.mock("../lib/backend", async (importOriginal) => {
  const real = await importOriginal<typeof import("../lib/backend")>();
  return {
    ...real,
    testEnvironment: vi.fn(),
    secretStatus: vi.fn(),
    storeSecret: vi.fn(),
  };
});

import * as backend from "../lib/backend";
import EnvironmentsView from "./EnvironmentsView.svelte";

const project = demo as unknown as Project;

const report: ConnectionReport = {
  environment: "fno",
  side: "fno",
  kind: "sqlite",
  url: "fno.db",
  elapsedMs: 12,
  secrets: [],
  tables: [
    {
      name: "SalesOrderHeaderV2Entity",
      primaryKey: [],
      uniqueKeys: [["SALESORDERNUMBER", "DATAAREAID"]],
      columns: [
        { name: "SALESORDERNUMBER", declaredType: "TEXT", baseType: "text", class: "text", nullable: false, hasDefault: false, computed: false },
      ],
    },
    { name: "CurrencyEntity", primaryKey: ["CURRENCYCODE"], uniqueKeys: [], columns: [] },
  ],
};

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

describe("EnvironmentsView", () => {
  it("lists the environments and marks the ones the engine uses", () => {
    render(EnvironmentsView, { project, projectPath: "/demo/contoso.dwproj.json", onChange: () => {} });
    const rows = screen.getAllByTestId("env-row");
    expect(rows.map((r) => r.getAttribute("data-env-id"))).toEqual(["fno", "dataverse"]);
    expect(within(rows[0]).getByText("used by the engine")).toBeTruthy();
  });

  it("adds an environment through the editor and refuses a duplicate id", async () => {
    const onChange = vi.fn();
    vi.mocked(backend.secretStatus).mockResolvedValue({
      name: "FNO_PG",
      origin: "environmentVariable",
      keychainAvailable: true,
      message: "taken from the environment variable FNO_PG",
    });
    render(EnvironmentsView, { project, projectPath: null, onChange });
    await fireEvent.click(screen.getByTestId("env-add"));
    const id = screen.getByLabelText("Id") as HTMLInputElement;
    await fireEvent.input(id, { target: { value: "fno" } });
    expect(screen.getByText('The id "fno" is used by another environment.')).toBeTruthy();
    expect((screen.getByText("Save") as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.input(id, { target: { value: "fno-pg" } });
    await fireEvent.change(screen.getByLabelText("Kind"), { target: { value: "postgres" } });
    await fireEvent.input(screen.getByLabelText("URL"), { target: { value: "postgres://dw:${FNO_PG}@localhost:5432/fno" } });
    // The editor offers the password of the reference before the environment is saved.
    expect(await screen.findByText("environment variable: taken from the environment variable FNO_PG")).toBeTruthy();
    await fireEvent.click(screen.getByText("Save"));
    expect(onChange).toHaveBeenCalledTimes(1);
    const next = onChange.mock.calls[0][0];
    expect(next).toHaveLength(3);
    expect(next[2]).toMatchObject({ id: "fno-pg", side: "fno", kind: "postgres" });
  });

  it("shows a successful test with a searchable table list", async () => {
    vi.mocked(backend.testEnvironment).mockResolvedValue(report);
    render(EnvironmentsView, { project, projectPath: "/p.json", onChange: () => {} });
    await fireEvent.click(within(screen.getAllByTestId("env-row")[0]).getByTestId("env-test"));
    const result = await screen.findByTestId("env-test-result");
    expect(result.getAttribute("data-ok")).toBe("true");
    expect(screen.getAllByTestId("env-table")).toHaveLength(2);
    await fireEvent.input(screen.getByPlaceholderText("e.g. SalesOrder"), { target: { value: "currency" } });
    expect(screen.getAllByTestId("env-table").map((t) => t.getAttribute("data-table"))).toEqual(["CurrencyEntity"]);
  });

  it("shows the error sentence of a failed test", async () => {
    vi.mocked(backend.testEnvironment).mockRejectedValue({ code: "connection", message: "unable to open database file" });
    render(EnvironmentsView, { project, projectPath: "/p.json", onChange: () => {} });
    await fireEvent.click(within(screen.getAllByTestId("env-row")[1]).getByTestId("env-test"));
    const result = await screen.findByTestId("env-test-result");
    expect(result.getAttribute("data-ok")).toBe("false");
    expect(result.textContent).toContain("unable to open database file");
  });

  it("shows where a PostgreSQL password comes from and the keychain error", async () => {
    vi.mocked(backend.secretStatus).mockResolvedValue({
      name: "DV_PG",
      origin: "missing",
      keychainAvailable: false,
      message: "not set, and no keychain service is available: set the environment variable DV_PG before starting the app",
    });
    vi.mocked(backend.storeSecret).mockRejectedValue(
      new backend.BackendError("keychain", "no keychain service is available (no dbus); set the environment variable DV_PG before starting the app instead"),
    );
    const pg: Project = {
      ...project,
      environments: [{ id: "dv", side: "dataverse", kind: "postgres", url: "postgres://dw:${DV_PG}@db:5432/dv" }],
    };
    render(EnvironmentsView, { project: pg, projectPath: "/p.json", onChange: () => {} });
    expect(await screen.findByText(/missing: not set, and no keychain/)).toBeTruthy();
    const field = screen.getByPlaceholderText("stored in the OS keychain");
    await fireEvent.input(field, { target: { value: "s3cret" } });
    await fireEvent.click(screen.getByText("Store in keychain"));
    expect(backend.storeSecret).toHaveBeenCalledWith("DV_PG", "s3cret");
    expect((await screen.findByRole("alert")).textContent).toContain("set the environment variable DV_PG");
  });
});

describe("EnvironmentsView removal", () => {
  it("removes an environment after a second click", async () => {
    const onChange = vi.fn();
    render(EnvironmentsView, { project, projectPath: "/p.json", onChange });
    await fireEvent.click(screen.getByLabelText("Remove dataverse"));
    expect(onChange).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByLabelText("Confirm removing dataverse"));
    expect(onChange).toHaveBeenCalledWith([project.environments[0]]);
  });
});
