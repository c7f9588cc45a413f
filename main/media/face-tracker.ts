/**
 * Faces followed from frame to frame, for the filters that act on faces (anonymize,
 * blur-background). Detection is the expensive part, so each frame runs ONE cascade pass
 * (frontal, profile, or mirrored profile, in turn) on a small grey copy, and the faces found
 * are kept as tracks, each held for a while after its last sighting.
 */
import type { FaceBox, FaceView } from './face-detector.js';
import { detectView, detectionImage, overlap, scaleBox } from './face-detector.js';
import type { Mat } from './opencv.js';

// A face must span 20 px here, 1/8 of the frame width (80 px at 640×480): smaller is
// someone far in the back. The cascade's cost grows with the area searched.
export const DETECTION_WIDTH = 160;
// One pass a frame (by default). Frontal faces are the common case, so every other pass looks
// for them; each profile side comes round every fourth pass. After one round (4 frames,
// 133 ms at 30 fps) every view has been tried: a track none confirmed is a face gone missing.
const SCHEDULE: readonly FaceView[] = ['frontal', 'profile-left', 'frontal', 'profile-right'];
export const ROUND_FRAMES = SCHEDULE.length;
// Detections overlapping a track this much (of the smaller box) are the same face.
const SAME_FACE = 0.3;

export interface Track {
  box: FaceBox; // frame coordinates, not grown
  lastSeenMs: number;
  lastSeenFrame: number;
}

export interface FaceTrackerOptions {
  /** Tracks are dropped this long after their face was last seen. */
  holdMs: number;
  /** One detection pass every this many frames (1: every frame). */
  framesPerPass?: number;
}

export class FaceTracker {
  readonly #holdMs: number;
  readonly #framesPerPass: number;
  #tracks: Track[] = [];
  #frame = 0;
  #passes = 0;
  #size = '';
  #lastCallMs = -Infinity;

  constructor(options: FaceTrackerOptions) {
    this.#holdMs = options.holdMs;
    this.#framesPerPass = Math.max(1, Math.round(options.framesPerPass ?? 1));
  }

  /** How many frames `update` has seen since the stream (re)started. */
  get frame(): number {
    return this.#frame;
  }

  /**
   * Runs this frame's detection pass and returns the tracks still held, each a copy. Call
   * once per frame; afterwards this frame's number (for `lastSeenFrame`) is `frame - 1`.
   */
  update(frame: Mat, now: number): Track[] {
    this.#restartIfStale(frame, now);
    if (this.#frame % this.#framesPerPass === 0) this.#detect(frame, now);
    this.#tracks = this.#tracks.filter((track) => now - track.lastSeenMs <= this.#holdMs);
    this.#frame += 1;
    return this.#tracks.map((track) => ({ ...track, box: { ...track.box } }));
  }

  /** Tracks describe one stream: a new picture size or a long pause starts afresh. */
  #restartIfStale(frame: Mat, now: number): void {
    const size = `${frame.cols}x${frame.rows}`;
    if (size !== this.#size || now - this.#lastCallMs > this.#holdMs) {
      this.#tracks = [];
      this.#frame = 0;
      this.#passes = 0;
      this.#size = size;
    }
    this.#lastCallMs = now;
  }

  #detect(frame: Mat, now: number): void {
    const view = SCHEDULE[this.#passes % SCHEDULE.length] ?? 'frontal';
    this.#passes += 1;
    const gray = detectionImage(frame, DETECTION_WIDTH);
    const scale = frame.cols / gray.cols;
    for (const found of detectView(gray, view).map((box) => scaleBox(box, scale))) {
      const same = this.#tracks.filter((track) => overlap(track.box, found) >= SAME_FACE);
      // One face seen by two views, or two tracks that drifted together, become one track.
      this.#tracks = this.#tracks.filter((track) => !same.includes(track));
      this.#tracks.push({ box: found, lastSeenMs: now, lastSeenFrame: this.#frame });
    }
  }
}
