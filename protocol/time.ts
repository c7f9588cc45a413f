/**
 * Dates from peers, shown safely. A chat timestamp is checked on receipt, but the page and the
 * export must not trust that: `Date` holds only ±8.64e15 ms, and `toISOString()` throws past it.
 */

/** The ISO 8601 form of a timestamp in ms since the epoch, or null when Date cannot hold it. */
export function isoTime(ts: number): string | null {
  const date = new Date(ts);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * A timestamp as the clock on this computer shows it, with its offset from UTC so that it
 * stays unambiguous ("2026-11-30 18:14:03 +01:00"), or null when Date cannot hold it. Exports
 * are read by people, in their own time zone.
 */
export function localTime(ts: number): string | null {
  const date = new Date(ts);
  if (Number.isNaN(date.getTime())) return null;
  const offset = -date.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const zone = `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  const day = `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const clock = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return `${day} ${clock} ${zone}`;
}
