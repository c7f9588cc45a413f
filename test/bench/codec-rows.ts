/** Row builders shared by the `codec` suite's parts. */
import type { BenchRow } from './table.js';

export function codecRow(
  metric: string,
  value: number,
  unit: string,
  target = '',
  met: boolean | null = null,
): BenchRow {
  return { suite: 'codec', metric, value, unit, target, met };
}

/** A figure this run could not measure, and why; the table shows it with no value. */
export function pendingRow(why: string): BenchRow {
  return codecRow(`pending: ${why}`, Number.NaN, '');
}
