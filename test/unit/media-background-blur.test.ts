import assert from 'node:assert/strict';
import { BackgroundBlur, HOLD_MS } from '../../main/media/background-blur.js';
import type { FaceBox } from '../../main/media/face-detector.js';
import { detectAllViews } from '../../main/media/face-detector.js';
import type { Mat } from '../../main/media/opencv.js';
import cv from '../../main/media/opencv.js';
import { CLIP_FPS, faceClip, facePhoto } from '../fixtures/face-clip.js';
import { maxDifference, sharpness } from '../fixtures/media-images.js';

const FRAME_MS = 1000 / CLIP_FPS;
// Kept sharp: the detail (variance of the Laplacian) is at least this share of the original's.
const KEPT = 0.9;
// Blurred: the detail drops at least this many times.
const BLURRED = 10;
// Background on both kinds of frame: beside the head, above the shoulders, at 640×480.
const SIDES = [
  { x: 0, y: 64, width: 128, height: 256 },
  { x: 512, y: 64, width: 128, height: 256 },
];
const TOP_CORNERS = [
  { x: 0, y: 0, width: 128, height: 96 },
  { x: 512, y: 0, width: 128, height: 96 },
];

type Area = { x: number; y: number; width: number; height: number };

function detailIn(mat: Mat, area: Area): number {
  const rect = new cv.Rect(
    Math.round(area.x),
    Math.round(area.y),
    Math.round(area.width),
    Math.round(area.height),
  );
  return sharpness(mat.getRegion(rect));
}

/** How many times the detail in `area` dropped from `before` to `after`. */
function drop(before: Mat, after: Mat, area: Area): number {
  return detailIn(before, area) / Math.max(1e-6, detailIn(after, area));
}

/** The astronaut photograph's lower part (her suit and the flag), 640×480: no face in it. */
function noFaceFrame(): Mat {
  const photo = facePhoto();
  return photo
    .getRegion(new cv.Rect(0, photo.rows - 240, photo.cols, 240))
    .resize(480, 640, 0, 0, cv.INTER_LINEAR);
}

function player(): { blur: BackgroundBlur; play: (frame: Mat) => Mat } {
  let ms = 0;
  const blur = new BackgroundBlur({ now: () => ms });
  return {
    blur,
    play: (frame) => {
      const out = blur.apply(frame);
      ms += FRAME_MS;
      return out;
    },
  };
}

describe('background blur: a real face', function () {
  this.timeout(300_000);
  let clip: Mat[];

  before(() => {
    clip = faceClip();
  });

  it('keeps the face as sharp as it was and blurs the background around it', () => {
    const [frame] = clip;
    assert.ok(frame);
    const [face, ...others] = detectAllViews(frame, frame.cols, 48);
    assert.ok(face && others.length === 0, 'the photograph shows one face');
    const before = frame.copy();
    const { blur, play } = player();
    const out = play(frame);
    assert.equal(blur.lastState.fallback, false, 'the face was not found on the first frame');
    const kept = detailIn(out, face) / detailIn(frame, face);
    assert.ok(kept >= KEPT, `the face kept only ${(100 * kept).toFixed(0)}% of its detail`);
    for (const area of TOP_CORNERS) {
      const factor = drop(frame, out, area);
      assert.ok(factor >= BLURRED, `corner ${area.x},${area.y}: detail dropped ${factor}x`);
    }
    assert.equal(maxDifference(frame, before), 0, 'the input changed');
  });

  it('keeps the face sharp while it turns away and back (one detection pass every other frame)', () => {
    const { play } = player();
    const soft: string[] = [];
    let checked = 0;
    clip.forEach((frame, index) => {
      const out = play(frame);
      // Where a full-resolution search of every view finds the face, it must not be blurred.
      if (index % 3 !== 0 || index < 2) return;
      for (const face of detectAllViews(frame, frame.cols, 48)) {
        checked += 1;
        const kept = detailIn(out, face) / detailIn(frame, face);
        if (kept < KEPT) soft.push(`frame ${index}: ${(100 * kept).toFixed(0)}%`);
      }
    });
    assert.ok(checked >= 10, `only ${checked} faces to check: the clip or the detector broke`);
    assert.deepEqual(soft, [], 'faces blurred');
  });
});

describe('background blur: no face', function () {
  this.timeout(120_000);

  it('keeps a centred person-shaped area sharp and blurs the sides', () => {
    const frame = noFaceFrame();
    assert.equal(detectAllViews(frame, frame.cols).length, 0, 'the fixture shows a face');
    const { blur, play } = player();
    const out = play(frame);
    assert.deepEqual(blur.lastState, { faces: [], fallback: true });
    // The default head: centred, 1/5 of the width across, at 42% of the height.
    const head: Area = { x: 256, y: 140, width: 128, height: 128 };
    const kept = detailIn(out, head) / detailIn(frame, head);
    assert.ok(kept >= KEPT, `the centre kept only ${(100 * kept).toFixed(0)}% of its detail`);
    for (const area of SIDES) {
      const factor = drop(frame, out, area);
      assert.ok(factor >= BLURRED, `side at x ${area.x}: detail dropped only ${factor}x`);
    }
  });

  it('holds a face that went missing for HOLD_MS, then eases to the default outline', () => {
    const [face] = faceClip();
    assert.ok(face);
    const empty = noFaceFrame();
    const { blur, play } = player();
    play(face);
    const seen: FaceBox[] = blur.lastState.faces;
    assert.equal(seen.length, 1);
    const heldFrames = Math.floor(HOLD_MS / FRAME_MS);
    const states = Array.from({ length: heldFrames + 30 }, () => {
      const out = play(empty);
      return { out, ...blur.lastState };
    });
    const held = states.slice(0, heldFrames - 1);
    assert.ok(
      held.every((state) => !state.fallback && state.faces.length === 1),
      'the face was dropped before its hold ended',
    );
    const last = states.at(-1);
    assert.ok(last?.fallback, 'still drawing the missing face after its hold');
    // Settled: the same picture as a blur that never saw the face (the easing rounds, by a
    // level or two, so the mask's edge may differ by as much).
    const fresh = new BackgroundBlur({ now: () => 0 }).apply(empty);
    const difference = maxDifference(last.out, fresh);
    assert.ok(difference <= 3, `differs from the default by ${difference} levels`);
  });

  it('starts afresh on a new picture size', () => {
    const { blur, play } = player();
    const [face] = faceClip();
    assert.ok(face);
    play(face);
    assert.equal(blur.lastState.faces.length, 1);
    const small = play(new cv.Mat(240, 320, cv.CV_8UC3).setTo(new cv.Vec3(40, 40, 40)));
    assert.equal(small.cols, 320);
    assert.deepEqual(blur.lastState, { faces: [], fallback: true });
  });
});
