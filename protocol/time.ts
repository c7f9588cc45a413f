/**
 * Dates from peers, shown safely. A chat timestamp is checked on receipt, but the page and the
 * export must not trust that: `Date` holds only ±8.64e15 ms, and `toISOString()` throws past it.
 */

/** The ISO 8601 form of a timestamp in ms since the epoch, or null when Date cannot hold it. */
export function isoTime(ts: number): string | null {
  const date = new Date(ts);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
