// Errors as sentences for people. Backend errors carry a message written for people already;
// anything else (a bug, a rejected promise with a string) is turned into one line of text.

import { toBackendError } from "./backend";

export function errorMessage(error: unknown, doing?: string): string {
  const message = toBackendError(error).message.trim() || "Something went wrong.";
  return doing ? `${doing}: ${message}` : message;
}
