import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MediaError } from '../../main/media/errors.js';
import { validateQuality } from '../../main/media/jpeg-quality.js';
import type { SourceSpec } from '../../main/media/settings.js';
import {
  DEFAULT_SETTINGS,
  RESOLUTIONS,
  formatSourceSpec,
  parseResolution,
  parseSourceSpec,
  validateSettings,
} from '../../main/media/settings.js';

function failsWith(code: string, fragment?: string) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof MediaError, `expected a MediaError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (fragment !== undefined)
      assert.match(err.message, new RegExp(fragment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    return true;
  };
}

describe('media settings: sources', () => {
  it('parses every form of source', () => {
    assert.deepEqual(parseSourceSpec('camera'), { kind: 'camera', index: 0 });
    assert.deepEqual(parseSourceSpec('camera:2'), { kind: 'camera', index: 2 });
    assert.deepEqual(parseSourceSpec('pattern'), { kind: 'pattern' });
    assert.deepEqual(parseSourceSpec('file:/videos/a b.avi'), {
      kind: 'file',
      path: '/videos/a b.avi',
    });
    // Everything after the first colon is the path, colons included.
    assert.deepEqual(parseSourceSpec('file:C:/v.avi'), { kind: 'file', path: 'C:/v.avi' });
  });

  it('rejects anything else with ERR_BAD_SOURCE and says what it got', () => {
    for (const text of [
      '',
      'Pattern',
      'cam',
      'camera:',
      'camera:-1',
      'camera:x',
      'camera:64',
      'file:',
      'webcam:0',
    ]) {
      assert.throws(() => parseSourceSpec(text), failsWith('ERR_BAD_SOURCE'), `accepted "${text}"`);
    }
    assert.throws(() => parseSourceSpec('webcam:0'), failsWith('ERR_BAD_SOURCE', '"webcam:0"'));
  });

  it('formats a spec back to the text that parses to it', () => {
    const spec = fc.oneof(
      fc.constant<SourceSpec>({ kind: 'pattern' }),
      fc.integer({ min: 0, max: 63 }).map((index): SourceSpec => ({ kind: 'camera', index })),
      fc.string({ minLength: 1 }).map((path): SourceSpec => ({ kind: 'file', path })),
    );
    fc.assert(fc.property(spec, (s) => assert.deepEqual(parseSourceSpec(formatSourceSpec(s)), s)));
  });
});

describe('media settings: video', () => {
  it('parses the offered resolutions and other even sizes', () => {
    for (const text of RESOLUTIONS) {
      const { width, height } = parseResolution(text);
      assert.equal(`${width}x${height}`, text);
    }
    assert.deepEqual(parseResolution('800x600'), { width: 800, height: 600 });
  });

  it('rejects malformed, odd and out-of-range resolutions', () => {
    for (const text of [
      '640*480',
      '640x',
      'x480',
      '641x480',
      '640x481',
      '100x100',
      '4000x2000',
      ' 640x480',
    ]) {
      assert.throws(
        () => parseResolution(text),
        failsWith('ERR_BAD_SETTINGS'),
        `accepted "${text}"`,
      );
    }
  });

  it('accepts the defaults and returns a copy', () => {
    const settings = validateSettings(DEFAULT_SETTINGS);
    assert.deepEqual(settings, { width: 640, height: 480, fps: 30 });
    assert.notEqual(settings, DEFAULT_SETTINGS);
  });

  it('limits the frame rate to whole numbers from 1 to 60', () => {
    assert.equal(validateSettings({ width: 320, height: 240, fps: 1 }).fps, 1);
    assert.equal(validateSettings({ width: 320, height: 240, fps: 60 }).fps, 60);
    for (const fps of [0, 61, 29.97, Number.NaN]) {
      assert.throws(
        () => validateSettings({ width: 320, height: 240, fps }),
        failsWith('ERR_BAD_SETTINGS', 'frame rate'),
      );
    }
  });

  it('limits sizes to even numbers within 160x120..1920x1080', () => {
    assert.deepEqual(validateSettings({ width: 1920, height: 1080, fps: 30 }), {
      width: 1920,
      height: 1080,
      fps: 30,
    });
    for (const [width, height] of [
      [158, 120],
      [160, 118],
      [1922, 1080],
      [321, 240],
      [320.5, 240],
    ] as const) {
      assert.throws(
        () => validateSettings({ width, height, fps: 30 }),
        failsWith('ERR_BAD_SETTINGS', 'resolution'),
      );
    }
  });

  it('takes JPEG qualities from 10 to 95', () => {
    assert.equal(validateQuality(10), 10);
    assert.equal(validateQuality(74.6), 75);
    for (const quality of [9, 96, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => validateQuality(quality), failsWith('ERR_BAD_SETTINGS', 'quality'));
    }
  });
});
