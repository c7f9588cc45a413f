/**
 * Audio levels as RFC 6464 carries them, and a speaking detector built on them.
 *
 * RFC 6464 §3: the level is "−dBov", 0 … 127, dBov being "relative to the overload point of the
 * system, i.e. the highest-intensity signal encodable". We take the RMS of the samples relative
 * to 1.0, the overload point of Float32 PCM in [-1, 1]: a full-scale square wave (RMS 1) is
 * 0 dBov, so a full-scale sine (RMS 1/√2) is 3 dBov, a sine of peak 0.1 (−20 dBFS by its peak)
 * is 23, and digital silence is 127 (the RFC's "silence" value, and the clamp for anything
 * quieter than −127 dBov).
 */

import { SILENT_LEVEL } from './voice-packet.js';

/** −dBov rounded to an integer in 0 … 127 (0 loudest, 127 silence). Empty input is silence. */
export function levelOf(pcm: Float32Array): number {
  if (pcm.length === 0) return SILENT_LEVEL;
  let sum = 0;
  for (const sample of pcm) sum += sample * sample;
  const meanSquare = sum / pcm.length;
  // 10·log10(mean square) = 20·log10(RMS); NaN samples make the level undefined: call it silence.
  if (!(meanSquare > 0)) return SILENT_LEVEL;
  const dbov = 10 * Math.log10(meanSquare);
  return Math.min(SILENT_LEVEL, Math.max(0, Math.round(-dbov)));
}

/** The dBov a level stands for: 0 … −127. */
export function levelToDbov(level: number): number {
  return level === 0 ? 0 : -level;
}

export interface SpeakingDetectorOptions {
  /** Active when the level is at or below this (i.e. at least this loud): default 50 (−50 dBov). */
  thresholdLevel?: number;
  /** Speaking ends this long after the last active update: default 300 ms. */
  hangoverMs?: number;
  /** Activity must last this long before speaking starts: default 0 (the first active frame). */
  attackMs?: number;
}

/**
 * "Speaking now?" from per-packet levels and the sender's voice flag, without decoding.
 *
 * An update is active when the sender's own detector says voice AND the level passes the
 * threshold: the sender sees the clean microphone signal (before loss, after its noise
 * suppression), so its flag is honoured; the threshold keeps a sender whose detector is generous
 * from lighting the indicator with near-silence. The hangover bridges the short pauses inside
 * speech, so the indicator does not flicker between words.
 */
export class SpeakingDetector {
  readonly #thresholdLevel: number;
  readonly #hangoverMs: number;
  readonly #attackMs: number;
  #activeSince: number | undefined;
  #lastActive = Number.NEGATIVE_INFINITY;
  #speaking = false;

  constructor(options: SpeakingDetectorOptions = {}) {
    this.#thresholdLevel = options.thresholdLevel ?? 50;
    this.#hangoverMs = options.hangoverMs ?? 300;
    this.#attackMs = options.attackMs ?? 0;
    if (!(this.#thresholdLevel >= 0 && this.#thresholdLevel <= SILENT_LEVEL)) {
      throw new RangeError(`thresholdLevel must be in [0, ${SILENT_LEVEL}]`);
    }
    if (!(this.#hangoverMs >= 0) || !(this.#attackMs >= 0)) {
      throw new RangeError('hangoverMs and attackMs must be ≥ 0');
    }
  }

  get speaking(): boolean {
    return this.#speaking;
  }

  /** Feed one packet's level and voice flag at `nowMs`; returns whether the member speaks now. */
  update(level: number, voice: boolean, nowMs: number): boolean {
    const active = voice && level <= this.#thresholdLevel;
    if (active) {
      this.#activeSince ??= nowMs;
      this.#lastActive = nowMs;
      if (nowMs - this.#activeSince >= this.#attackMs) this.#speaking = true;
    } else {
      this.#activeSince = undefined;
    }
    return this.poll(nowMs);
  }

  /** Whether the member still speaks at `nowMs` with no new packet (the hangover may end it). */
  poll(nowMs: number): boolean {
    if (this.#speaking && nowMs - this.#lastActive > this.#hangoverMs) {
      this.#speaking = false;
      this.#activeSince = undefined;
    }
    return this.#speaking;
  }

  reset(): void {
    this.#activeSince = undefined;
    this.#lastActive = Number.NEGATIVE_INFINITY;
    this.#speaking = false;
  }
}
