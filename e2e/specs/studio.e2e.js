// End-to-end scenarios of Dual-write Studio against the real app and its demo project, in one
// app session and in order (each step starts where the previous one left the app). The tests
// also save the screenshots the README shows (docs/screenshots/*.png) and the startup time.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..", "..");
const screenshots = path.join(repo, "docs", "screenshots");
const results = path.join(repo, "e2e", "results");

const ORDER_HEADERS = "salesorders - Sales order headers";
const ORDER_LINES = "salesorderdetails - Sales order lines";
const CUSTOMERS = "accounts - Customers V3";

// An F&O transaction the demo's Dataverse rejects through a business rule (a credit limit above
// 1,000,000 needs approval), so both sides roll back.
const FAILING_TRANSACTION = JSON.stringify([
  {
    table: "CustCustomerGroupEntity",
    op: "upsert",
    values: { CUSTOMERGROUPID: "E2E", DATAAREAID: "USMF", DESCRIPTION: "E2E", PAYMENTTERMID: "Net30" },
  },
  {
    table: "CustCustomerV3Entity",
    op: "upsert",
    values: {
      CUSTOMERACCOUNT: "US-E2E-1",
      DATAAREAID: "USMF",
      ORGANIZATIONNAME: "E2E Inc.",
      CUSTOMERGROUPID: "E2E",
      SALESCURRENCYCODE: "USD",
      CREDITLIMIT: 5000000,
      CREDITRATING: "Good",
      ADDRESSCITY: "Seattle",
      ADDRESSCOUNTRYREGIONID: "USA",
    },
  },
]);

/** CSS selector of a data-testid, optionally with more attribute conditions. */
function tid(id, attributes = {}) {
  const extra = Object.entries(attributes)
    .map(([name, value]) => `[${name}="${value}"]`)
    .join("");
  return `[data-testid="${id}"]${extra}`;
}

async function screenshot(name) {
  mkdirSync(screenshots, { recursive: true });
  // Let WebKit paint what the DOM already shows (two animation frames) before the capture.
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
  await browser.saveScreenshot(path.join(screenshots, name));
}

/** The codes of the findings listed in the problems panel (read in one go: the list re-renders). */
async function problemCodes() {
  return browser.execute(() =>
    Array.from(document.querySelectorAll('[data-testid="problem"]'), (el) => el.getAttribute("data-code")),
  );
}

async function waitForProblem(code, present, what) {
  await browser.waitUntil(async () => (await problemCodes()).includes(code) === present, {
    timeout: 15_000,
    timeoutMsg: `${code} should ${present ? "appear in" : "disappear from"} the problems panel ${what}; panel shows: ${(await problemCodes()).join(", ") || "(none)"}`,
  });
}

/** Members of a group card as [mapId, sequence] pairs in display order. */
async function members(groupId) {
  return browser.execute(
    (selector) =>
      Array.from(document.querySelectorAll(`${selector} [data-testid="group-member"]`), (row) => [
        row.getAttribute("data-map-id"),
        (row.querySelector('[data-testid="member-sequence"]')?.textContent ?? "").trim(),
      ]),
    tid("group-card", { "data-group-id": groupId }),
  );
}

async function traceSteps() {
  return browser.execute(() =>
    Array.from(document.querySelectorAll('[data-testid="trace-step"]'), (el) => el.getAttribute("data-step")),
  );
}

/**
 * Clicks the middle of an element with the mouse at viewport coordinates. WebKitWebDriver refuses
 * element clicks on SVG groups ("element not interactable"), so chart nodes are clicked this way.
 */
async function clickAtCentre(element) {
  const box = await browser.execute((el) => {
    el.scrollIntoView({ block: "center", inline: "center" });
    const r = el.getBoundingClientRect();
    return { x: Math.round(r.left + r.width / 2), y: Math.round(r.top + r.height / 2) };
  }, element);
  await browser.action("pointer").move({ x: box.x, y: box.y, origin: "viewport" }).down().up().perform();
}

