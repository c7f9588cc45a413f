/** Reconnect delays: 250 ms doubling to 5 s, with up to 20% random jitter. */
export const BACKOFF_BASE_MS = 250;
export const BACKOFF_MAX_MS = 5000;

export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt, 0), 16);
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** exponent);
  return Math.round(base * (1 + 0.2 * random()));
}
