/**
 * Face detection with the cascades that ship inside the OpenCV binding: Haar's frontal one,
 * and the LBP profile one on the picture as it is (a face turned to its left) and mirrored
 * (turned to its right: the cascade was trained on one side only). The LBP profile cascade
 * costs about a tenth of Haar's profile cascade at the same size, which is what lets a
 * profile pass fit in a frame's budget. Each "view" is one detectMultiScale pass, so the
 * anonymizer can spread the passes over several frames.
 */
import { existsSync } from 'node:fs';
import { MediaError } from './errors.js';
import type { CascadeClassifier, Mat, Rect } from './opencv.js';
import cv from './opencv.js';

export type FaceView = 'frontal' | 'profile-left' | 'profile-right';
export const ALL_VIEWS: readonly FaceView[] = ['frontal', 'profile-left', 'profile-right'];

/** A face box in some picture's coordinates, not grown. */
export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

const FRONTAL_FILE = 'haarcascades/haarcascade_frontalface_alt2.xml';
const PROFILE_FILE = 'lbpcascades/lbpcascade_profileface.xml';
// Where Debian/Ubuntu (opencv-data), Homebrew-style and source installs put the cascades,
// in case the copy inside the binding's package is missing.
const SYSTEM_CASCADE_DIRS = [
  '/usr/share/opencv4',
  '/usr/share/opencv',
  '/usr/local/share/opencv4',
  '/opt/homebrew/share/opencv4',
];
// The frontal cascade was trained on 20×20 windows, the profile one on 20×34.
const MIN_FACE = 20;

const classifiers = new Map<string, CascadeClassifier>();

export function findCascade(file: string, bundled: string): string {
  const candidates = [bundled, ...SYSTEM_CASCADE_DIRS.map((dir) => `${dir}/${file}`)];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) {
    throw new MediaError(
      'ERR_CAPTURE_FAILED',
      `no face detector found: ${file} is in none of ${candidates.join(', ')}`,
    );
  }
  return found;
}

function classifier(view: FaceView): CascadeClassifier {
  const [file, bundled] =
    view === 'frontal'
      ? [FRONTAL_FILE, cv.HAAR_FRONTALFACE_ALT2]
      : [PROFILE_FILE, cv.LBP_PROFILEFACE];
  let found = classifiers.get(file);
  if (!found) {
    found = new cv.CascadeClassifier(findCascade(file, bundled));
    classifiers.set(file, found);
  }
  return found;
}

/** The grey, contrast-equalised copy of `frame` at `width` pixels across that detection runs on. */
export function detectionImage(frame: Mat, width: number): Mat {
  const scale = Math.min(1, width / frame.cols);
  const small =
    scale === 1
      ? frame
      : frame.resize(
          Math.max(1, Math.round(frame.rows * scale)),
          Math.max(1, Math.round(frame.cols * scale)),
          0,
          0,
          cv.INTER_AREA,
        );
  return small.cvtColor(cv.COLOR_BGR2GRAY).equalizeHist();
}

/**
 * Faces of one view in `gray` (or in `area` of it), in `gray`'s coordinates. The mirrored
 * profile pass flips the searched part and maps its boxes back.
 */
export function detectView(
  gray: Mat,
  view: FaceView,
  area?: FaceBox,
  minFace = MIN_FACE,
): FaceBox[] {
  const region = area ?? { x: 0, y: 0, width: gray.cols, height: gray.rows };
  if (region.width < minFace || region.height < minFace) return [];
  const part =
    area === undefined
      ? gray
      : gray.getRegion(new cv.Rect(region.x, region.y, region.width, region.height));
  const searched = view === 'profile-right' ? part.flip(1) : part;
  const { objects } = classifier(view).detectMultiScale(searched, {
    scaleFactor: 1.2,
    minNeighbors: 3,
    minSize: new cv.Size(minFace, minFace),
  });
  return objects.map((box: Rect) => ({
    x: region.x + (view === 'profile-right' ? part.cols - box.x - box.width : box.x),
    y: region.y + box.y,
    width: box.width,
    height: box.height,
  }));
}

/**
 * Every face of every view, in `frame` coordinates and not grown, detected on a grey copy
 * `width` pixels across (the frame's own width: full resolution), `minFace` pixels or more.
 */
export function detectAllViews(frame: Mat, width: number, minFace = MIN_FACE): FaceBox[] {
  const gray = detectionImage(frame, width);
  const scale = frame.cols / gray.cols;
  return ALL_VIEWS.flatMap((view) => detectView(gray, view, undefined, minFace)).map((box) =>
    scaleBox(box, scale),
  );
}

export function scaleBox(box: FaceBox, scale: number): FaceBox {
  return {
    x: box.x * scale,
    y: box.y * scale,
    width: box.width * scale,
    height: box.height * scale,
  };
}

/** `box` grown by `margin` of its size on every side, in whole pixels, clipped to the picture. */
export function growAndClip(box: FaceBox, margin: number, width: number, height: number): Rect {
  const left = Math.max(0, Math.floor(box.x - box.width * margin));
  const top = Math.max(0, Math.floor(box.y - box.height * margin));
  const right = Math.min(width, Math.ceil(box.x + box.width * (1 + margin)));
  const bottom = Math.min(height, Math.ceil(box.y + box.height * (1 + margin)));
  return new cv.Rect(left, top, Math.max(0, right - left), Math.max(0, bottom - top));
}

/** Intersection over the smaller box's area: 1 when one box lies inside the other. */
export function overlap(a: FaceBox, b: FaceBox): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (width <= 0 || height <= 0) return 0;
  return (width * height) / Math.min(a.width * a.height, b.width * b.height);
}
