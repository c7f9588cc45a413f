/** Anything with a signaling session of its own (a SignalingConnection). */
export type SessionCarrier = object;

/**
 * Link numbers per signaling session. A link's keys derive from the session and its
 * number, so a number used twice on one session would reuse nonces: each is handed out
 * once, for as long as the session lives, whatever call it was for.
 */
export class LinkNumbers {
  readonly #used = new WeakMap<SessionCarrier, Set<number>>();

  /**
   * Claims `wanted` (a number the peer chose), or the next free one; null if it was
   * used already on this session.
   */
  claim(session: SessionCarrier, wanted: number | null = null): number | null {
    const used = this.#used.get(session) ?? new Set<number>();
    this.#used.set(session, used);
    let number = wanted ?? used.size;
    if (wanted === null) while (used.has(number)) number += 1;
    if (used.has(number)) return null;
    used.add(number);
    return number;
  }
}
