// The `${NAME}` references of an environment URL (the passwords it names) and how the origin
// of each is worded. Mirrors the core's `studio::secrets::references` so the password fields
// appear while the user types, before any backend round trip.

import type { SecretOrigin } from "../bindings";

/** The `${NAME}` references of a URL, in order, without duplicates. */
export function secretReferences(url: string): string[] {
  const names: string[] = [];
  let rest = url;
  for (;;) {
    const start = rest.indexOf("${");
    if (start < 0) break;
    const after = rest.slice(start + 2);
    const end = after.indexOf("}");
    if (end < 0) break;
    const name = after.slice(0, end);
    if (!names.includes(name)) names.push(name);
    rest = after.slice(end + 1);
  }
  return names;
}

/** Whether a name can be stored (letters, digits, underscores), as the keychain requires. */
export function isValidSecretName(name: string): boolean {
  return /^[A-Za-z0-9_]+$/.test(name);
}

export function originLabel(origin: SecretOrigin): string {
  switch (origin) {
    case "environmentVariable":
      return "environment variable";
    case "keychain":
      return "OS keychain";
    case "missing":
      return "missing";
  }
}

/**
 * Whether the URL carries a literal password (`user:secret@`) instead of a `${NAME}` reference:
 * project files are shared, so that is refused in the editor.
 */
export function hasLiteralPassword(url: string): boolean {
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^/@]*)@/i.exec(url);
  if (!match) return false;
  const userInfo = match[1];
  const colon = userInfo.indexOf(":");
  if (colon < 0) return false;
  const password = userInfo.slice(colon + 1);
  return password !== "" && !/^\$\{[^}]*\}$/.test(password);
}
