// Errors as sentences for people. Backend errors carry a message written for people already;
// anything else (a bug, a rejected promise with an object) becomes one readable line, never JSON.

import { toBackendError } from "./backend";

const FALLBACK = "Something unexpected went wrong. Try again; if it keeps happening, restart the app.";

export function errorMessage(error: unknown, doing?: string): string {
  const message = readable(error);
  return doing ? `${doing}: ${message}` : message;
}

function readable(error: unknown): string {
  if (typeof error === "object" && error !== null && !(error instanceof Error) && !("message" in error)) {
    return FALLBACK;
  }
  const message = toBackendError(error).message.trim();
  if (!message || /^[[{]/.test(message) || message === "[object Object]") return FALLBACK;
  return message;
}
