import assert from 'node:assert/strict';
import { Concealer, estimatePeriod } from '../../protocol/audio/concealment.js';
import { JitterBuffer } from '../../protocol/audio/jitter-buffer.js';
import { dominantFrequency, gaps, rmsDb, sine } from '../helpers/audio-analysis.js';

const RATE = 48_000;
const FRAME = 960;
const TONE_AMPLITUDE = 10 ** (-12 / 20);

/** Plays `frames` 20 ms frames of a 440 Hz tone into a fresh Concealer. */
function playTone(frames: number, hz = 440): { concealer: Concealer; tone: Float32Array } {
  const tone = sine(hz, TONE_AMPLITUDE, (frames + 10) * FRAME);
  const concealer = new Concealer(RATE);
  for (let f = 0; f < frames; f++) concealer.played(tone.subarray(f * FRAME, (f + 1) * FRAME));
  return { concealer, tone };
}

function largestStep(pcm: Float32Array): number {
  let largest = 0;
  for (let i = 1; i < pcm.length; i++) largest = Math.max(largest, Math.abs(pcm[i]! - pcm[i - 1]!));
  return largest;
}

function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

describe('Concealer', () => {
  it('continues a 440 Hz tone for 60 ms near its frequency and level', () => {
    const { concealer } = playTone(5);
    const concealed = concat(
      concealer.conceal(FRAME),
      concealer.conceal(FRAME),
      concealer.conceal(FRAME),
    );
    assert.equal(concealer.concealing, true);
    const first40 = concealed.subarray(0, 2 * FRAME);
    const hz = dominantFrequency(first40);
    assert.ok(Math.abs(hz - 440) < 2, `concealment at ${hz} Hz`);
    const toneDb = rmsDb(sine(440, TONE_AMPLITUDE, 2 * FRAME));
    const dB = rmsDb(first40);
    assert.ok(Math.abs(dB - toneDb) < 1, `concealment at ${dB} dB, the tone at ${toneDb} dB`);
    // The first 20 ms are at full level, the last 20 ms of 60 are fading.
    assert.ok(Math.abs(rmsDb(concealed.subarray(0, FRAME)) - toneDb) < 0.3);
    assert.ok(rmsDb(concealed.subarray(2 * FRAME)) < toneDb - 2);
  });

  it('joins the played audio and its own repetitions without a click', () => {
    const { concealer, tone } = playTone(5);
    const played = tone.subarray(4 * FRAME, 5 * FRAME);
    const concealed = concealer.conceal(FRAME);
    const toneStep = largestStep(tone);
    const step = largestStep(concat(played, concealed));
    assert.ok(step < toneStep * 1.5, `largest step ${step}, the tone's ${toneStep}`);
  });

  it('fades to silence within 100 ms and stays silent', () => {
    const { concealer } = playTone(5);
    const concealed = concat(...Array.from({ length: 8 }, () => concealer.conceal(FRAME)));
    const at = (ms: number): Float32Array =>
      concealed.subarray((ms * RATE) / 1000, ((ms + 10) * RATE) / 1000);
    assert.ok(rmsDb(at(60)) > rmsDb(at(80)) && rmsDb(at(80)) > rmsDb(at(90)));
    assert.equal(rmsDb(concealed.subarray((100 * RATE) / 1000)), Number.NEGATIVE_INFINITY);
    assert.equal(concealer.concealing, true);
  });

  it('cross-fades the first real frame in after concealment (resume), and ends the run', () => {
    const { concealer, tone } = playTone(5);
    const concealed = concealer.conceal(FRAME);
    // The next real frame continues the tone where the sender was: 20 ms later.
    const next = tone.slice(6 * FRAME, 7 * FRAME);
    const resumed = concealer.resume(next);
    assert.equal(concealer.concealing, false);
    assert.notEqual(resumed, next);
    assert.deepEqual(resumed.subarray(200), next.subarray(200), 'only the first 2.5 ms change');
    const step = largestStep(concat(concealed, resumed));
    assert.ok(step < largestStep(tone) * 1.5, `largest step at the seam ${step}`);
    const again = tone.slice(7 * FRAME, 8 * FRAME);
    assert.equal(concealer.resume(again), again, 'outside concealment, the frame is untouched');
  });

  it('conceals a second loss from what was played since, concealment included', () => {
    const { concealer, tone } = playTone(5);
    concealer.conceal(FRAME);
    concealer.resume(tone.slice(6 * FRAME, 7 * FRAME));
    const second = concealer.conceal(FRAME);
    assert.ok(Math.abs(dominantFrequency(second) - 440) < 2);
  });

  it('is silent with nothing (or only silence) to continue', () => {
    const fresh = new Concealer();
    assert.equal(rmsDb(fresh.conceal(FRAME)), Number.NEGATIVE_INFINITY);
    const quiet = new Concealer();
    for (let f = 0; f < 5; f++) quiet.played(new Float32Array(FRAME));
    assert.equal(rmsDb(quiet.conceal(FRAME)), Number.NEGATIVE_INFINITY);
    assert.throws(() => quiet.conceal(-1), RangeError);
  });

  it('finds the pitch period of a voiced, harmonic-rich signal', () => {
    const f0 = 150; // a 6.67 ms period: 320 samples
    const voiced = new Float32Array(2880);
    for (let i = 0; i < voiced.length; i++) {
      let sum = 0;
      for (let h = 1; h <= 8; h++) sum += Math.sin((2 * Math.PI * f0 * h * i) / RATE + h) / h;
      voiced[i] = sum;
    }
    const period = estimatePeriod(voiced, 1440, 120, 960);
    assert.ok(Math.abs(period - 320) <= 1, `period ${period}`);
  });

  it('follows a low voice (period near 20 ms) and keeps its frequency', () => {
    const { concealer } = playTone(5, 55);
    const concealed = concat(concealer.conceal(FRAME), concealer.conceal(FRAME));
    assert.ok(Math.abs(dominantFrequency(concealed) - 55) < 2);
  });

  it('with the jitter buffer, keeps a tone whole under 10% random loss', () => {
    const seconds = 10;
    const tone = sine(440, TONE_AMPLITUDE, seconds * RATE);
    const buffer = new JitterBuffer();
    const concealer = new Concealer(RATE);
    let seed = 3;
    const lose = (): boolean => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32 < 0.1;
    };
    const out = new Float32Array(tone.length + 20 * FRAME);
    let written = 0;
    let sent = 0;
    let dropped = 0;
    for (let at = 0; written + FRAME <= out.length; at += 20) {
      // Frame k is captured at 20k ms and arrives 21 ms later; the clock pulls 7 ms after.
      const k = sent;
      if (k < seconds * 50 && 20 * k + 21 <= at + 7) {
        sent++;
        const header = {
          voice: true,
          level: 15,
          seq: k,
          position: k * FRAME,
          samples: FRAME,
          captureTs: 20 * k,
        };
        if (lose()) dropped++;
        else buffer.push(header, Uint8Array.of(k & 0xff, k >> 8), 20 * k + 21);
      }
      const slot = buffer.pull(at + 7);
      let pcm: Float32Array;
      if (slot.kind === 'packet') {
        const index = slot.payload[0]! + (slot.payload[1]! << 8);
        pcm = concealer.resume(tone.slice(index * FRAME, (index + 1) * FRAME));
      } else if (slot.kind === 'conceal') {
        pcm = concealer.conceal(slot.samples);
      } else {
        pcm = new Float32Array(slot.samples);
        concealer.played(pcm);
      }
      out.set(pcm, written);
      written += pcm.length;
    }
    const start = out.findIndex((x) => x !== 0);
    const recording = out.subarray(start, start + (seconds - 1) * RATE);
    assert.ok(dropped > 30, `${dropped} packets dropped`);
    assert.equal(buffer.stats.lost, dropped);
    assert.equal(buffer.stats.concealedMs, 20 * dropped);
    assert.deepEqual(gaps(recording, 60), []);
    assert.ok(Math.abs(dominantFrequency(recording) - 440) < 2);
    const toneDb = rmsDb(tone);
    assert.ok(Math.abs(rmsDb(recording) - toneDb) < 3, `${rmsDb(recording)} dB vs ${toneDb}`);
  });
});
