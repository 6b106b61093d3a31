// Export of the drawn chart as files: a standalone SVG (computed styles inlined, CSS variables
// resolved, whole chart at 1:1, no app stylesheet needed). Only produces the text; the app shell
// saves it through a user-driven dialog, and the backend draws the PNG from it.

const STYLE_PROPS = [
  "fill", "fill-opacity", "stroke", "stroke-width", "stroke-dasharray", "stroke-opacity", "opacity",
  "font-family", "font-size", "font-weight", "text-anchor", "dominant-baseline", "visibility",
];
// Inherited properties are written only where they differ from the parent, to keep files small.
const INHERITED = new Set(STYLE_PROPS.filter((p) => p !== "opacity"));

function inlineStyles(source: Element, target: Element, parent: CSSStyleDeclaration | null): void {
  const computed = getComputedStyle(source);
  const style: string[] = [];
  for (const prop of STYLE_PROPS) {
    const value = computed.getPropertyValue(prop);
    if (!value) continue;
    if (parent && INHERITED.has(prop) && parent.getPropertyValue(prop) === value) continue;
    if (prop === "opacity" && value === "1") continue;
    style.push(`${prop}:${value}`);
  }
  if (style.length > 0) target.setAttribute("style", style.join(";"));
  else target.removeAttribute("style");
  target.removeAttribute("class");
  for (let i = 0; i < source.children.length; i++) inlineStyles(source.children[i], target.children[i], computed);
}

/**
 * The chart as a standalone SVG document. `viewport` is the group carrying the zoom/pan
 * transform (reset to the identity), `width`/`height` the drawing's size.
 */
export function standaloneSvg(svg: SVGSVGElement, viewport: string, width: number, height: number, background: string): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  inlineStyles(svg, copy, null);
  copy.querySelector(viewport)?.removeAttribute("transform");
  copy.querySelectorAll("[data-export='skip']").forEach((el) => el.remove());
  const margin = 16;
  const w = Math.ceil(width + 2 * margin);
  const h = Math.ceil(height + 2 * margin);
  copy.setAttribute("width", String(w));
  copy.setAttribute("height", String(h));
  copy.setAttribute("viewBox", `${-margin} ${-margin} ${w} ${h}`);
  for (const attr of ["data-testid", "role", "tabindex", "aria-label"]) copy.removeAttribute(attr);
  copy.querySelectorAll("[tabindex]").forEach((el) => el.removeAttribute("tabindex"));
  const bg = copy.ownerDocument.createElementNS("http://www.w3.org/2000/svg", "rect");
  for (const [k, v] of Object.entries({ x: -margin, y: -margin, width: w, height: h })) bg.setAttribute(k, String(v));
  bg.setAttribute("fill", background);
  copy.insertBefore(bg, copy.firstChild);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}`;
}
