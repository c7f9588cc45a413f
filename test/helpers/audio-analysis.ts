/**
 * Measurements on recorded or synthesised PCM (Float32 in [-1, 1]) for tests and tools:
 * the dominant frequency to a fraction of a hertz, silent runs, RMS level.
 */

/** RMS in dB relative to full scale (a full-scale square wave = 0 dB, a full-scale sine ≈ −3.01 dB): −levelOf(pcm) unrounded. −Infinity for silence. */
export function rmsDb(pcm: Float32Array): number {
  if (pcm.length === 0) return Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (const sample of pcm) sum += sample * sample;
  return 10 * Math.log10(sum / pcm.length);
}

/** A sine of `frequency` Hz and peak `amplitude`, `seconds` long (or `samples`). */
export function sine(
  frequency: number,
  amplitude: number,
  samples: number,
  sampleRate = 48_000,
  phase = 0,
): Float32Array {
  const out = new Float32Array(samples);
  for (let i = 0; i < samples; i++) {
    out[i] = amplitude * Math.sin(phase + (2 * Math.PI * frequency * i) / sampleRate);
  }
  return out;
}

/** In-place iterative radix-2 FFT; `re.length` must be a power of two. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const step = (-2 * Math.PI) / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < size / 2; k++) {
        const wr = Math.cos(step * k);
        const wi = Math.sin(step * k);
        const a = start + k;
        const b = a + size / 2;
        const tr = re[b]! * wr - im[b]! * wi;
        const ti = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
      }
    }
  }
}

/** Power of the Hann-windowed signal at any (non-integer) frequency: Goertzel's recurrence. */
function powerAt(windowed: Float64Array, frequency: number, sampleRate: number): number {
  const coeff = 2 * Math.cos((2 * Math.PI * frequency) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  for (const x of windowed) {
    const s = x + coeff * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

/**
 * The strongest frequency in `pcm` (above `minHz`), in Hz: the peak FFT bin of the
 * Hann-windowed signal, then a golden-section search of the spectrum between its neighbours,
 * so the precision is far finer than a bin (≈0.01 Hz for a clean tone of 1 s).
 */
export function dominantFrequency(pcm: Float32Array, sampleRate = 48_000, minHz = 20): number {
  if (pcm.length < 16) throw new RangeError('too few samples to measure a frequency');
  const windowed = new Float64Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) {
    windowed[i] = pcm[i]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (pcm.length - 1)));
  }
  let n = 1;
  while (n < pcm.length) n <<= 1;
  const re = new Float64Array(n);
  re.set(windowed);
  const im = new Float64Array(n);
  fft(re, im);
  const binHz = sampleRate / n;
  let peak = Math.max(1, Math.ceil(minHz / binHz));
  let peakPower = -1;
  for (let k = peak; k < n / 2; k++) {
    const power = re[k]! * re[k]! + im[k]! * im[k]!;
    if (power > peakPower) {
      peakPower = power;
      peak = k;
    }
  }
  // The main lobe of a Hann window is ±2 bins wide; the true peak lies within ±1 bin.
  let lo = (peak - 1) * binHz;
  let hi = (peak + 1) * binHz;
  const ratio = (Math.sqrt(5) - 1) / 2;
  let a = hi - ratio * (hi - lo);
  let b = lo + ratio * (hi - lo);
  let pa = powerAt(windowed, a, sampleRate);
  let pb = powerAt(windowed, b, sampleRate);
  while (hi - lo > 1e-4) {
    if (pa > pb) {
      hi = b;
      b = a;
      pb = pa;
      a = hi - ratio * (hi - lo);
      pa = powerAt(windowed, a, sampleRate);
    } else {
      lo = a;
      a = b;
      pa = pb;
      b = lo + ratio * (hi - lo);
      pb = powerAt(windowed, b, sampleRate);
    }
  }
  return (lo + hi) / 2;
}

export interface Gap {
  startMs: number;
  durationMs: number;
}

export interface GapOptions {
  sampleRate?: number;
  /** A window at or below this RMS level (dB re full scale, as rmsDb) is silent: default −50. */
  silenceDb?: number;
  /** Analysis window, ms: default 2.5 (long enough that a tone's zero crossings are not gaps). */
  windowMs?: number;
}

/** Silent runs at least `thresholdMs` long, in order, measured in whole analysis windows. */
export function gaps(pcm: Float32Array, thresholdMs: number, options: GapOptions = {}): Gap[] {
  const sampleRate = options.sampleRate ?? 48_000;
  const silenceDb = options.silenceDb ?? -50;
  const windowMs = options.windowMs ?? 2.5;
  const size = Math.max(1, Math.round((windowMs * sampleRate) / 1000));
  const found: Gap[] = [];
  let runStart: number | undefined;
  const close = (endSample: number): void => {
    if (runStart === undefined) return;
    const durationMs = ((endSample - runStart) * 1000) / sampleRate;
    if (durationMs >= thresholdMs)
      found.push({ startMs: (runStart * 1000) / sampleRate, durationMs });
    runStart = undefined;
  };
  for (let at = 0; at < pcm.length; at += size) {
    const end = Math.min(pcm.length, at + size);
    const silent = rmsDb(pcm.subarray(at, end)) <= silenceDb;
    if (silent) runStart ??= at;
    else close(at);
  }
  close(pcm.length);
  return found;
}
