import type { LinkState } from '../link/link-types.js';

/** What the pacer needs of a link (a CallLink or PeerLink). */
export interface PacedTarget {
  readonly state: LinkState;
  readonly mediaBufferedAmount: number;
  sendMedia(chunk: Uint8Array): boolean;
}

/** What a member's media-report says about our voice's queueing and our video's arrival. */
export interface PathReport {
  /** Standing queue our voice met on the way (ms above its base delay), null without voice. */
  queueMs?: number | null | undefined;
  /** Our video as it arrived there, kbit/s. */
  kbps?: number | null | undefined;
}

/** Above this standing queue the path is overused: cut the video rate. */
const OVERUSE_MS = 12;
/** Below it there is room: let the video rate grow. */
const UNDERUSE_MS = 4;
const DECREASE = 0.85;
const INCREASE = 1.08;
/** Never pace video below this (bytes/s, 128 kbit/s): a thumbnail still moves. */
const MIN_RATE = 16_000;
/** At most this much video leaves at once (about one paced chunk). */
const BURST_BYTES = 4096;
/** Until the member tells us what arrives: 1 Mbit/s, grown from there. */
const INITIAL_RATE = 125_000;
/** A report period (~250 ms) and then some: voice sent this long should have arrived. */
const STARVED_AFTER_MS = 500;
/** No voice sent for this long: nothing to protect, video goes unpaced again. */
const UNPACE_AFTER_MS = 3000;

/**
 * Keeps one member's video from delaying our voice to it. The bottleneck queue (a router's,
 * and the transport's own send buffer) is FIFO: video that fills it delays every voice packet
 * behind it, whatever SCTP stream it is on. So while that member reports a standing queue for
 * our voice, video is sent at a rate below what arrives there (cut at once on overuse, grown
 * slowly after), in small paced chunks; a frame that finds the previous one still queued is
 * skipped by the sender (drop whole frames, never voice). Without voice it passes video
 * straight through.
 */
export class VideoPacer implements PacedTarget {
  readonly #now: () => number;
  #link: PacedTarget | null = null;
  /** Bytes per second; Infinity = unpaced. */
  #rate = Infinity;
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #tokens = BURST_BYTES;
  #refilledAt = 0;
  #timer: NodeJS.Timeout | null = null;
  #voiceAt = -Infinity;
  /** When our voice to this member (re)started: a report right after may not show it yet. */
  #voiceSince = -Infinity;
  /** What the member last said arrives of our video, bytes/s; null before any report. */
  #arriving: number | null = null;
  #overused = false;
  #closed = false;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** The link chunks go out on now; a new link starts with an empty queue. */
  bind(link: PacedTarget): this {
    if (link !== this.#link) {
      this.#link = link;
      this.#clear();
    }
    return this;
  }

  get state(): LinkState {
    return this.#closed ? 'closed' : (this.#link?.state ?? 'closed');
  }

  /** Queued here plus queued in the link: the sender skips a frame while this is not 0. */
  get mediaBufferedAmount(): number {
    return this.#queuedBytes + (this.#link?.mediaBufferedAmount ?? 0);
  }

  get paced(): boolean {
    return Number.isFinite(this.#rate);
  }

  /** The paced rate in kbit/s, null while unpaced. */
  get rateKbps(): number | null {
    return this.paced ? (this.#rate * 8) / 1000 : null;
  }

  sendMedia(chunk: Uint8Array): boolean {
    const link = this.#link;
    if (this.#closed || !link) return false;
    if (!this.paced) return link.sendMedia(chunk);
    this.#queue.push(chunk);
    this.#queuedBytes += chunk.length;
    this.#drain();
    return true;
  }

  /**
   * We just sent this member a voice packet: pace from now on, at first no faster than our
   * video arrives there (it cannot go faster anyway, and more only fills a queue).
   */
  noteVoice(now = this.#now()): void {
    if (now - this.#voiceAt > STARVED_AFTER_MS) this.#voiceSince = now;
    this.#voiceAt = now;
    if (!this.paced && !this.#closed) {
      this.#rate = Math.max(MIN_RATE, this.#arriving ?? INITIAL_RATE);
      this.#overused = false;
    }
  }

  /** A member's media-report (every quarter second or so). */
  onReport(report: PathReport, now = this.#now()): void {
    if (this.#closed) return;
    if (typeof report.kbps === 'number') this.#arriving = (report.kbps * 1000) / 8;
    if (!this.paced) return;
    if (now - this.#voiceAt > UNPACE_AFTER_MS) {
      this.#unpace();
      return;
    }
    const arriving = this.#arriving ?? 0;
    // We have been talking, yet none of it arrived in the whole period: voice is stuck
    // behind a queue.
    const talking = now - this.#voiceAt < STARVED_AFTER_MS;
    const starved = talking && now - this.#voiceSince > STARVED_AFTER_MS;
    const queueMs = report.queueMs ?? (starved ? Infinity : null);
    if (queueMs === null) return;
    if (queueMs > OVERUSE_MS) {
      // What arrives is what the path carries: go below it so the queue drains; keep cutting
      // while the queue stands.
      const cut = this.#overused ? this.#rate * DECREASE : this.#rate;
      this.#rate = Math.max(MIN_RATE, Math.min(cut, arriving * DECREASE));
      this.#overused = true;
      return;
    }
    this.#overused = false;
    if (queueMs < UNDERUSE_MS) {
      // Grow, but not far past what is actually sent (video may be using less than allowed).
      this.#rate = Math.min(this.#rate * INCREASE, Math.max(MIN_RATE, arriving * 1.5));
    }
  }

  /** Idempotent: drops what is queued and stops the timer. */
  close(): void {
    this.#closed = true;
    this.#clear();
  }

  #unpace(): void {
    this.#rate = Infinity;
    const queued = this.#queue.splice(0);
    this.#queuedBytes = 0;
    this.#stopTimer();
    for (const chunk of queued) this.#link?.sendMedia(chunk);
  }

  #drain(): void {
    if (this.#timer) return;
    const now = this.#now();
    this.#tokens = Math.min(
      BURST_BYTES,
      this.#tokens + (this.#rate * Math.max(0, now - this.#refilledAt)) / 1000,
    );
    this.#refilledAt = now;
    while (this.#tokens > 0 && this.#queue.length > 0) {
      const chunk = this.#queue.shift();
      if (!chunk) break;
      this.#queuedBytes -= chunk.length;
      this.#tokens -= chunk.length;
      this.#link?.sendMedia(chunk);
    }
    if (this.#queue.length === 0 || !this.paced) return;
    const waitMs = Math.max(1, ((1 - this.#tokens) * 1000) / this.#rate);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (!this.#closed) this.#drain();
    }, waitMs);
  }

  #clear(): void {
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#stopTimer();
  }

  #stopTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
