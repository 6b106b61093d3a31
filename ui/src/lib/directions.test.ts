import { describe, expect, it } from "vitest";
import {
  allowedFieldDirections,
  directionSymbol,
  fieldSummary,
  parseDirectionSymbol,
  transformChip,
} from "./directions";

describe("direction symbols", () => {
  it("uses the platform's symbols", () => {
    expect(directionSymbol("both")).toBe("=");
    expect(directionSymbol("toDataverse")).toBe(">");
    expect(directionSymbol("toFno")).toBe("<");
  });

  it("parses symbols back, and nothing else", () => {
    expect(parseDirectionSymbol(" = ")).toBe("both");
    expect(parseDirectionSymbol(">")).toBe("toDataverse");
    expect(parseDirectionSymbol("<")).toBe("toFno");
    expect(parseDirectionSymbol("=>")).toBeNull();
  });

  it("shows the transform kind next to the symbol", () => {
    expect(fieldSummary({ direction: "both" })).toBe("=");
    expect(fieldSummary({ direction: "both", transform: { valueMap: { a: "1" } } })).toBe("= value map");
    expect(fieldSummary({ direction: "toDataverse", transform: { default: 2 } })).toBe("> default");
    expect(transformChip(null)).toBeNull();
  });

  it("one-way maps allow only their own way", () => {
    expect(allowedFieldDirections("toFno")).toEqual(["toFno"]);
    expect(allowedFieldDirections("bidirectional")).toHaveLength(3);
  });
});
