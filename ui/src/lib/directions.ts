// How directions are written on screen. Field directions use the platform's own symbols in the
// dual-write mapping grid (`=` both ways, `>` F&O to Dataverse, `<` Dataverse to F&O), with the
// transform kind shown next to them as a chip.

import type { FieldDirection, FieldMapping, MapDirection, Transform } from "../bindings";

const SYMBOLS: Record<FieldDirection, string> = { both: "=", toDataverse: ">", toFno: "<" };

export const FIELD_DIRECTIONS: readonly FieldDirection[] = ["both", "toDataverse", "toFno"];
export const MAP_DIRECTIONS: readonly MapDirection[] = ["bidirectional", "toDataverse", "toFno"];

/** `=`, `>` or `<`. */
export function directionSymbol(direction: FieldDirection): string {
  return SYMBOLS[direction];
}

/** The direction a typed symbol stands for; null for anything else. */
export function parseDirectionSymbol(symbol: string): FieldDirection | null {
  const trimmed = symbol.trim();
  return FIELD_DIRECTIONS.find((d) => SYMBOLS[d] === trimmed) ?? null;
}

/** Words for the symbol, for tooltips and screen readers. */
export function fieldDirectionLabel(direction: FieldDirection): string {
  switch (direction) {
    case "both":
      return "both ways";
    case "toDataverse":
      return "F&O to Dataverse";
    case "toFno":
      return "Dataverse to F&O";
  }
}

export function mapDirectionLabel(direction: MapDirection): string {
  switch (direction) {
    case "bidirectional":
      return "Bidirectional";
    case "toDataverse":
      return "F&O → Dataverse";
    case "toFno":
      return "Dataverse → F&O";
  }
}

export type TransformKind = "valueMap" | "default";

export function transformKind(transform: Transform | null | undefined): TransformKind | null {
  if (!transform) return null;
  return "valueMap" in transform ? "valueMap" : "default";
}

/** The chip next to the symbol: "value map", "default" or nothing. */
export function transformChip(transform: Transform | null | undefined): string | null {
  const kind = transformKind(transform);
  return kind === "valueMap" ? "value map" : kind === "default" ? "default" : null;
}

/** The grid's middle column as text, e.g. `=` or `> default`. */
export function fieldSummary(field: Pick<FieldMapping, "direction" | "transform">): string {
  const chip = transformChip(field.transform);
  return chip ? `${directionSymbol(field.direction)} ${chip}` : directionSymbol(field.direction);
}

/**
 * Field directions a map allows: a one-way map's fields can only go its way; a bidirectional map's
 * fields may go either or both ways.
 */
export function allowedFieldDirections(map: MapDirection): FieldDirection[] {
  if (map === "toDataverse") return ["toDataverse"];
  if (map === "toFno") return ["toFno"];
  return [...FIELD_DIRECTIONS];
}
