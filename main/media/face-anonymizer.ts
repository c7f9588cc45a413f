/**
 * Finds frontal faces with a Haar cascade and pixelates them. Detection runs on a small
 * grayscale copy (a face in a call is large, and the cascade's cost grows with the area);
 * the pixelation is applied to the full-size frame.
 */
import { existsSync } from 'node:fs';
import { MediaError } from './errors.js';
import { pixelate } from './mat-ops.js';
import type { CascadeClassifier, Mat, Rect } from './opencv.js';
import cv from './opencv.js';

const CASCADE_FILE = 'haarcascade_frontalface_alt2.xml';
// Where Debian/Ubuntu (opencv-data), Homebrew-style and source installs put the cascades,
// in case the copy inside the binding's package is missing.
const SYSTEM_CASCADE_DIRS = [
  '/usr/share/opencv4/haarcascades',
  '/usr/share/opencv/haarcascades',
  '/usr/local/share/opencv4/haarcascades',
  '/opt/homebrew/share/opencv4/haarcascades',
];
// A face must span 20 px here, 1/12 of the frame width: smaller is someone far in the back.
// Detection costs a few milliseconds at this width, whatever the frame size.
const DETECTION_WIDTH = 240;
// Grow each detection so hairline, ears and chin are covered too: the cascade's box is tight.
const MARGIN = 0.2;
// Few enough tiles across a face that it cannot be recognised, enough to still read as a face.
const TILES_ACROSS_FACE = 7;

let classifier: CascadeClassifier | null = null;

export function findFaceCascade(): string {
  const candidates = [
    cv.HAAR_FRONTALFACE_ALT2,
    ...SYSTEM_CASCADE_DIRS.map((dir) => `${dir}/${CASCADE_FILE}`),
  ];
  const found = candidates.find((file) => existsSync(file));
  if (!found) {
    throw new MediaError(
      'ERR_CAPTURE_FAILED',
      `no face detector found: ${CASCADE_FILE} is in none of ${candidates.join(', ')}`,
    );
  }
  return found;
}

function faceClassifier(): CascadeClassifier {
  classifier ??= new cv.CascadeClassifier(findFaceCascade());
  return classifier;
}

/** Face boxes in `frame` coordinates, already grown by the margin and clipped to the frame. */
export function detectFaces(frame: Mat): Rect[] {
  const scale = Math.min(1, DETECTION_WIDTH / frame.cols);
  const small = frame
    .resize(Math.round(frame.rows * scale), Math.round(frame.cols * scale), 0, 0, cv.INTER_AREA)
    .cvtColor(cv.COLOR_BGR2GRAY)
    .equalizeHist();
  const { objects } = faceClassifier().detectMultiScale(small, {
    scaleFactor: 1.2,
    minNeighbors: 3,
    minSize: new cv.Size(20, 20),
  });
  return objects.map((box) => growAndClip(box, 1 / scale, frame.cols, frame.rows));
}

function growAndClip(box: Rect, scale: number, width: number, height: number): Rect {
  const grow = (size: number): number => size * scale * MARGIN;
  const left = Math.max(0, Math.floor(box.x * scale - grow(box.width)));
  const top = Math.max(0, Math.floor(box.y * scale - grow(box.height)));
  const right = Math.min(width, Math.ceil((box.x + box.width) * scale + grow(box.width)));
  const bottom = Math.min(height, Math.ceil((box.y + box.height) * scale + grow(box.height)));
  return new cv.Rect(left, top, right - left, bottom - top);
}

export function anonymizeFaces(frame: Mat): Mat {
  const faces = detectFaces(frame);
  if (faces.length === 0) return frame.copy();
  const out = frame.copy();
  for (const face of faces) {
    const region = out.getRegion(face);
    pixelate(region, Math.max(2, face.width / TILES_ACROSS_FACE)).copyTo(region);
  }
  return out;
}
