/**
 * A generated source that moves and shows its own frame number and capture time, so tests
 * and benchmarks can see motion, dropped frames and latency without a camera.
 */
import { MediaError } from './errors.js';
import type { Mat } from './opencv.js';
import cv from './opencv.js';

type Bgr = readonly [number, number, number];

// SMPTE-style bars: every primary and secondary colour, plus white and black, gives each
// filter something visible to do.
const BARS: readonly Bgr[] = [
  [235, 235, 235],
  [16, 235, 235],
  [235, 235, 16],
  [16, 235, 16],
  [235, 16, 235],
  [16, 16, 235],
  [235, 16, 16],
  [16, 16, 16],
];
const BLACK: Bgr = [0, 0, 0];
const SQUARE_COLOURS: readonly Bgr[] = [
  [0, 215, 255],
  [255, 144, 30],
  [60, 20, 220],
  [50, 205, 50],
];
const ORBIT_FRAMES = 120;

/**
 * The static part, twice as wide as a frame so each frame is one window into it and the
 * bars scroll without a seam. Rebuilt only when the size changes.
 */
let background: { width: number; height: number; mat: Mat } | null = null;

export function renderTestPattern(
  frameNumber: number,
  captureTs: number,
  width: number,
  height: number,
): Mat {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 16 || height < 16) {
    throw new MediaError('ERR_BAD_SETTINGS', `cannot draw a test pattern of ${width}x${height}`);
  }
  const speed = Math.max(2, Math.round(width / 160));
  const offset = wrap(frameNumber * speed, width);
  const frame = backgroundFor(width, height)
    .getRegion(new cv.Rect(offset, 0, width, height))
    .copy();
  drawBouncingSquare(frame, frameNumber);
  drawOrbitingDisc(frame, frameNumber);
  drawCaption(frame, frameNumber, captureTs);
  return frame;
}

function backgroundFor(width: number, height: number): Mat {
  if (background?.width === width && background.height === height) return background.mat;
  const span = width * 2;
  const barsHeight = Math.round((height * 2) / 3);
  const bars = Buffer.alloc(span * 3);
  const ramp = Buffer.alloc(span * 3);
  for (let x = 0; x < span; x++) {
    const column = x % width;
    bars.set(BARS[Math.floor((column * BARS.length) / width)] ?? BLACK, x * 3);
    ramp.fill(Math.round((255 * column) / (width - 1)), x * 3, x * 3 + 3);
  }
  const mat = new cv.Mat(height, span, cv.CV_8UC3);
  stretchRow(bars, span, barsHeight).copyTo(mat.getRegion(new cv.Rect(0, 0, span, barsHeight)));
  stretchRow(ramp, span, height - barsHeight).copyTo(
    mat.getRegion(new cv.Rect(0, barsHeight, span, height - barsHeight)),
  );
  background = { width, height, mat };
  return mat;
}

function stretchRow(row: Buffer, width: number, rows: number): Mat {
  return new cv.Mat(row, 1, width, cv.CV_8UC3).resize(rows, width, 0, 0, cv.INTER_NEAREST);
}

function drawBouncingSquare(frame: Mat, frameNumber: number): void {
  const side = Math.round(Math.min(frame.cols, frame.rows) / 5);
  const x = bounce(frameNumber * (frame.cols / 90), frame.cols - side);
  const y = bounce(frameNumber * (frame.rows / 70), frame.rows - side);
  const colour = SQUARE_COLOURS[Math.floor(frameNumber / 15) % SQUARE_COLOURS.length] ?? BLACK;
  const topLeft = new cv.Point2(Math.round(x), Math.round(y));
  const bottomRight = new cv.Point2(Math.round(x) + side, Math.round(y) + side);
  frame.drawRectangle(topLeft, bottomRight, new cv.Vec3(...colour), cv.FILLED);
  frame.drawRectangle(
    topLeft,
    bottomRight,
    new cv.Vec3(0, 0, 0),
    Math.max(2, Math.round(side / 24)),
  );
}

function drawOrbitingDisc(frame: Mat, frameNumber: number): void {
  const angle = (2 * Math.PI * wrap(frameNumber, ORBIT_FRAMES)) / ORBIT_FRAMES;
  const orbit = Math.min(frame.cols, frame.rows) / 3;
  const centre = new cv.Point2(
    Math.round(frame.cols / 2 + orbit * Math.cos(angle)),
    Math.round(frame.rows / 2 + orbit * Math.sin(angle)),
  );
  const radius = Math.round(Math.min(frame.cols, frame.rows) / 12);
  frame.drawCircle(centre, radius, new cv.Vec3(0, 140, 255), cv.FILLED, cv.LINE_AA);
  frame.drawCircle(
    centre,
    radius,
    new cv.Vec3(255, 255, 255),
    Math.max(1, Math.round(radius / 12)),
    cv.LINE_AA,
  );
}

function drawCaption(frame: Mat, frameNumber: number, captureTs: number): void {
  const scale = frame.rows / 600;
  const thickness = Math.max(1, Math.round(frame.rows / 300));
  const lineHeight = Math.round(34 * scale) + 6;
  const lines = [`frame ${frameNumber}`, new Date(captureTs).toISOString().replace('T', ' ')];
  const boxWidth = Math.round(frame.cols * 0.62);
  frame.drawRectangle(
    new cv.Point2(0, 0),
    new cv.Point2(boxWidth, lineHeight * lines.length + 8),
    new cv.Vec3(0, 0, 0),
    cv.FILLED,
  );
  lines.forEach((text, index) => {
    const origin = new cv.Point2(6, lineHeight * (index + 1));
    frame.putText(
      text,
      origin,
      cv.FONT_HERSHEY_SIMPLEX,
      scale,
      new cv.Vec3(255, 255, 255),
      thickness,
      cv.LINE_AA,
    );
  });
}

/** Position at `travel` along a back-and-forth path of length `span`. */
function bounce(travel: number, span: number): number {
  if (span <= 0) return 0;
  const phase = wrap(travel, 2 * span);
  return phase <= span ? phase : 2 * span - phase;
}

function wrap(value: number, modulus: number): number {
  return ((value % modulus) + modulus) % modulus;
}
