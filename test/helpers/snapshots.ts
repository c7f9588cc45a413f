import { decodeJpeg } from '../../main/media/jpeg.js';
import type { Mat } from '../../main/media/opencv.js';
import type { NodeEvent } from './json-lines-process.js';

export interface ChannelMeans {
  b: number;
  g: number;
  r: number;
}

/** A `snapshot` event's JPEG as a BGR picture. */
export function snapshotImage(event: NodeEvent): Mat {
  return decodeJpeg(Buffer.from(String(event.jpeg), 'base64'));
}

/** Decodes a `snapshot` event's JPEG: its size and per-channel means. */
export function decodeSnapshot(event: NodeEvent): {
  width: number;
  height: number;
  means: ChannelMeans;
} {
  const mat = snapshotImage(event);
  // OpenCV's mean of a BGR image: w, x, y are the blue, green and red means.
  const mean = mat.mean();
  return { width: mat.cols, height: mat.rows, means: { b: mean.w, g: mean.x, r: mean.y } };
}

/** Headless-node options for the generated test pattern at a given size and rate. */
export function patternVideo(resolution = '320x240', fps = 15): string[] {
  return ['--source', 'pattern', '--resolution', resolution, '--fps', String(fps)];
}
