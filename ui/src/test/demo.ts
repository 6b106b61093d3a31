// The demo project from the repository as a realistic fixture for tests.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Analysis, Project } from "../bindings";

// Tests run from ui/ (`cd ui && npx vitest run`).
const file = resolve(process.cwd(), "../examples/contoso.dwproj.json");

/** A fresh copy of the demo project each call. */
export function demoProject(): Project {
  return JSON.parse(readFileSync(file, "utf8")) as Project;
}

export function emptyAnalysis(): Analysis {
  return {
    findings: [],
    counts: { errors: 0, warnings: 0, infos: 0 },
    chart: { nodes: [], edges: [], waves: [], cycles: [] },
  };
}
