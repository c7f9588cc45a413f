import type { ControlMessage } from '../link/control-messages.js';

/** What the shared clock needs of a link: its offset estimate, and a way to ask for more. */
export interface ClockLink {
  readonly peerId: string;
  readonly clockOffsetMs: number | null;
  sendControl(message: ControlMessage): boolean;
}

export interface SharedClockOptions {
  localId: string;
  /** The open links by peer id, as they stand now. */
  links: () => Iterable<ClockLink>;
  now?: () => number;
  /** Round trips in a burst, and the gap between them. */
  burst?: number;
  burstGapMs?: number;
  /** A new burst this often: the link's heartbeats refine the estimate in between. */
  refreshMs?: number;
}

/**
 * The party's shared clock: the clock of the reference member, the lowest peer id among us
 * and the members we have an estimate for (every member picks the same one, and it stays
 * while that member is in the call). Estimates come from each link's NTP-style ping/pong
 * samples (ClockOffset keeps the lowest-delay one of the recent samples); here a burst of
 * round trips on start and periodically makes a good sample likely within a second.
 */
export class SharedClock {
  readonly #options: SharedClockOptions;
  readonly #now: () => number;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #refresh: NodeJS.Timeout;
  #closed = false;

  constructor(options: SharedClockOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#refresh = setInterval(() => this.probe(), options.refreshMs ?? 30_000);
    this.#refresh.unref();
    this.probe();
  }

  /** The reference member's id (ours when we are it). */
  get reference(): string {
    let best = this.#options.localId;
    for (const link of this.#options.links()) {
      if (link.clockOffsetMs !== null && link.peerId < best) best = link.peerId;
    }
    return best;
  }

  /** Shared-clock ms now. */
  now(): number {
    return this.toShared(this.#now());
  }

  /** Our clock's ms as shared-clock ms. */
  toShared(localMs: number): number {
    const reference = this.reference;
    if (reference === this.#options.localId) return localMs;
    for (const link of this.#options.links()) {
      if (link.peerId === reference) return localMs + (link.clockOffsetMs ?? 0);
    }
    return localMs;
  }

  /** A burst of round trips on every link (a new member, a refresh). */
  probe(): void {
    const count = this.#options.burst ?? 8;
    const gap = this.#options.burstGapMs ?? 40;
    for (let i = 0; i < count; i++) {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        if (this.#closed) return;
        for (const link of this.#options.links()) {
          link.sendControl({ t: 'ping', ts: this.#now() });
        }
      }, i * gap);
      this.#timers.add(timer);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#refresh);
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
