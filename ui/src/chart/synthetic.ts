// Synthetic dependency charts for tests and the perf script: n maps in groups of 5 to 10,
// lookups to earlier maps (mostly inside the group, some across), a few two-map cycles and
// self-references. Deterministic (seeded PRNG), so layouts and timings are comparable.
import type { ChartExport, ChartNode, Edge, Group } from "../bindings";

const STEMS = [
  "customers", "vendors", "products", "released-products", "sales-orders", "sales-order-lines",
  "purchase-orders", "purchase-order-lines", "warehouses", "sites", "legal-entities", "currencies",
  "payment-terms", "delivery-terms", "price-groups", "units", "unit-conversions", "addresses",
  "contacts", "employees", "projects", "invoices", "invoice-lines", "journals", "tax-groups",
];

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function title(id: string): string {
  return id
    .split("-")
    .map((w) => (/^\d+$/.test(w) ? w : w[0].toUpperCase() + w.slice(1)))
    .join(" ");
}

/** A chart of `n` maps with its groups; same `n` (and seed) gives the same chart. */
export function syntheticChart(n: number, seed = 7): { chart: ChartExport; groups: Group[] } {
  const rand = prng(seed);
  const pick = (k: number) => Math.floor(rand() * k);
  const ids: string[] = [];
  const groupOf: (string | null)[] = [];
  const groups: Group[] = [];
  let i = 0;
  while (i < n) {
    const size = Math.min(5 + pick(6), n - i);
    const grouped = rand() > 0.1;
    const group: Group | null = grouped
      ? { id: `group-${groups.length + 1}`, name: `Group ${groups.length + 1}`, members: [] }
      : null;
    for (let k = 0; k < size; k++, i++) {
      const id = `${STEMS[i % STEMS.length]}-${Math.floor(i / STEMS.length) + 1}`;
      ids.push(id);
      groupOf.push(group?.id ?? null);
      group?.members.push({ map: id, sequence: k + 1 });
    }
    if (group) groups.push(group);
  }

  const edges = new Map<string, Edge>();
  const addEdge = (from: number, to: number) => {
    const key = `${from}>${to}`;
    const cause = { kind: "lookup" as const, fieldIndex: pick(20), column: `${ids[from].replace(/-/g, "")}id`, table: title(ids[from]) };
    const edge = edges.get(key);
    if (edge) edge.causes.push(cause);
    else edges.set(key, { from: ids[from], to: ids[to], causes: [cause] });
  };
  for (let to = 1; to < n; to++) {
    const lookups = pick(4);
    for (let l = 0; l < lookups; l++) {
      // Mostly lookups to reference data (early maps), some header-line pairs in a group.
      const near = rand() < 0.25;
      const from = near ? to - 1 : Math.floor(to * rand() ** 3);
      if (from !== to) addEdge(from, to);
    }
  }
  const cycles: string[][] = [];
  const inCycle = new Set<number>();
  for (let c = 37; c + 3 < n; c += 97) {
    addEdge(c + 3, c);
    addEdge(c, c + 3);
    cycles.push([ids[c], ids[c + 3]]);
    inCycle.add(c).add(c + 3);
  }
  const selfRefs = new Set<number>();
  for (let s = 11; s < n; s += 41) selfRefs.add(s);

  // Waves: longest path from a root, ignoring the edges that close a cycle.
  const wave = new Array<number>(n).fill(0);
  const list = [...edges.values()];
  const index = new Map(ids.map((id, k) => [id, k]));
  const forward = list
    .map((e) => [index.get(e.from)!, index.get(e.to)!] as const)
    .filter(([a, b]) => a < b)
    .sort((x, y) => x[1] - y[1]);
  for (const [a, b] of forward) wave[b] = Math.max(wave[b], wave[a] + 1);
  const waves: string[][] = [];
  ids.forEach((id, k) => (waves[wave[k]] ??= []).push(id));

  const nodes: ChartNode[] = ids.map((id, k) => ({
    id,
    name: title(id),
    group: groupOf[k],
    syncMode: rand() < 0.3 ? "live" : "async",
    wave: wave[k],
    inCycle: inCycle.has(k),
    selfReference: selfRefs.has(k),
  }));
  return { chart: { nodes, edges: list, waves, cycles }, groups };
}
