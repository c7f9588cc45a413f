/**
 * What each filter in the catalog does to a frame. Every effect takes an 8-bit BGR
 * picture and returns a new one of the same size and type; all are whole-image OpenCV
 * operations so a chain of them fits in a 30 fps frame budget at 1280×720.
 */
import { blurBackground } from './background-blur.js';
import { anonymizeFaces } from './face-anonymizer.js';
import type { FilterName } from './filters.js';
import { validateFilters } from './filters.js';
import { assertBgr, pixelate } from './mat-ops.js';
import type { Mat } from './opencv.js';
import cv from './opencv.js';

// Colour matrices act on (B, G, R) columns and produce (B', G', R') rows.
// Luma weights 0.114 B + 0.587 G + 0.299 R keep the picture's light and shade.
const REDS = colourMatrix([
  [0.023, 0.117, 0.06],
  [0.023, 0.117, 0.06],
  [0.114, 0.587, 0.699],
]);
// The classic sepia tone matrix (commonly given in RGB order) rewritten for BGR.
const SEPIA = colourMatrix([
  [0.131, 0.534, 0.272],
  [0.168, 0.686, 0.349],
  [0.189, 0.769, 0.393],
]);
const CARTOON_LEVELS = 6;

function colourMatrix(rows: number[][]): Mat {
  return new cv.Mat(rows, cv.CV_32F);
}

/** A size in pixels that looks the same at every resolution: `fraction` of the frame width. */
function relative(frame: Mat, fraction: number, minimum: number): number {
  return Math.max(minimum, Math.round(frame.cols * fraction));
}

function oddAtLeast3(value: number): number {
  const rounded = Math.max(3, Math.round(value));
  return rounded % 2 === 1 ? rounded : rounded + 1;
}

/**
 * A Gaussian blur with a sigma of 1/75 of the width. It runs at quarter size and is
 * scaled back up: the area-averaging shrink is itself a blur, the result looks the same,
 * and it costs a sixteenth of a full-size kernel that wide.
 */
function blur(frame: Mat): Mat {
  const rows = Math.max(1, Math.round(frame.rows / 4));
  const cols = Math.max(1, Math.round(frame.cols / 4));
  const sigma = Math.max(0.8, frame.cols / 300);
  const kernel = new cv.Size(oddAtLeast3(sigma * 6), oddAtLeast3(sigma * 6));
  return frame
    .resize(rows, cols, 0, 0, cv.INTER_AREA)
    .gaussianBlur(kernel, sigma)
    .resize(frame.rows, frame.cols, 0, 0, cv.INTER_LINEAR);
}

function edgeMask(frame: Mat): Mat {
  return frame.cvtColor(cv.COLOR_BGR2GRAY).gaussianBlur(new cv.Size(5, 5), 1.4).canny(50, 150);
}

function edges(frame: Mat): Mat {
  return edgeMask(frame).cvtColor(cv.COLOR_GRAY2BGR);
}

/** Flat colour areas (a few levels per channel, after smoothing) with bold dark outlines. */
function cartoon(frame: Mat): Mat {
  const step = 256 / CARTOON_LEVELS;
  const flat = frame
    .gaussianBlur(new cv.Size(7, 7), 0)
    .convertTo(cv.CV_8UC3, 1 / step, -0.5)
    .convertTo(cv.CV_8UC3, step, step / 2);
  const outline = edgeMask(frame).dilate(
    cv.getStructuringElement(cv.MORPH_ELLIPSE, new cv.Size(3, 3)),
  );
  flat.setTo(new cv.Vec3(0, 0, 0), outline);
  return flat;
}

const EFFECTS: Record<FilterName, (frame: Mat) => Mat> = {
  reds: (frame) => frame.transform(REDS),
  'upside-down': (frame) => frame.flip(0),
  mirror: (frame) => frame.flip(1),
  blur,
  grayscale: (frame) => frame.cvtColor(cv.COLOR_BGR2GRAY).cvtColor(cv.COLOR_GRAY2BGR),
  sepia: (frame) => frame.transform(SEPIA),
  invert: (frame) => frame.bitwiseNot(),
  pixelate: (frame) => pixelate(frame, relative(frame, 1 / 40, 4)),
  edges,
  cartoon,
  anonymize: anonymizeFaces,
  'blur-background': blurBackground,
};

/**
 * Applies `names` in order. Throws MediaError for an unknown or repeated name, or for a
 * picture that is not 8-bit BGR. With no filters the input itself comes back.
 */
export function applyFilters(frame: Mat, names: readonly string[]): Mat {
  const chain = validateFilters(names);
  assertBgr(frame);
  return chain.reduce((current, name) => EFFECTS[name](current), frame);
}
