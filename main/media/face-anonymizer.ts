/**
 * Pixelates faces, and fails closed: when a face that was seen moments ago cannot be found
 * now (it turned, tilted, or the detector flickered), the whole picture is blurred rather
 * than sent clear.
 *
 * The faces come from a FaceTracker (one cascade pass a frame, faces held after their last
 * sighting): every track is pixelated on every frame, its box widened the longer it goes
 * unconfirmed (the head may have moved), and held for HOLD_MS after its last sighting.
 */
import { detectAllViews, growAndClip } from './face-detector.js';
import { DETECTION_WIDTH, FaceTracker, ROUND_FRAMES } from './face-tracker.js';
import { pixelate } from './mat-ops.js';
import type { Mat, Rect } from './opencv.js';
import cv from './opencv.js';

// How long a face is kept after it was last seen, as a box and, while missing, as a reason
// to blur the whole picture: a turn of the head away and back takes about this long.
// Promised: HELD_MS after the detector last saw a face at full resolution. Our own
// sightings are at low resolution and every few frames, so they can end a few frames
// before a full-resolution detector's would: hold half a second longer to keep the promise.
export const HELD_MS = 1000;
const HOLD_MS = HELD_MS + 500;
// Grow each detection so hairline, ears and chin are covered too: the cascade's box is tight.
const MARGIN = 0.25;
// A held box grows by this fraction of its size per second unseen (up to MAX_EXTRA_MARGIN),
// to cover a head that moves while the detector cannot see it.
const GROWTH_PER_SECOND = 0.6;
const MAX_EXTRA_MARGIN = 0.5;
// Few enough tiles across a face that it cannot be recognised, enough to still read as a face.
const TILES_ACROSS_FACE = 7;
// The whole-picture blur: shrunk to this many pixels across and smoothly scaled back up.
const OBSCURED_WIDTH = 24;

export interface FaceAnonymizerOptions {
  /** Milliseconds, monotonic; a test plays a clip at its own frame rate with it. */
  now?: () => number;
}

/** What the last frame showed, for tests and the benchmark. */
export interface AnonymizerState {
  boxes: Rect[];
  wholeFrame: boolean;
}

export class FaceAnonymizer {
  readonly #now: () => number;
  readonly #tracker = new FaceTracker({ holdMs: HOLD_MS });
  #last: AnonymizerState = { boxes: [], wholeFrame: false };

  constructor(options: FaceAnonymizerOptions = {}) {
    this.#now = options.now ?? (() => performance.now());
  }

  get lastState(): AnonymizerState {
    return { boxes: [...this.#last.boxes], wholeFrame: this.#last.wholeFrame };
  }

  /** A new picture, never the input: faces pixelated, or all of it blurred. */
  apply(frame: Mat): Mat {
    const now = this.#now();
    const tracks = this.#tracker.update(frame, now);
    const thisFrame = this.#tracker.frame - 1;
    // After a full round every view has been tried: a track none confirmed is a face missing.
    const missing = tracks.some((track) => thisFrame - track.lastSeenFrame >= ROUND_FRAMES);
    const boxes = tracks.map((track) => {
      const extra = Math.min(
        MAX_EXTRA_MARGIN,
        ((now - track.lastSeenMs) / 1000) * GROWTH_PER_SECOND,
      );
      return growAndClip(track.box, MARGIN + extra, frame.cols, frame.rows);
    });
    this.#last = { boxes, wholeFrame: missing };
    if (missing) return obscureWhole(frame);
    const out = frame.copy();
    for (const box of boxes) {
      if (box.width === 0 || box.height === 0) continue;
      const region = out.getRegion(box);
      pixelate(region, Math.max(2, box.width / TILES_ACROSS_FACE)).copyTo(region);
    }
    return out;
  }
}

/** Blurred past recognition (a face becomes a few smooth blobs), cheaply: shrink, enlarge. */
export function obscureWhole(frame: Mat): Mat {
  const width = Math.min(OBSCURED_WIDTH, frame.cols);
  const height = Math.max(1, Math.round((frame.rows * width) / frame.cols));
  return frame
    .resize(height, width, 0, 0, cv.INTER_AREA)
    .resize(frame.rows, frame.cols, 0, 0, cv.INTER_LINEAR);
}

/**
 * Face boxes in `frame` coordinates, grown by the margin and clipped to the frame, from
 * every view at once on the small detection copy: what one still picture shows.
 */
export function detectFaces(frame: Mat): Rect[] {
  return detectAllViews(frame, DETECTION_WIDTH).map((box) =>
    growAndClip(box, MARGIN, frame.cols, frame.rows),
  );
}

// The capture process runs one stream at a time through the filter chain; this is its state.
const shared = new FaceAnonymizer();

/** The `anonymize` filter. */
export function anonymizeFaces(frame: Mat): Mat {
  return shared.apply(frame);
}
