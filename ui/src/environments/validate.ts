// Checks of the environments list while it is edited: ids, URLs, and which environment of each
// side the engine will use (the first F&O and the first Dataverse one). Editor-level checks
// only; connecting is the backend's job (Test connection).

import type { EndpointKind, Environment, Side } from "../bindings";
import { hasLiteralPassword, isValidSecretName, secretReferences } from "./secrets";

/** Problems of one environment in the list, as sentences; empty when fine. */
export function environmentProblems(env: Environment, all: Environment[], index: number): string[] {
  const problems: string[] = [];
  const id = env.id.trim();
  if (id === "") problems.push("Give the environment an id.");
  else if (all.some((other, i) => i !== index && other.id.trim() === id)) {
    problems.push(`The id "${id}" is used by another environment.`);
  }
  const url = env.url.trim();
  if (url === "") problems.push("Give the URL (a SQLite file path or a postgres:// URL).");
  else if (env.kind === "postgres" && !/^postgres(ql)?:\/\//i.test(url)) {
    problems.push("A PostgreSQL URL starts with postgres://");
  } else if (env.kind === "sqlite" && /^postgres(ql)?:\/\//i.test(url)) {
    problems.push("This is a PostgreSQL URL: set the kind to PostgreSQL.");
  }
  if (hasLiteralPassword(url)) {
    problems.push("Never type a password into the URL: write ${NAME} and store the password below.");
  }
  for (const name of secretReferences(url)) {
    if (!isValidSecretName(name)) {
      problems.push(`"\${${name}}" cannot name a password: use letters, digits and underscores.`);
    }
  }
  for (const le of env.legalEntities ?? []) {
    if (le.trim() === "" || /\s/.test(le.trim())) problems.push(`"${le}" is not a legal entity code.`);
  }
  return problems;
}

/** The environment the engine uses for each side: the first of that side, if any. */
export function usedEnvironments(all: Environment[]): Record<Side, string | null> {
  return {
    fno: all.find((e) => e.side === "fno")?.id ?? null,
    dataverse: all.find((e) => e.side === "dataverse")?.id ?? null,
  };
}

/** Notes about the list as a whole: missing sides, extra environments the engine ignores. */
export function listNotes(all: Environment[]): string[] {
  const notes: string[] = [];
  const used = usedEnvironments(all);
  for (const side of ["fno", "dataverse"] as Side[]) {
    const name = side === "fno" ? "F&O" : "Dataverse";
    const ofSide = all.filter((e) => e.side === side);
    if (ofSide.length === 0) notes.push(`No ${name} environment: test syncs need one.`);
    else if (ofSide.length > 1) {
      notes.push(
        `${ofSide.length} ${name} environments: the engine uses the first one ("${used[side]}"); the others are kept for reference.`,
      );
    }
  }
  return notes;
}

/** Legal entities typed as "USMF, DEMF GBSI" -> ["USMF", "DEMF", "GBSI"]. */
export function parseLegalEntities(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s !== "");
}

export const URL_HELP: Record<EndpointKind, string> = {
  sqlite: "A SQLite database file; a relative path is read from the folder of the project file (e.g. fno.db).",
  postgres:
    "postgres://user:${NAME}@host:port/db — never type the password here: ${NAME} names it, and the password field stores it in the OS keychain (or set the environment variable NAME).",
};

export function kindLabel(kind: EndpointKind): string {
  return kind === "sqlite" ? "SQLite" : "PostgreSQL";
}

/** A fresh environment for "Add": the side that is still missing, with an unused id. */
export function newEnvironment(all: Environment[]): Environment {
  const side: Side = all.some((e) => e.side === "fno") && !all.some((e) => e.side === "dataverse")
    ? "dataverse"
    : "fno";
  let id: string = side;
  for (let n = 2; all.some((e) => e.id === id); n++) id = `${side}-${n}`;
  return { id, side, kind: "sqlite", url: "", legalEntities: [] };
}
