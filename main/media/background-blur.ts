/**
 * The `blur-background` filter: the person stays sharp, everything else is strongly blurred.
 *
 * No person-segmentation model can run here (the MediaPipe selfie model that npm ships is
 * TFLite, which this OpenCV 4.6 cannot read; the ONNX matting models are far too slow for a
 * frame budget), so the person is drawn from the face: the FaceTracker (the anonymizer's
 * detector and views, here one cascade pass every other frame) gives face boxes, and each
 * face gets a head ellipse and a neck-and-shoulders outline below it, down to the bottom.
 * The mask is drawn small, eased over a few frames (detections jitter by a few pixels and
 * come every other frame), feathered, enlarged, and blends the sharp frame with a blurred
 * copy. A face that goes missing keeps its outline for HOLD_MS; with no face at all, the
 * same outline is drawn for a default person: centred, face 1/5 of the width across, at
 * 42 % of the height (how a laptop camera frames its user).
 */
import type { FaceBox } from './face-detector.js';
import { DETECTION_WIDTH, FaceTracker } from './face-tracker.js';
import type { Mat, Rect } from './opencv.js';
import cv from './opencv.js';

// A turned head is found again within about this long (1 s was too short for the test clip's
// turn away and back); longer, and the person has likely left.
export const HOLD_MS = 1500;
// A detection pass every other frame: the cascade is most of the cost, and the outline eases
// over several frames anyway, so a person is still found within a round of 8 frames (270 ms).
const FRAMES_PER_PASS = 2;
// The default person when no face is held, as fractions of the frame.
const DEFAULT_FACE = { centreX: 0.5, centreY: 0.42, width: 0.2 };
// The outline around a face box (cascade boxes are square: width ≈ height ≈ `f`), as
// multiples of f from the box centre. Head: an ellipse a little above the box (hair) and
// wider (ears). Body: a polygon from the neck out to the shoulders, then down.
const HEAD = { offsetY: -0.12, halfWidth: 0.72, halfHeight: 0.92 };
const BODY: readonly (readonly [number, number])[] = [
  [0.32, 0.45],
  [0.42, 0.85],
  [1.3, 1.1],
  [1.75, 1.6],
];
const BODY_HALF_WIDTH_AT_BOTTOM = 1.9;
// How much of the new mask each frame takes: about 5 frames (170 ms at 30 fps) to settle.
const EASING = 0.4;
// Mask levels at or below this are 0: an outline that faded out must not keep a blend area.
const FADED_OUT = 4;
// The feathered edge, as a fraction of the frame width (about 10 px at 640).
const FEATHER = 1 / 64;
// The background blur: shrunk to 1/8, a Gaussian of sigma 2 there (16 px at full size),
// enlarged again. The shrink averages areas, so the blur is strong and cheap.
const BLUR_SHRINK = 8;
const BLUR_SIGMA = 2;
// Full opacity in the blend's fixed point: 255 × 128 still fits a signed 16-bit integer.
const ALPHA_ONE = 128;

export interface BackgroundBlurOptions {
  /** Milliseconds, monotonic; a test plays a clip at its own frame rate with it. */
  now?: () => number;
}

/** What the last frame used, for tests and the benchmark. */
export interface BackgroundBlurState {
  /** Face boxes (frame coordinates) the outline was drawn around; empty for the default. */
  faces: FaceBox[];
  /** True when no face was held and the default person was used. */
  fallback: boolean;
}

export class BackgroundBlur {
  readonly #now: () => number;
  readonly #tracker = new FaceTracker({ holdMs: HOLD_MS, framesPerPass: FRAMES_PER_PASS });
  #mask: Mat | undefined;
  #last: BackgroundBlurState = { faces: [], fallback: true };

  constructor(options: BackgroundBlurOptions = {}) {
    this.#now = options.now ?? (() => performance.now());
  }

  get lastState(): BackgroundBlurState {
    return { faces: this.#last.faces.map((box) => ({ ...box })), fallback: this.#last.fallback };
  }

  /** A new picture, never the input: the person sharp, the rest blurred. */
  apply(frame: Mat): Mat {
    const tracks = this.#tracker.update(frame, this.#now());
    const faces = tracks.map((track) => track.box);
    this.#last = { faces, fallback: faces.length === 0 };
    const mask = this.#easedMask(frame, faces.length > 0 ? faces : [defaultFace(frame)]);
    return composite(frame, feathered(mask));
  }

  /** This frame's outline, mixed with the last ones unless the stream just (re)started. */
  #easedMask(frame: Mat, faces: readonly FaceBox[]): Mat {
    const fresh = personMask(frame, faces);
    const previous = this.#mask;
    const restarted = this.#tracker.frame === 1;
    const same = previous && previous.cols === fresh.cols && previous.rows === fresh.rows;
    // Rounding keeps a faded outline at 1 for ever: cut the last traces off.
    this.#mask =
      same && !restarted
        ? previous
            .addWeighted(1 - EASING, fresh, EASING, 0)
            .threshold(FADED_OUT, 255, cv.THRESH_TOZERO)
        : fresh;
    return this.#mask;
  }
}

function defaultFace(frame: Mat): FaceBox {
  const size = DEFAULT_FACE.width * frame.cols;
  return {
    x: DEFAULT_FACE.centreX * frame.cols - size / 2,
    y: DEFAULT_FACE.centreY * frame.rows - size / 2,
    width: size,
    height: size,
  };
}