/** Scrolls an element into the middle of its scroll container (in the page: no pointer actions). */
async function scrollTo(element) {
  await browser.execute((el) => el.scrollIntoView({ block: "center" }), element);
}

async function openView(name) {
  await $(tid(`nav-${name}`)).click();
}

/** The title the app gives the chart's save dialog (ui/src/lib/backend.ts). */
const EXPORT_DIALOG_TITLE = "Export the dependency chart";

/**
 * Answers the native (GTK) save dialog as a person would: waits for it, focuses it, replaces the
 * suggested name with the full path and presses Enter. WebDriver cannot reach native windows;
 * xdotool types into them through the X server the app runs on.
 */
function answerSaveDialog(file) {
  const found = execFileSync("xdotool", ["search", "--sync", "--onlyvisible", "--name", EXPORT_DIALOG_TITLE], {
    timeout: 30_000,
  });
  const dialog = found.toString().trim().split("\n")[0];
  execFileSync(
    "xdotool",
    ["windowfocus", "--sync", dialog, "key", "ctrl+a", "type", "--delay", "15", file],
    { timeout: 30_000 },
  );
  execFileSync("xdotool", ["key", "Return"], { timeout: 10_000 });
}

describe("Dual-write Studio (real app, demo project)", () => {
  it("opens the demo project", async () => {
    const ready = await $(tid("app-ready"));
    await ready.waitForExist({ timeout: 60_000, timeoutMsg: "app-ready did not appear within 60 s" });
    const readyAt = Date.now();
    const requestedAt = globalThis.__e2eSessionRequestedAt;
    const startupMs = typeof requestedAt === "number" ? readyAt - requestedAt : null;
    console.log(`startup: session requested -> app-ready in ${startupMs} ms`);
    mkdirSync(results, { recursive: true });
    writeFileSync(
      path.join(results, "startup.json"),
      `${JSON.stringify({ startupMs, measuredFrom: "WebDriver new-session request", measuredTo: "[data-testid=app-ready] present", at: new Date(readyAt).toISOString() }, null, 2)}\n`,
    );

    await expect($(tid("project-name"))).toHaveText("Contoso demo");
    await openView("maps");
    await browser.waitUntil(async () => (await $$(tid("map-row")).length) === 7, {
      timeout: 10_000,
      timeoutMsg: `expected 7 map rows, found ${await $$(tid("map-row")).length}`,
    });
    // The welcome note names the temporary home; dismissed so the screenshots show the app itself.
    const welcome = await $(tid("info-banner"));
    if (await welcome.isExisting()) await welcome.$('button[aria-label="Dismiss"]').click();
    await screenshot("maps.png");
  });

  it("shows a finding when a map of a live group becomes async, and clears it when set back", async () => {
    await openView("maps");
    await $(tid("map-row", { "data-map-id": ORDER_LINES })).click();
    const editor = await $(tid("map-editor", { "data-map-id": ORDER_LINES }));
    await editor.waitForExist({ timeoutMsg: `the map editor of "${ORDER_LINES}" did not open` });
    await $(tid("problems-panel")).waitForExist();
    expect(await problemCodes()).not.toContain("DW001");

    const mode = await editor.$(tid("map-sync-mode"));
    await mode.selectByAttribute("value", "async");
    await waitForProblem("DW001", true, "after setting the order lines to async");
    await screenshot("problems.png");

    await mode.selectByAttribute("value", "live");
    await waitForProblem("DW001", false, "after setting the order lines back to live");
    await screenshot("map-editor.png");
    await editor.$(tid("map-close")).click();
  });

  it("reorders a group, flags the broken dependency order, and clears it when moved back", async () => {
    await openView("groups");
    const card = await $(tid("group-card", { "data-group-id": "sales-orders" }));
    await card.waitForExist({ timeoutMsg: "group card sales-orders is missing" });
    expect(await members("sales-orders")).toEqual([
      [ORDER_HEADERS, "10"],
      [ORDER_LINES, "20"],
    ]);
    expect(await problemCodes()).not.toContain("DW005");

    await (await card.$$(tid("member-move-down")))[0].click();
    await browser.waitUntil(async () => (await members("sales-orders"))[0][0] === ORDER_LINES, {
      timeoutMsg: "member-move-down did not move the first member down",
    });
    // The sequence numbers stay with the positions: the lines now come first.
    expect(await members("sales-orders")).toEqual([
      [ORDER_LINES, "10"],
      [ORDER_HEADERS, "20"],
    ]);
    await waitForProblem("DW005", true, "after moving the order headers after their lines");
    await screenshot("groups.png");

    await (await card.$$(tid("member-move-up")))[1].click();
    await browser.waitUntil(async () => (await members("sales-orders"))[0][0] === ORDER_HEADERS, {
      timeoutMsg: "member-move-up did not move the headers back",
    });
    expect(await members("sales-orders")).toEqual([
      [ORDER_HEADERS, "10"],
      [ORDER_LINES, "20"],
    ]);
    await waitForProblem("DW005", false, "after moving the order headers back");
  });

  it("draws the chart and opens a map from its node", async () => {
    await openView("chart");
    await $(tid("chart-svg")).waitForExist({ timeout: 60_000, timeoutMsg: "chart-svg did not appear" });
    await browser.waitUntil(async () => (await $$(tid("chart-node"))).length === 7, {
      timeout: 60_000,
      timeoutMsg: "the chart did not lay out 7 nodes within 60 s",
    });
    await screenshot("chart.png");

    await clickAtCentre(await $(tid("chart-node", { "data-map-id": CUSTOMERS })));
    await $(tid("map-editor", { "data-map-id": CUSTOMERS })).waitForExist({
      timeoutMsg: `clicking the chart node of "${CUSTOMERS}" did not open its map editor`,
    });
    await $(tid("map-editor", { "data-map-id": CUSTOMERS })).$(tid("map-close")).click();
  });

  it("exports the chart as PNG through the native save dialog", async () => {
    await openView("chart");
    const button = await $(tid("chart-export-png"));
    await button.waitForEnabled({ timeout: 60_000, timeoutMsg: "Export PNG stayed disabled" });
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "dualwrite-export-")), "chart.png");
    await button.click();
    answerSaveDialog(file);
    await browser.waitUntil(async () => existsSync(file) && statSync(file).size > 0, {
      timeout: 30_000,
      timeoutMsg: `the chart was not exported to ${file}`,
    });
    const png = readFileSync(file);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const [width, height] = [png.readUInt32BE(16), png.readUInt32BE(20)];
    console.log(`exported chart: ${width} x ${height} px, ${png.length} bytes`);
    expect(width).toBeGreaterThan(200);
    expect(height).toBeGreaterThan(100);
    let notice;
    await browser.waitUntil(
      async () => {
        for (const banner of await $$(tid("info-banner"))) {
          if ((await banner.getText()).includes("Chart exported as PNG")) notice = banner;
        }
        return notice !== undefined;
      },
      { timeout: 10_000, timeoutMsg: "no notice that the chart was exported" },
    );
    expect(await $$(tid("error-banner")).length).toBe(0);
    // The confirmation would go by itself after a few seconds; dismissed at once so that the next
    // screenshots show the test sync, not the export.
    await notice.$('button[aria-label="Dismiss"]').click();
    await browser.waitUntil(async () => (await $$(tid("info-banner")).length) === 0, {
      timeout: 5_000,
      timeoutMsg: "the export notice was not dismissed",
    });
  });

  it("runs an initial test sync of the groups marked for it", async () => {
    if (await $(tid("dirty-marker")).isExisting()) {
      console.log("project has unsaved changes: saving with file-save");
      await $(tid("file-save")).click();
      await $(tid("dirty-marker")).waitForExist({ reverse: true, timeoutMsg: "the project stayed dirty after Save" });
    }
    await openView("sync");
    await $(tid("sync-view")).waitForExist();
    expect(await $(tid("sync-needs-save")).isExisting()).toBe(false);

    await $(tid("sync-mode")).selectByAttribute("value", "initial");
    await $(tid("sync-group")).selectByAttribute("value", "");
    await $(tid("sync-source")).selectByAttribute("value", "fno");
    await $(tid("sync-run")).click();

    const result = await $(tid("sync-result"));
    await result.waitForExist({ timeout: 120_000, timeoutMsg: "no sync-result within 120 s" });
    const written = Number(await result.getAttribute("data-rows-written"));
    const failed = Number(await result.getAttribute("data-rows-failed"));
    console.log(`initial sync: ${written} rows written, ${failed} failed`);
    expect(written).toBeGreaterThan(0);
    expect(failed).toBe(0);
    await scrollTo(result);
    await screenshot("sync-result.png");
  });

  it("runs a live transaction that commits and one that rolls back", async () => {
    await $(tid("sync-mode")).selectByAttribute("value", "live");
    await loadExample("live-example", "SalesOrderHeaderV2Entity");
    await $(tid("live-run")).click();
    const outcome = await $(tid("live-outcome"));
    await outcome.waitForExist({ timeout: 60_000, timeoutMsg: "no live-outcome for the example" });
    expect(await outcome.getAttribute("data-committed")).toBe("true");
    const committedSteps = await traceSteps();
    console.log(`committed trace: ${committedSteps.join(" -> ")}`);
    expect(committedSteps.at(-1)).toBe("sourceCommit");

    const json = await $(tid("live-json"));
    await json.setValue(FAILING_TRANSACTION);
    await json.click();
    await browser.execute((el) => {
      el.blur();
    }, json);
    expect(JSON.parse(await json.getValue())).toEqual(JSON.parse(FAILING_TRANSACTION));
    await $(tid("live-run")).click();
    await browser.waitUntil(
      async () => (await $(tid("live-outcome", { "data-committed": "false" })).isExisting()),
      { timeout: 60_000, timeoutMsg: "no rolled-back live-outcome for the failing transaction" },
    );
    const steps = await traceSteps();
    console.log(`rolled-back trace: ${steps.join(" -> ")}`);
    expect(steps).toContain("targetAbort");
    expect(steps.at(-1)).toBe("sourceRollback");
    await scrollTo(await $(tid("live-trace")));
    await screenshot("live-trace.png");
  });

  it("runs the Dataverse examples: a customer edit commits, a negative credit limit rolls back", async () => {
    await $(tid("live-side")).selectByAttribute("value", "dataverse");
    await runExample("live-example", "msdyn_company", true);
    expect((await traceSteps()).at(-1)).toBe("sourceCommit");

    await runExample("live-example-failing", "-500", false);
    const steps = await traceSteps();
    console.log(`Dataverse rolled-back trace: ${steps.join(" -> ")}`);
    expect(steps).toContain("targetAbort");
    expect(steps.at(-1)).toBe("sourceRollback");
  });

  /** Loads an example the core offers (enabled once offered) and waits for its rows in the editor. */
  async function loadExample(button, loadedText) {
    await $(tid(button)).waitForEnabled({ timeout: 10_000, timeoutMsg: `${button} was not offered` });
    await $(tid(button)).click();
    await browser.waitUntil(async () => (await $(tid("live-json")).getValue()).includes(loadedText), {
      timeout: 10_000,
      timeoutMsg: `${button} did not load`,
    });
  }

  /** Loads an example (its rows made by the core, from the ids on Dataverse), runs it, waits for the outcome. */
  async function runExample(button, loadedText, committed) {
    await loadExample(button, loadedText);
    await $(tid("live-run")).click();
    await browser.waitUntil(
      async () => (await $(tid("live-outcome", { "data-committed": String(committed) })).isExisting()),
      { timeout: 60_000, timeoutMsg: `${button} did not ${committed ? "commit" : "roll back"}` },
    );
  }
});
