import { readFile, stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { VOICE_SAMPLE_RATE } from '../../protocol/audio/voice-packet.js';
import { errorText } from '../../p2p/base/errors.js';
import { MediaError } from '../media/errors.js';
import type { WavDecodeAnswer } from './wav-decode-worker.js';

/** Where our voice comes from (the `--audio-source` flag and `set-audio-source`). */
export type AudioSourceSpec =
  | { kind: 'none' }
  /** The interface's microphone: the page encodes, the node forwards its packets. */
  | { kind: 'ui' }
  | { kind: 'tone'; hz: number }
  | { kind: 'file'; path: string };

/**
 * The tone's level: a sine with its peak at −12 dBFS (amplitude 0.2512), so its RMS level is
 * −15.01 dBFS. Loud enough to be far above Opus's noise floor, far from clipping. Tests
 * compare what they record against TONE_RMS_DBFS.
 */
export const TONE_PEAK_DBFS = -12;
export const TONE_AMPLITUDE = 10 ** (TONE_PEAK_DBFS / 20);
export const TONE_RMS_DBFS = 20 * Math.log10(TONE_AMPLITUDE / Math.SQRT2);

/** Below Nyquist at 48 kHz, and above what anyone calls a tone rather than a rumble. */
const MIN_TONE_HZ = 20;
const MAX_TONE_HZ = 20_000;
/** A WAV this large would be ~6 minutes of 48 kHz stereo float: far more than a loop needs. */
export const MAX_WAV_BYTES = 64 * 1024 * 1024;
const SOURCE_HELP = 'expected none, ui, tone:HZ or file:PATH.wav';

export function parseAudioSource(text: string): AudioSourceSpec {
  if (text === 'none' || text === 'ui') return { kind: text };
  if (text.startsWith('tone:')) {
    const digits = text.slice('tone:'.length);
    const hz = Number(digits);
    if (!/^\d+(\.\d+)?$/.test(digits) || hz < MIN_TONE_HZ || hz > MAX_TONE_HZ) {
      throw new MediaError(
        'ERR_BAD_SOURCE',
        `bad tone "${digits}": expected a frequency from ${MIN_TONE_HZ} to ${MAX_TONE_HZ} Hz`,
      );
    }
    return { kind: 'tone', hz };
  }
  if (text.startsWith('file:')) {
    const path = text.slice('file:'.length);
    if (path.length === 0) throw new MediaError('ERR_BAD_SOURCE', 'file: needs a path after it');
    return { kind: 'file', path };
  }
  throw new MediaError('ERR_BAD_SOURCE', `unknown audio source "${text}": ${SOURCE_HELP}`);
}

export function formatAudioSource(spec: AudioSourceSpec): string {
  switch (spec.kind) {
    case 'none':
    case 'ui':
      return spec.kind;
    case 'tone':
      return `tone:${spec.hz}`;
    case 'file':
      return `file:${spec.path}`;
  }
}

/** PCM the node makes itself, addressed by sample index on its 48 kHz capture clock. */
export interface PcmSource {
  /** Fills `out` with the samples from index `position` on. */
  read(position: number, out: Float32Array): void;
}

export class ToneSource implements PcmSource {
  constructor(readonly hz: number) {}

  read(position: number, out: Float32Array): void {
    // The phase comes from the absolute index (reduced to one cycle before the sine, so it
    // stays exact however long the call), and the tone is continuous across frames.
    for (let i = 0; i < out.length; i++) {
      const cycles = (this.hz * (position + i)) % VOICE_SAMPLE_RATE;
      out[i] = TONE_AMPLITUDE * Math.sin((2 * Math.PI * cycles) / VOICE_SAMPLE_RATE);
    }
  }
}

/** A WAV file's sound, mixed to mono at 48 kHz, played in a loop. */
export class LoopSource implements PcmSource {
  constructor(readonly samples: Float32Array) {
    if (samples.length === 0) throw new RangeError('a loop needs at least one sample');
  }

  read(position: number, out: Float32Array): void {
    const { samples } = this;
    let index = position % samples.length;
    for (let i = 0; i < out.length; i++) {
      out[i] = samples[index] ?? 0;
      index = index + 1 === samples.length ? 0 : index + 1;
    }
  }
}

function fileError(path: string, why: string, cause?: unknown): MediaError {
  return new MediaError('ERR_FILE_UNAVAILABLE', `audio file ${path}: ${why}`, { cause });
}

/** Reads a WAV (PCM or float, any rate, any channels) as mono 48 kHz float samples. */
export async function loadWavMono48k(path: string): Promise<Float32Array> {
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw fileError(path, 'not a file');
    if (info.size > MAX_WAV_BYTES) throw fileError(path, `larger than ${MAX_WAV_BYTES} bytes`);
    bytes = await readFile(path);
  } catch (err) {
    if (err instanceof MediaError) throw err;
    throw fileError(path, errorText(err), err);
  }
  const answer = await decodeInWorker(bytes);
  if (!answer.ok) throw fileError(path, `not a WAV file we can read (${answer.reason})`);
  return answer.samples;
}

function decodeInWorker(bytes: Uint8Array): Promise<WavDecodeAnswer> {
  return new Promise((resolve) => {
    const worker = new Worker(new URL('./wav-decode-worker.js', import.meta.url), {
      workerData: bytes,
    });
    worker.once('message', (answer: WavDecodeAnswer) => resolve(answer));
    worker.once('error', (err) => resolve({ ok: false, reason: errorText(err) }));
    worker.once('exit', () => resolve({ ok: false, reason: 'the decoder stopped' }));
  });
}

/** The PCM source for a spec; null for `none` and `ui` (nothing for the node to make). */
export async function openPcmSource(spec: AudioSourceSpec): Promise<PcmSource | null> {
  switch (spec.kind) {
    case 'none':
    case 'ui':
      return null;
    case 'tone':
      return new ToneSource(spec.hz);
    case 'file':
      return new LoopSource(await loadWavMono48k(spec.path));
  }
}
