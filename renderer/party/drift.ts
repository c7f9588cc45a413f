/**
 * Keeps one viewer's film on the party's timeline (issue #12, "Drift correction"). Each
 * presented frame gives an error: where the video is minus where the shared state says it
 * should be. Small errors are left alone (a dead band), middling ones are worked off by
 * nudging playbackRate a few percent, large ones by a seek. Hysteresis keeps it from
 * oscillating: a correction starts above START_S and runs until the error is under STOP_S;
 * after a seek nothing is judged for SEEK_SETTLE_MS (the element is still getting there).
 * A seek lands late by the time the element takes to get there (measured here: 100–300 ms
 * while playing), and then the rate nudge would need seconds to work that off; so each seek
 * aims ahead by a lead learned from how far off the previous ones landed.
 *
 * Syncplay only starts slowing a player at 1.5 s off; here tens of milliseconds are noticed
 * because frames carry exact media times (requestVideoFrameCallback) and every viewer's
 * node holds a shared clock.
 */

/** Under this the viewer is in sync: nothing changes. */
export const START_S = 0.02;
/** A correction in progress ends once the error is this small. */
export const STOP_S = 0.007;
/** Over this a seek is faster than any rate nudge a person would not notice. */
export const SEEK_S = 0.5;
/** Rate change per second of error, capped at MAX_NUDGE (±8 % is hard to hear or see). */
const GAIN = 1.0;
export const MAX_NUDGE = 0.08;
export const SEEK_SETTLE_MS = 300;
/** The first guess at how late a seek lands; learned from then on, within 0…MAX_LEAD_S. */
export const FIRST_LEAD_S = 0.15;
const MAX_LEAD_S = 1;

export type DriftAction =
  { kind: 'none' } | { kind: 'rate'; rate: number } | { kind: 'seek'; to: number; rate: number };

export class DriftCorrector {
  #correcting = false;
  #settleUntil = 0;
  #leadS = FIRST_LEAD_S;
  #landing = false;

  /**
   * One measurement: `actual` and `expected` media seconds for the same instant, the party's
   * `rate`, and `nowMs` (any monotonic ms). Says what to do with the element.
   */
  update(actual: number, expected: number, rate: number, nowMs: number): DriftAction {
    const error = actual - expected;
    if (this.#landing) {
      // The first frame after our seek: how late it landed teaches the next seek's lead.
      this.#landing = false;
      this.#leadS = Math.max(0, Math.min(MAX_LEAD_S, this.#leadS - error / rate));
    }
    if (nowMs < this.#settleUntil) return { kind: 'none' };
    const size = Math.abs(error);
    if (size > SEEK_S) {
      this.#correcting = false;
      return { kind: 'seek', to: this.seekTarget(expected, rate, nowMs), rate };
    }
    if (this.#correcting ? size < STOP_S : size < START_S) {
      const wasCorrecting = this.#correcting;
      this.#correcting = false;
      return wasCorrecting ? { kind: 'rate', rate } : { kind: 'none' };
    }
    this.#correcting = true;
    const nudge = Math.max(-MAX_NUDGE, Math.min(MAX_NUDGE, error * GAIN));
    // Ahead (error > 0): slower; behind: faster.
    return { kind: 'rate', rate: rate * (1 - nudge) };
  }

  /**
   * Where to seek to be at `expected` once the seek has landed (and judge nothing until
   * then); the caller seeks there, the next update learns from where it landed.
   */
  seekTarget(expected: number, rate: number, nowMs: number): number {
    this.#settleUntil = nowMs + SEEK_SETTLE_MS;
    this.#landing = true;
    return expected + this.#leadS * rate;
  }

  /** The state changed (seek, pause, rate): start judging afresh. */
  reset(nowMs: number, settleMs = 0): void {
    this.#correcting = false;
    this.#landing = false;
    this.#settleUntil = nowMs + settleMs;
  }

  get correcting(): boolean {
    return this.#correcting;
  }
}
