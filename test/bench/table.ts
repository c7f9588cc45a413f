/** One measured figure against its target, for the table `npm run bench` prints. */
export interface BenchRow {
  suite: string;
  metric: string;
  value: number;
  unit: string;
  /** Human-readable target, e.g. "≤ 1500"; empty when the figure is informational. */
  target: string;
  met: boolean | null;
}

export function formatTable(rows: BenchRow[], command: string): string {
  const header = ['suite', 'metric', 'value', 'target', 'met'];
  const body = rows.map((row) => [
    row.suite,
    row.metric,
    `${formatNumber(row.value)} ${row.unit}`,
    row.target ? `${row.target} ${row.unit}` : '',
    row.met === null ? '' : row.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((_, i) =>
    Math.max(...[header, ...body].map((r) => (r[i] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [
    `command: ${command}`,
    `machine: ${process.arch}, node ${process.version}`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
  ].join('\n');
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return '—';
  if (Number.isInteger(value)) return String(value);
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

export function median(values: number[]): number {
  return percentile(values, 50);
}
