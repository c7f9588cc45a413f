/**
 * When the next frame is due, on a fixed grid from a start time: timer lateness never
 * accumulates into drift, and after a stall the grid skips the missed slots instead of
 * bursting frames to catch up.
 */
export class FrameSchedule {
  readonly #start: number;
  readonly #interval: number;
  #slot = 0;

  constructor(fps: number, now: number) {
    this.#start = now;
    this.#interval = 1000 / fps;
  }

  get interval(): number {
    return this.#interval;
  }

  /** When the next frame is due, in the same clock as `now`. */
  get nextDue(): number {
    return this.#start + this.#slot * this.#interval;
  }

  /** Milliseconds to wait from `now` until the next frame is due; 0 when it is due already. */
  delay(now: number): number {
    return Math.max(0, this.nextDue - now);
  }

  /** Records that a frame was taken at `now`: the next one is due at the first grid slot after it. */
  taken(now: number): void {
    const current = Math.floor((now - this.#start) / this.#interval);
    this.#slot = Math.max(this.#slot + 1, current + 1);
  }
}
