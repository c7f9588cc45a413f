/**
 * Opens the picture source a SourceSpec names. Every source hands out 8-bit BGR frames of
 * exactly the size asked for; failures are MediaErrors a user can act on.
 */
import { accessSync, constants as fsConstants } from 'node:fs';
import type { SourceFailureReason } from '../../protocol/camera-api.js';
import { cameraExists } from './camera-list.js';
import type { MediaError } from './errors.js';
import { SourceError, nativeErrorText } from './errors.js';
import { coverTo, toBgr } from './mat-ops.js';
import type { CvVideoCapture, Mat } from './opencv.js';
import cv from './opencv.js';
import type { SourceSpec } from './settings.js';
import { renderTestPattern } from './test-pattern.js';

export interface FrameRequest {
  frameNumber: number;
  /** Milliseconds since the epoch, drawn into generated frames. */
  captureTs: number;
  width: number;
  height: number;
}

export interface FrameSource {
  /** The next frame at the requested size. Throws MediaError when the source has failed for good. */
  read(request: FrameRequest): Mat;
  close(): void;
}

/** Opens `spec`, asking a camera for `size` up front. Throws MediaError when it cannot. */
export function openSource(spec: SourceSpec, size: { width: number; height: number }): FrameSource {
  switch (spec.kind) {
    case 'pattern':
      return patternSource();
    case 'camera':
      return openCamera(spec.index, size);
    case 'file':
      return openFile(spec.path);
  }
}

function patternSource(): FrameSource {
  return {
    read: ({ frameNumber, captureTs, width, height }) =>
      renderTestPattern(frameNumber, captureTs, width, height),
    close: () => undefined,
  };
}

function openCamera(index: number, size: { width: number; height: number }): FrameSource {
  let opened = false;
  const fail = (why: string, cause?: unknown): MediaError => {
    // On Linux, sysfs tells a camera that is not there from one that will not open.
    const missing = process.platform === 'linux' && !cameraExists(index);
    const reason: SourceFailureReason = opened
      ? 'camera-stopped'
      : missing
        ? 'camera-not-found'
        : 'camera-unavailable';
    const message = `camera ${index} is unavailable: ${why}`;
    return new SourceError('ERR_CAMERA_UNAVAILABLE', reason, message, { cause });
  };
  let capture: CvVideoCapture;
  try {
    capture = new cv.VideoCapture(index);
  } catch (err: unknown) {
    throw fail(`it could not be opened (${nativeErrorText(err)}); is it connected and free?`, err);
  }
  // A hint only: the camera picks the nearest mode it has, and frames are fitted afterwards.
  capture.set(cv.CAP_PROP_FRAME_WIDTH, size.width);
  capture.set(cv.CAP_PROP_FRAME_HEIGHT, size.height);
  const source = captureSource(capture, () => capture.read(), fail);
  opened = true;
  return source;
}

function openFile(path: string): FrameSource {
  const fail = (why: string, cause?: unknown): MediaError =>
    new SourceError('ERR_FILE_UNAVAILABLE', 'file-unavailable', `video file ${path}: ${why}`, {
      cause,
    });
  try {
    accessSync(path, fsConstants.R_OK);
  } catch (err: unknown) {
    throw fail('it does not exist or cannot be read', err);
  }
  const capture = openVideoFile(path, fail);
  const readLooping = (): Mat => {
    const frame = capture.read();
    if (!frame.empty) return frame;
    capture.set(cv.CAP_PROP_POS_FRAMES, 0);
    return capture.read();
  };
  return captureSource(capture, readLooping, fail);
}

/**
 * FFmpeg where OpenCV was built with it: left to choose (CAP_ANY), OpenCV also tries the
 * image-sequence reader, which takes a broken video for a file-name pattern and prints a
 * C++ exception about it.
 */
function openVideoFile(
  path: string,
  fail: (why: string, cause?: unknown) => MediaError,
): CvVideoCapture {
  const backend = /^\s*FFMPEG:\s*YES/m.test(cv.getBuildInformation()) ? cv.CAP_FFMPEG : cv.CAP_ANY;
  try {
    return new cv.VideoCapture(path, backend);
  } catch (err: unknown) {
    throw fail(`it could not be opened as a video (${nativeErrorText(err)})`, err);
  }
}

/** A source over an opened VideoCapture; fails at once if the first picture never comes. */
function captureSource(
  capture: CvVideoCapture,
  readNext: () => Mat,
  fail: (why: string, cause?: unknown) => MediaError,
): FrameSource {
  const next = (): Mat => {
    try {
      return readNext();
    } catch (err: unknown) {
      throw fail(`reading a picture failed (${nativeErrorText(err)})`, err);
    }
  };
  let pending: Mat | null = null;
  try {
    pending = next();
    if (pending.empty) throw fail('it opened but delivers no picture');
  } catch (err: unknown) {
    capture.release();
    throw err;
  }
  return {
    read: ({ width, height }) => {
      const frame = pending ?? next();
      pending = null;
      if (frame.empty) throw fail('it stopped delivering pictures');
      return coverTo(toBgr(frame), width, height);
    },
    close: () => capture.release(),
  };
}
