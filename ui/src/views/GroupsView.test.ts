import { cleanup, fireEvent, render, screen, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import type { Finding } from "../bindings";
import { demoProject } from "../test/demo";
import { editor } from "../test/editing";
import GroupsView from "./GroupsView.svelte";

function setup(findings: Finding[] = []) {
  const props = { project: demoProject(), findings, focusGroupId: null, onOpenMap: () => {} };
  const doc = editor(props.project, (project) => void view.rerender({ project }));
  const view = render(GroupsView, { props: { ...props, edit: doc.edit } });
  return doc;
}

const card = (id: string) => screen.getAllByTestId("group-card").find((c) => c.dataset.groupId === id)!;
const members = (id: string) =>
  within(card(id))
    .getAllByTestId("group-member")
    .map((m) => `${m.dataset.mapId}@${within(m).getByTestId("member-sequence").textContent}`);

afterEach(cleanup);

describe("GroupsView", () => {
  it("shows members in sequence order", () => {
    setup();
    expect(members("sales-orders")).toEqual([
      "salesorders - Sales order headers@10",
      "salesorderdetails - Sales order lines@20",
    ]);
  });

  it("move down reorders and renumbers 10, 20, 30", async () => {
    const doc = setup();
    const first = within(card("reference")).getAllByTestId("group-member")[0];
    await fireEvent.click(within(first).getByTestId("member-move-down"));
    expect(members("reference")).toEqual([
      "transactioncurrencies - Currencies@10",
      "cdm_companies - Legal entities@20",
      "msdyn_customergroups - Customer groups@30",
    ]);
    expect(doc.project.groups[0].members.map((m) => m.sequence)).toEqual([10, 20, 30]);
  });

  it("move up on the last member brings it before the previous one", async () => {
    setup();
    const last = within(card("sales-orders")).getAllByTestId("group-member")[1];
    await fireEvent.click(within(last).getByTestId("member-move-up"));
    expect(members("sales-orders")).toEqual([
      "salesorderdetails - Sales order lines@10",
      "salesorders - Sales order headers@20",
    ]);
  });

  it("flags a mixed live/async group on its card", () => {
    setup([
      {
        code: "DW001",
        severity: "error",
        subjects: ["sales-orders"],
        message: "Group mixes live and async maps",
        hint: "Make them all live",
        path: "groups[3]",
      },
    ]);
    expect(within(card("sales-orders")).getByText(/mixes live and async/)).toBeTruthy();
    expect(within(card("customers")).queryByText(/mixes live and async/)).toBeNull();
  });

  it("removes a member and offers it to the other groups", async () => {
    setup();
    await fireEvent.click(within(card("contacts")).getByRole("button", { name: /Remove contacts - Contact persons/ }));
    expect(within(card("contacts")).queryAllByTestId("group-member")).toHaveLength(0);
    const select = within(card("customers")).getByRole("combobox");
    expect(within(select).getByRole("option", { name: /Contact persons/ })).toBeTruthy();
  });

  it("drag and drop moves a member and renumbers", async () => {
    setup();
    const items = within(card("reference")).getAllByTestId("group-member");
    await fireEvent.dragStart(items[2]);
    await fireEvent.dragOver(items[0]);
    await fireEvent.drop(items[0]);
    expect(members("reference")).toEqual([
      "msdyn_customergroups - Customer groups@10",
      "cdm_companies - Legal entities@20",
      "transactioncurrencies - Currencies@30",
    ]);
  });

  it("a drop from another card changes nothing", async () => {
    setup();
    const from = within(card("sales-orders")).getAllByTestId("group-member")[1];
    const to = within(card("reference")).getAllByTestId("group-member")[0];
    await fireEvent.dragStart(from);
    await fireEvent.drop(to);
    expect(members("reference")[0]).toBe("cdm_companies - Legal entities@10");
  });
});
