// The benchmark table: one row per figure, MelloOS beside the host doing the
// same work in the same run, their ratio, and the target when there is one.
//
// A ratio always reads as "MelloOS is N× slower / faster than the host", so a
// latency row and a throughput row read the same way whichever unit they use.

/** What a row measures: a time (lower is better) or a rate (higher is better). */
export type Unit = "µs" | "ms" | "msg/s" | "ops/s" | "MB/s";

/** One line of the table. */
export interface Row {
  /** What MelloOS did, and which statistic (p50, p95, ...). */
  name: string;
  unit: Unit;
  ours: number;
  /** What the host did as the baseline. */
  hostWork: string;
  host: number;
  /** The target for `ours`, if it sets one: below it (times) or at least it (rates). */
  target?: number;
}

/** Times are better when lower, rates when higher. */
function higherIsBetter(unit: Unit): boolean {
  return unit === "msg/s" || unit === "ops/s" || unit === "MB/s";
}

/** True when the row has a target and meets it. */
export function meetsTarget(row: Row): boolean | undefined {
  if (row.target === undefined) return undefined;
  return higherIsBetter(row.unit) ? row.ours >= row.target : row.ours < row.target;
}

function formatValue(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return "-";
  if (unit === "msg/s" || unit === "ops/s" || Number.isInteger(value)) {
    return `${Math.round(value).toLocaleString("en-US")} ${unit}`;
  }
  const digits = value < 10 ? 2 : value < 100 ? 1 : 0;
  return `${value.toFixed(digits)} ${unit}`;
}

function formatRatio(row: Row): string {
  if (!(row.ours > 0 && row.host > 0)) return "-";
  const oursBetter = higherIsBetter(row.unit) ? row.ours >= row.host : row.ours <= row.host;
  const factor = Math.max(row.ours, row.host) / Math.min(row.ours, row.host);
  return `${factor.toFixed(factor < 10 ? 2 : 1)}× ${oursBetter ? "faster" : "slower"}`;
}

function formatTarget(row: Row): string {
  if (row.target === undefined) return "";
  return `${higherIsBetter(row.unit) ? "≥" : "<"} ${formatValue(row.target, row.unit)}`;
}

/** Columns of figures (MelloOS, host, ratio), aligned right. */
const RIGHT_ALIGNED = new Set([1, 2, 4]);

/** The rows as an aligned plain-text table (Markdown-compatible). */
export function formatTable(rows: Row[]): string {
  const header = ["benchmark", "MelloOS", "host", "host does", "ratio", "target", "met"];
  const cells = rows.map((row) => {
    const met = meetsTarget(row);
    return [
      row.name,
      formatValue(row.ours, row.unit),
      formatValue(row.host, row.unit),
      row.hostWork,
      formatRatio(row),
      formatTarget(row),
      met === undefined ? "" : met ? "yes" : "NO",
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const pad = (text: string, i: number) =>
    RIGHT_ALIGNED.has(i) ? text.padStart(widths[i]) : text.padEnd(widths[i]);
  const line = (c: string[]) => `| ${c.map(pad).join(" | ")} |`;
  const dashes = (width: number, i: number) =>
    RIGHT_ALIGNED.has(i) ? `${"-".repeat(width + 1)}:` : "-".repeat(width + 2);
  const rule = `|${widths.map(dashes).join("|")}|`;
  return [line(header), rule, ...cells.map(line)].join("\n");
}
