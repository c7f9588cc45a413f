import assert from 'node:assert/strict';
import { dominantFrequency, gaps, rmsDb, sine } from '../helpers/audio-analysis.js';

describe('audio analysis helpers', () => {
  it('finds a tone’s frequency to a small fraction of a hertz', () => {
    for (const hz of [440, 660, 1000.37, 123.4]) {
      const measured = dominantFrequency(sine(hz, 0.25, 48_000));
      assert.ok(Math.abs(measured - hz) < 0.05, `${hz} Hz measured as ${measured}`);
    }
    const short = dominantFrequency(sine(440, 0.25, 4800));
    assert.ok(Math.abs(short - 440) < 0.2, `100 ms of 440 Hz measured as ${short}`);
  });

  it('finds the strongest of two tones, in noise', () => {
    const a = sine(440, 0.3, 48_000);
    const b = sine(1200, 0.1, 48_000);
    let seed = 1;
    const mixed = a.map((x, i) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return x + b[i]! + 0.05 * (seed / 2 ** 31 - 0.5);
    });
    assert.ok(Math.abs(dominantFrequency(mixed) - 440) < 0.1);
  });

  it('gives the RMS level in dB re full scale', () => {
    assert.ok(Math.abs(rmsDb(sine(1000, 1, 48_000)) + 3.0103) < 1e-3);
    assert.ok(Math.abs(rmsDb(sine(1000, 10 ** (-12 / 20), 48_000)) + 15.0103) < 1e-3);
    assert.equal(rmsDb(new Float32Array(10)), Number.NEGATIVE_INFINITY);
  });

  it('finds silent runs but not a tone’s zero crossings', () => {
    const pcm = sine(440, 0.25, 48_000);
    assert.deepEqual(gaps(pcm, 0), []);
    pcm.fill(0, 4800, 4800 + 3360); // 70 ms at 100 ms
    pcm.fill(0, 24_000, 24_000 + 960); // 20 ms at 500 ms
    const found = gaps(pcm, 50);
    assert.equal(found.length, 1);
    assert.ok(Math.abs(found[0]!.startMs - 100) <= 2.5 && Math.abs(found[0]!.durationMs - 70) <= 5);
    assert.equal(gaps(pcm, 10).length, 2);
  });
});