/** The outline of a person for every face, 255 inside, drawn at detection size. */
function personMask(frame: Mat, faces: readonly FaceBox[]): Mat {
  const scale = Math.min(1, DETECTION_WIDTH / frame.cols);
  const cols = Math.max(1, Math.round(frame.cols * scale));
  const rows = Math.max(1, Math.round(frame.rows * scale));
  // Filling in the constructor costs a hundred times more than setTo.
  const mask = new cv.Mat(rows, cols, cv.CV_8UC1).setTo(0);
  const white = new cv.Vec3(255, 255, 255);
  for (const face of faces) {
    const f = Math.max(face.width, face.height) * scale;
    const cx = (face.x + face.width / 2) * scale;
    const cy = (face.y + face.height / 2) * scale;
    const head = new cv.RotatedRect(
      new cv.Point2(cx, cy + HEAD.offsetY * f),
      new cv.Size(2 * HEAD.halfWidth * f, 2 * HEAD.halfHeight * f),
      0,
    );
    mask.drawEllipse(head, white, cv.FILLED);
    const bottom = Math.max(rows, cy + (BODY.at(-1)?.[1] ?? 0) * f) + 1;
    const right = [
      ...BODY.map(([dx, dy]) => new cv.Point2(cx + dx * f, cy + dy * f)),
      new cv.Point2(cx + BODY_HALF_WIDTH_AT_BOTTOM * f, bottom),
    ];
    const left = right.map((point) => new cv.Point2(2 * cx - point.x, point.y)).reverse();
    mask.drawFillPoly([[...right, ...left]], white);
  }
  return mask;
}

/** The mask feathered: 0 (blurred) to 255 (sharp), still small. */
function feathered(mask: Mat): Mat {
  const sigma = Math.max(0.8, mask.cols * FEATHER);
  return mask.gaussianBlur(new cv.Size(0, 0), sigma, sigma, cv.BORDER_REPLICATE);
}

/** Matching rectangles of the small mask and of the frame. */
interface Area {
  small: Rect;
  frame: Rect;
}

/**
 * Where the small mask is not 0, one pixel more on each side (for the enlargement's
 * interpolation), there and in `frame`; undefined when the mask is 0 everywhere.
 */
function sharpArea(mask: Mat, frame: Mat): Area | undefined {
  const data = mask.getData();
  // `cols` and `rows` are native getters, slow in a loop this long: read them once.
  const { cols, rows } = mask;
  let [left, top, right, bottom] = [cols, rows, -1, -1];
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      if ((data[y * cols + x] ?? 0) === 0) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    }
  }
  if (right < 0) return undefined;
  [left, top] = [Math.max(0, left - 1), Math.max(0, top - 1)];
  [right, bottom] = [Math.min(cols, right + 2), Math.min(rows, bottom + 2)];
  const sx = frame.cols / cols;
  const sy = frame.rows / rows;
  const [x0, y0] = [Math.round(left * sx), Math.round(top * sy)];
  const [x1, y1] = [Math.round(right * sx), Math.round(bottom * sy)];
  return {
    small: new cv.Rect(left, top, right - left, bottom - top),
    frame: new cv.Rect(x0, y0, x1 - x0, y1 - y0),
  };
}

function blurred(frame: Mat): Mat {
  const rows = Math.max(1, Math.round(frame.rows / BLUR_SHRINK));
  const cols = Math.max(1, Math.round(frame.cols / BLUR_SHRINK));
  return frame
    .resize(rows, cols, 0, 0, cv.INTER_AREA)
    .gaussianBlur(new cv.Size(0, 0), BLUR_SIGMA, BLUR_SIGMA, cv.BORDER_REPLICATE)
    .resize(frame.rows, frame.cols, 0, 0, cv.INTER_LINEAR);
}

/**
 * The blurred frame, with soft + (sharp − soft)·a (a = mask/255, the mask enlarged to the
 * frame) inside the area where the mask is not 0: the blend is the costly part, and the
 * person covers about half the picture.
 */
function composite(sharp: Mat, mask: Mat): Mat {
  const soft = blurred(sharp);
  const area = sharpArea(mask, sharp);
  if (!area) return soft;
  const target = soft.getRegion(area.frame);
  // Made three-channel 16-bit while small, so that the enlargement is the only full-size pass.
  const alpha = mask
    .getRegion(area.small)
    .cvtColor(cv.COLOR_GRAY2BGR)
    .convertTo(cv.CV_16SC3, ALPHA_ONE / 255)
    .resize(area.frame.height, area.frame.width, 0, 0, cv.INTER_LINEAR);
  blend(sharp.getRegion(area.frame), target, alpha).copyTo(target);
  return soft;
}

/**
 * soft + (sharp − soft)·alpha/ALPHA_ONE in 16-bit signed integers, alpha from 0 to ALPHA_ONE
 * so that the product of a difference (±255) and alpha fits: faster than floats.
 */
function blend(sharp: Mat, soft: Mat, alpha: Mat): Mat {
  const difference = sharp.addWeighted(1, soft, -1, 0, cv.CV_16SC3);
  return soft.addWeighted(1, difference.hMul(alpha), 1 / ALPHA_ONE, 0, cv.CV_8UC3);
}

// The capture process runs one stream at a time through the filter chain; this is its state.
const shared = new BackgroundBlur();

/** The `blur-background` filter. */
export function blurBackground(frame: Mat): Mat {
  return shared.apply(frame);
}
