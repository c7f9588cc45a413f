import assert from 'node:assert/strict';
import { SpeakingDetector, levelOf, levelToDbov } from '../../protocol/audio/level.js';
import { SILENT_LEVEL } from '../../protocol/audio/voice-packet.js';
import { rmsDb, sine } from '../helpers/audio-analysis.js';

describe('audio level (RFC 6464)', () => {
  it('gives 0 dBov for a full-scale square wave and 3 for a full-scale sine', () => {
    const square = Float32Array.from({ length: 960 }, (_, i) => (i % 48 < 24 ? 1 : -1));
    assert.equal(levelOf(square), 0);
    assert.equal(levelOf(sine(1000, 1, 960)), 3);
  });

  it('gives 23 for a sine 20 dB below full scale and 15 for the −12 dBFS test tone', () => {
    assert.equal(levelOf(sine(440, 0.1, 960)), 23);
    assert.equal(levelOf(sine(440, 10 ** (-12 / 20), 960)), 15);
  });

  it('gives 127 for digital silence, an empty frame and anything quieter than −127 dBov', () => {
    assert.equal(levelOf(new Float32Array(960)), SILENT_LEVEL);
    assert.equal(levelOf(new Float32Array(0)), SILENT_LEVEL);
    assert.equal(levelOf(sine(440, 1e-7, 960)), SILENT_LEVEL);
    assert.equal(levelOf(Float32Array.of(Number.NaN, 0.5)), SILENT_LEVEL);
  });

  it('clamps overload to 0 and agrees with rmsDb', () => {
    assert.equal(levelOf(Float32Array.from({ length: 960 }, () => 4)), 0);
    const tone = sine(660, 0.3, 960);
    assert.equal(levelOf(tone), Math.round(-rmsDb(tone)));
  });

  it('maps a level back to dBov', () => {
    assert.equal(levelToDbov(0), 0);
    assert.equal(levelToDbov(23), -23);
    assert.equal(levelToDbov(127), -127);
  });
});

describe('SpeakingDetector', () => {
  it('turns on with loud voice and stays on through a hangover of 300 ms', () => {
    const detector = new SpeakingDetector();
    assert.equal(detector.update(127, false, 0), false);
    assert.equal(detector.update(20, true, 20), true);
    assert.equal(detector.update(127, false, 40), true, 'a pause inside speech');
    assert.equal(detector.poll(320), true, '300 ms after the last active frame');
    assert.equal(detector.poll(321), false);
    assert.equal(detector.update(127, false, 340), false);
  });

  it("honours the sender's voice flag and the threshold", () => {
    const detector = new SpeakingDetector({ thresholdLevel: 40 });
    assert.equal(detector.update(10, false, 0), false, 'loud but the sender says no voice');
    assert.equal(detector.update(41, true, 20), false, 'voice, but quieter than −40 dBov');
    assert.equal(detector.update(40, true, 40), true);
  });

  it('waits for the attack time before speaking', () => {
    const detector = new SpeakingDetector({ attackMs: 40, hangoverMs: 100 });
    assert.equal(detector.update(20, true, 0), false);
    assert.equal(detector.update(20, true, 20), false);
    assert.equal(detector.update(20, true, 40), true);
    assert.equal(detector.update(127, true, 60), true);
    assert.equal(detector.poll(141), false);
    assert.equal(detector.update(20, true, 160), false, 'attack starts again');
  });

  it('rejects nonsensical options', () => {
    assert.throws(() => new SpeakingDetector({ thresholdLevel: 128 }), RangeError);
    assert.throws(() => new SpeakingDetector({ hangoverMs: -1 }), RangeError);
  });
});
