import { describe, expect, it } from "vitest";
import { BackendError } from "./backend";
import { errorMessage } from "./messages";

describe("error messages", () => {
  it("uses the backend's sentence", () => {
    expect(errorMessage(new BackendError("io", "The file is read-only."), "Could not save")).toBe(
      "Could not save: The file is read-only.",
    );
    expect(errorMessage({ code: "x", message: "Plain sentence." })).toBe("Plain sentence.");
  });

  it("never shows JSON or [object Object]", () => {
    for (const error of [{ weird: true }, { code: "x", message: '{"a":1}' }, "", new Error("[1,2]")]) {
      const text = errorMessage(error);
      expect(text).not.toMatch(/[{}[\]]/);
      expect(text.length).toBeGreaterThan(10);
    }
  });
});
