// The demo project from the repository as a realistic fixture for tests.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Analysis, Project } from "../bindings";

// Relative to this file (a string path: jsdom's URL class is not the one node:url accepts).
const file = resolve(dirname(fileURLToPath(import.meta.url)), "../../../examples/contoso.dwproj.json");

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
