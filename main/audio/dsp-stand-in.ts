/**
 * STAND-IN, REMOVE WHEN protocol/audio/level.ts AND concealment.ts (H-dsp) ARE ON MAIN:
 * the smallest versions of levelOf and Concealer with the shared design's signatures, so the
 * node's audio builds and is tested before the real ones land. Imports switch to
 * protocol/audio/* then and this file goes.
 */
import type { VoiceHeader } from '../../protocol/audio/voice-packet.js';

export type PlayoutSlot =
  | { kind: 'packet'; header: VoiceHeader; payload: Uint8Array }
  | { kind: 'conceal'; samples: number }
  | { kind: 'silence'; samples: number };
export function levelOf(pcm: Float32Array): number {
  let sum = 0;
  for (const sample of pcm) sum += sample * sample;
  const rms = pcm.length > 0 ? Math.sqrt(sum / pcm.length) : 0;
  if (rms <= 0) return 127;
  return Math.max(0, Math.min(127, Math.round(-20 * Math.log10(rms))));
}

export class Concealer {
  #last = new Float32Array(0);
  #gain = 1;
  #concealing = false;

  constructor(readonly sampleRate = 48_000) {}

  played(pcm: Float32Array): void {
    this.#last = pcm.slice();
    this.#gain = 1;
    this.#concealing = false;
  }

  conceal(samples: number): Float32Array {
    const out = new Float32Array(samples);
    const last = this.#last;
    this.#concealing = true;
    if (last.length === 0) return out;
    for (let i = 0; i < samples; i++) {
      out[i] = (last[i % last.length] ?? 0) * this.#gain;
      this.#gain = Math.max(0, this.#gain - 1 / 4800);
    }
    return out;
  }

  get concealing(): boolean {
    return this.#concealing;
  }
}
