export interface CallTimings {
  /** Silence after which a member shows as reconnecting. */
  quietMs: number;
  /** Silence after which a member is removed from the call. */
  goneMs: number;
  /** How often liveness is checked (and receivers tell senders what arrived). */
  checkMs: number;
}

export const DEFAULT_TIMINGS: CallTimings = { quietMs: 1500, goneMs: 9500, checkMs: 250 };

/**
 * What a member's silence means: gone (remove it), quiet (show it reconnecting and make a
 * fresh link alongside), back (heard again on an open link), or nothing new.
 */
export function livenessVerdict(
  silenceMs: number,
  state: 'connected' | 'reconnecting',
  linkOpen: boolean,
  timings: CallTimings,
): 'gone' | 'quiet' | 'back' | null {
  if (silenceMs > timings.goneMs) return 'gone';
  if (silenceMs > timings.quietMs) return state === 'connected' ? 'quiet' : null;
  return state === 'reconnecting' && linkOpen ? 'back' : null;
}
