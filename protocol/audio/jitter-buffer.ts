// STAND-IN by H-core (branch voice-core), to be REPLACED by H-dsp's jitter-buffer.ts (branch
// voice-dsp) at merge: the interface of the shared design with a fixed 40 ms target, no
// adaptation, just enough for the playout clock in p2p/call to run against.
import type { VoiceHeader } from './voice-packet.js';

export interface JitterBufferOptions {
  minMs?: number;
  maxMs?: number;
  windowMs?: number;
}

export type PlayoutSlot =
  | { kind: 'packet'; header: VoiceHeader; payload: Uint8Array }
  | { kind: 'conceal'; samples: number }
  | { kind: 'silence'; samples: number };

export interface JitterBufferStats {
  packets: number;
  lost: number;
  late: number;
  duplicates: number;
  concealedMs: number;
  jitterMs: number;
  bufferMs: number;
  targetMs: number;
}

const FRAME = 960;
const TARGET_MS = 40;

export class JitterBuffer {
  readonly #queue = new Map<number, { header: VoiceHeader; payload: Uint8Array }>();
  #next: number | null = null;
  #startAt: number | null = null;
  #stats: JitterBufferStats = {
    packets: 0,
    lost: 0,
    late: 0,
    duplicates: 0,
    concealedMs: 0,
    jitterMs: 0,
    bufferMs: 0,
    targetMs: TARGET_MS,
  };

  constructor(_options: JitterBufferOptions = {}) {}

  push(
    header: VoiceHeader,
    payload: Uint8Array,
    arrivalMs: number,
  ): 'queued' | 'late' | 'duplicate' {
    if (this.#next !== null && header.seq < this.#next) {
      this.#stats.late++;
      return 'late';
    }
    if (this.#queue.has(header.seq)) {
      this.#stats.duplicates++;
      return 'duplicate';
    }
    this.#queue.set(header.seq, { header, payload });
    this.#stats.packets++;
    this.#next ??= header.seq;
    this.#startAt ??= arrivalMs + TARGET_MS;
    this.#stats.bufferMs = this.#queue.size * 20;
    return 'queued';
  }

  pull(nowMs: number): PlayoutSlot {
    if (this.#next === null || this.#startAt === null || nowMs < this.#startAt) {
      return { kind: 'silence', samples: FRAME };
    }
    const entry = this.#queue.get(this.#next);
    if (entry) {
      this.#queue.delete(this.#next);
      this.#next++;
      this.#stats.bufferMs = this.#queue.size * 20;
      return { kind: 'packet', ...entry };
    }
    if (this.#queue.size === 0) return { kind: 'silence', samples: FRAME };
    this.#next++;
    this.#stats.lost++;
    this.#stats.concealedMs += 20;
    return { kind: 'conceal', samples: FRAME };
  }

  get stats(): JitterBufferStats {
    return { ...this.#stats };
  }

  reset(): void {
    this.#queue.clear();
    this.#next = null;
    this.#startAt = null;
  }
}
