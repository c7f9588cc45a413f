/**
 * Decodes one WAV off the main thread: wavefile's resampler costs ~0.25 s of CPU per second
 * of audio (measured, 44.1 → 48 kHz), which on the main thread would stall the call's links
 * and clocks. workerData is the file's bytes; the answer is the mono 48 kHz samples or the
 * reason they could not be made.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errorText } from '../../p2p/base/errors.js';
import { decodeWavMono48k } from './wav-decode.js';

export type WavDecodeAnswer = { ok: true; samples: Float32Array } | { ok: false; reason: string };

try {
  const samples = decodeWavMono48k(workerData as Uint8Array);
  parentPort?.postMessage({ ok: true, samples } satisfies WavDecodeAnswer, [
    samples.buffer as ArrayBuffer,
  ]);
} catch (err) {
  parentPort?.postMessage({ ok: false, reason: errorText(err) } satisfies WavDecodeAnswer);
}
