import type { PieceMessage } from '../link/control-messages.js';
import type { SwarmEvents } from './swarm.js';

type Progress = SwarmEvents['progress'][0];

/** party-progress at most this often (the Swarm reports every piece). */
const PROGRESS_EVERY_MS = 250;
/** Piece messages kept for a party whose manifest has not reached us yet. */
const EARLY_PIECE_MESSAGES = 256;

/**
 * Passes on a Swarm's progress (it reports every piece) at most once per `everyMs`; the
 * last report always goes out, late by up to `everyMs`. close() drops a pending one.
 */
export class ProgressThrottle {
  readonly #everyMs: number;
  readonly #send: (progress: Progress) => void;
  #timer: NodeJS.Timeout | null = null;
  #at = 0;
  #last: Progress | null = null;
  #closed = false;

  constructor(send: (progress: Progress) => void, everyMs = PROGRESS_EVERY_MS) {
    this.#everyMs = everyMs;
    this.#send = send;
  }

  push(progress: Progress): void {
    if (this.#closed) return;
    this.#last = progress;
    if (this.#timer) return;
    const wait = this.#at + this.#everyMs - Date.now();
    if (wait <= 0) this.#flush();
    else this.#timer = setTimeout(() => this.#flush(), wait);
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #flush(): void {
    this.#timer = null;
    if (this.#closed || !this.#last) return;
    this.#at = Date.now();
    this.#send(this.#last);
  }
}

/**
 * Piece messages for a party whose manifest has not reached us yet: a member that heard it
 * first (on another link) already tells us what it holds. Bounded: the oldest go first.
 */
export class EarlyPieces {
  readonly #max: number;
  #kept: { from: string; message: PieceMessage }[] = [];

  constructor(max = EARLY_PIECE_MESSAGES) {
    this.#max = max;
  }

  keep(from: string, message: PieceMessage): void {
    this.#kept.push({ from, message });
    if (this.#kept.length > this.#max) this.#kept.shift();
  }

  /** The ones for `party`, in arrival order; forgets all. */
  take(party: string): { from: string; message: PieceMessage }[] {
    const kept = this.#kept.filter((e) => e.message.party === party);
    this.#kept = [];
    return kept;
  }
}
