/**
 * The page's one door to the runtime-neutral voice DSP (protocol/audio: H-dsp's level.ts,
 * concealment.ts, jitter-buffer.ts, with the interfaces of the voice design).
 *
 * STAND-IN (voice-ui), until protocol/audio/{level,concealment,jitter-buffer}.ts are merged:
 * then this file becomes three `export … from '../../protocol/audio/…'` lines. Deliberately
 * simple (fixed 60 ms target, repeat-and-fade concealment): enough to wire and test the page.
 */
import type { VoiceHeader } from '../../protocol/audio/voice-packet.js';
import { SILENT_LEVEL } from '../../protocol/audio/voice-packet.js';

export function levelOf(pcm: Float32Array): number {
  let sum = 0;
  for (const sample of pcm) sum += sample * sample;
  const rms = Math.sqrt(sum / Math.max(1, pcm.length));
  if (rms <= 0) return SILENT_LEVEL;
  return Math.min(SILENT_LEVEL, Math.max(0, Math.round(-20 * Math.log10(rms))));
}

export class SpeakingDetector {
  readonly #threshold: number;
  readonly #hangoverMs: number;
  #lastLoud = -Infinity;

  constructor(options: { thresholdLevel?: number; hangoverMs?: number } = {}) {
    this.#threshold = options.thresholdLevel ?? 50;
    this.#hangoverMs = options.hangoverMs ?? 300;
  }

  update(level: number, voice: boolean, nowMs: number): boolean {
    if (voice && level <= this.#threshold) this.#lastLoud = nowMs;
    return nowMs - this.#lastLoud <= this.#hangoverMs;
  }
}

export class Concealer {
  #last = new Float32Array(0);
  #run = 0;

  constructor(sampleRate = 48_000) {
    void sampleRate;
  }

  played(pcm: Float32Array): void {
    this.#last = pcm.slice();
    this.#run = 0;
  }

  conceal(samples: number): Float32Array {
    this.#run += 1;
    const out = new Float32Array(samples);
    const fade = Math.max(0, 1 - this.#run * 0.34);
    for (let i = 0; i < samples && this.#last.length > 0; i++) {
      out[i] = (this.#last[i % this.#last.length] ?? 0) * fade;
    }
    return out;
  }

  get concealing(): boolean {
    return this.#run > 0;
  }
}

export type PlayoutSlot =
  | { kind: 'packet'; header: VoiceHeader; payload: Uint8Array }
  | { kind: 'conceal'; samples: number }
  | { kind: 'silence'; samples: number };

const FRAME_MS = 20;
const TARGET_MS = 60;

export class JitterBuffer {
  readonly #queue: { header: VoiceHeader; payload: Uint8Array; arrival: number }[] = [];
  #next: number | null = null;
  #started = false;

  push(
    header: VoiceHeader,
    payload: Uint8Array,
    arrivalMs: number,
  ): 'queued' | 'late' | 'duplicate' {
    if (this.#next !== null && ((header.seq - this.#next) | 0) < 0) return 'late';
    if (this.#queue.some((entry) => entry.header.seq === header.seq)) return 'duplicate';
    this.#queue.push({ header, payload, arrival: arrivalMs });
    this.#queue.sort((a, b) => (a.header.seq - b.header.seq) | 0);
    return 'queued';
  }

  pull(nowMs: number): PlayoutSlot {
    const head = this.#queue[0];
    if (!this.#started) {
      if (!head || nowMs - head.arrival < TARGET_MS - FRAME_MS) return silence();
      this.#started = true;
      this.#next = head.header.seq;
    }
    if (!head) {
      this.#started = false;
      return silence();
    }
    if (head.header.seq === this.#next) {
      this.#queue.shift();
      this.#next = (head.header.seq + 1) >>> 0;
      return { kind: 'packet', header: head.header, payload: head.payload };
    }
    this.#next = ((this.#next ?? head.header.seq) + 1) >>> 0;
    return { kind: 'conceal', samples: 960 };
  }

  reset(): void {
    this.#queue.length = 0;
    this.#next = null;
    this.#started = false;
  }
}

function silence(): PlayoutSlot {
  return { kind: 'silence', samples: 960 };
}
