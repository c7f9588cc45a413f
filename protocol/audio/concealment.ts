/**
 * Packet-loss concealment by pitch-period repetition, in the spirit of ITU-T G.711 Appendix I.
 * We need our own: WebCodecs' AudioDecoder has no concealment (an empty chunk closes it) and
 * opusscript's decode(null) throws.
 *
 * When a frame is missing, the last pitch period of what was played (found by normalised
 * autocorrelation over the last 30 ms, periods 2.5–20 ms) is repeated for as long as the loss
 * lasts. The repeated segment's tail is cross-faded with the audio one period earlier, so each
 * join continues as the original did. Long losses fade out: full level for 20 ms, then a
 * linear ramp to silence at 100 ms, since repeating one period longer sounds like a buzz.
 * The first real frame after a loss is cross-faded in from the concealment (`resume`).
 */

const HISTORY_MS = 60;
const WINDOW_MS = 30;
const MIN_PERIOD_MS = 2.5;
const MAX_PERIOD_MS = 20;
const FULL_LEVEL_MS = 20;
const SILENT_AFTER_MS = 100;
const JOIN_FADE_MS = 1;
const RESUME_FADE_MS = 2.5;

/** The lag in [minLag, maxLag] with the highest normalised autocorrelation over the last `window` samples. */
export function estimatePeriod(
  history: Float32Array,
  window: number,
  minLag: number,
  maxLag: number,
): number {
  const end = history.length;
  const start = end - window;
  if (start - maxLag < 0) throw new RangeError('history too short for the lag range');
  let energy = 0;
  for (let i = start; i < end; i++) energy += history[i]! * history[i]!;
  // Energy of the lagged window, slid as the lag grows.
  let lagged = 0;
  for (let i = start - minLag; i < end - minLag; i++) lagged += history[i]! * history[i]!;
  let bestLag = minLag;
  let best = Number.NEGATIVE_INFINITY;
  for (let lag = minLag; lag <= maxLag; lag++) {
    let dot = 0;
    for (let i = start; i < end; i++) dot += history[i]! * history[i - lag]!;
    const score = lagged > 0 ? dot / Math.sqrt(energy * lagged) : 0;
    // Prefer the shorter lag unless a longer one is clearly better: a multiple of the period
    // scores about as well, and a shorter segment repeats with fewer artefacts.
    if (score > best + 1e-3) {
      best = score;
      bestLag = lag;
    }
    if (lag < maxLag) {
      const leaving = history[end - lag - 1]!;
      const entering = history[start - lag - 1]!;
      lagged += entering * entering - leaving * leaving;
    }
  }
  return bestLag;
}

export class Concealer {
  readonly #sampleRate: number;
  readonly #history: Float32Array;
  #filled = 0;
  /** The loop being repeated while concealing, and where in it the next sample comes from. */
  #segment: Float32Array | undefined;
  #segmentAt = 0;
  #concealedSamples = 0;
  #concealing = false;

  constructor(sampleRate = 48_000) {
    if (!Number.isInteger(sampleRate) || sampleRate < 8000 || sampleRate > 192_000) {
      throw new RangeError('sampleRate must be an integer in [8000, 192000]');
    }
    this.#sampleRate = sampleRate;
    this.#history = new Float32Array(this.#samplesOf(HISTORY_MS));
  }

  /** Inside a run of concealed frames (until the next `played`/`resume`). */
  get concealing(): boolean {
    return this.#concealing;
  }

  /** Record what was just played (decoded), so a loss can continue it. Ends a concealment run. */
  played(pcm: Float32Array): void {
    this.#append(pcm);
    this.#concealing = false;
    this.#segment = undefined;
    this.#concealedSamples = 0;
  }

  /**
   * For each decoded frame: if it follows concealment, cross-fade its first 2.5 ms in from the
   * concealment's continuation (no click at the seam); then record it as played. Returns the
   * frame to play (a new array when smoothed, `pcm` itself otherwise).
   */
  resume(pcm: Float32Array): Float32Array {
    if (!this.#concealing) {
      this.played(pcm);
      return pcm;
    }
    const fade = Math.min(pcm.length, this.#samplesOf(RESUME_FADE_MS));
    const tail = this.conceal(fade);
    const out = Float32Array.from(pcm);
    for (let i = 0; i < fade; i++) {
      const w = (i + 1) / (fade + 1);
      out[i] = (1 - w) * tail[i]! + w * pcm[i]!;
    }
    this.played(out);
    return out;
  }

  /** `samples` of concealment continuing the last played audio, fading to silence. */
  conceal(samples: number): Float32Array {
    if (!Number.isInteger(samples) || samples < 0) {
      throw new RangeError('samples must be a non-negative integer');
    }
    const out = new Float32Array(samples);
    if (!this.#concealing) {
      this.#concealing = true;
      this.#segment = this.#buildSegment();
      this.#segmentAt = 0;
    }
    const segment = this.#segment;
    const fullUntil = this.#samplesOf(FULL_LEVEL_MS);
    const silentAt = this.#samplesOf(SILENT_AFTER_MS);
    for (let i = 0; i < samples; i++) {
      const n = this.#concealedSamples + i;
      if (segment === undefined || n >= silentAt) break;
      const gain = n < fullUntil ? 1 : (silentAt - n) / (silentAt - fullUntil);
      out[i] = gain * segment[this.#segmentAt]!;
      this.#segmentAt = (this.#segmentAt + 1) % segment.length;
    }
    this.#concealedSamples += samples;
    // What we conceal is what the listener hears: a following loss continues from it.
    this.#append(out);
    return out;
  }

  /** Forget everything played (e.g. a new talker or stream). */
  reset(): void {
    this.#history.fill(0);
    this.#filled = 0;
    this.played(new Float32Array(0));
  }

  #samplesOf(ms: number): number {
    return Math.round((ms * this.#sampleRate) / 1000);
  }

  #append(pcm: Float32Array): void {
    const history = this.#history;
    if (pcm.length >= history.length) {
      history.set(pcm.subarray(pcm.length - history.length));
    } else {
      history.copyWithin(0, pcm.length);
      history.set(pcm, history.length - pcm.length);
    }
    this.#filled = Math.min(history.length, this.#filled + pcm.length);
  }

  /** One pitch period ending at the last played sample, its tail blended into its head. */
  #buildSegment(): Float32Array | undefined {
    const history = this.#history;
    if (this.#filled < history.length) return undefined; // too little audio to continue
    let energy = 0;
    for (const sample of history) energy += sample * sample;
    if (!(energy > 0)) return undefined;
    const period = estimatePeriod(
      history,
      this.#samplesOf(WINDOW_MS),
      this.#samplesOf(MIN_PERIOD_MS),
      this.#samplesOf(MAX_PERIOD_MS),
    );
    const end = history.length;
    const segment = history.slice(end - period, end);
    // The loop wraps from segment[period-1] (= x[end-1]) to segment[0] (= x[end-period]), whose
    // true predecessor is x[end-period-1]: blend the tail toward the samples one period
    // earlier, so the wrap continues as the signal did.
    const fade = Math.min(this.#samplesOf(JOIN_FADE_MS), period);
    for (let j = 0; j < fade; j++) {
      const w = (j + 1) / (fade + 1);
      const i = period - fade + j;
      segment[i] = (1 - w) * segment[i]! + w * history[end - 2 * period + i]!;
    }
    return segment;
  }
}
