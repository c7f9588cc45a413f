// STAND-IN by H-core (branch voice-core), to be REPLACED by H-dsp's level.ts (branch
// voice-dsp) at merge: only the interface of the shared design, with the simplest behaviour.
import { SILENT_LEVEL } from './voice-packet.js';

/** RFC 6464 level of the samples: 0 (0 dBov) … 127 (silence), −dBov rounded. */
export function levelOf(pcm: Float32Array): number {
  let sum = 0;
  for (const sample of pcm) sum += sample * sample;
  const rms = pcm.length > 0 ? Math.sqrt(sum / pcm.length) : 0;
  if (rms <= 0) return SILENT_LEVEL;
  return Math.min(SILENT_LEVEL, Math.max(0, Math.round(-20 * Math.log10(rms))));
}

export function levelToDbov(level: number): number {
  return -level;
}

/** Speaking while the level is above a threshold, and for `hangoverMs` after. */
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
