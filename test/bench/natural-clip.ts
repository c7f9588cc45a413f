/**
 * The natural clip the `codec` suite measures: OpenCV's vtest.avi (a real camera recording,
 * 768×576 pedestrians, 10 fps) from Debian's opencv-doc, fetched by
 * scripts/fetch-natural-clip.sh into the cache directory and turned once into a 640×480
 * Y4M (I420) there. Each recorded frame becomes one frame at 30 fps, the way a node's
 * `--source file:` plays a file (one recorded frame per capture tick): three times the
 * recorded motion per frame, which is harder for an inter-frame codec, not easier. The
 * Y4M is what Chromium's fake camera reads and what the headless nodes are given.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import cv from '../../main/media/opencv.js';
import { openSource } from '../../main/media/sources.js';

export const CLIP_WIDTH = 640;
export const CLIP_HEIGHT = 480;
export const CLIP_FPS = 30;
/** Ten seconds at 30 fps: enough for rate control to settle, small enough to hold in memory. */
export const CLIP_FRAMES = 300;
export const CLIP_NAME = 'vtest.avi (opencv-doc)';

const FETCH_SCRIPT = fileURLToPath(
  new URL('../../../scripts/fetch-natural-clip.sh', import.meta.url),
);

export type NaturalClip = { path: string } | { unavailable: string };

/** The Y4M's path, fetching and converting on first use; `unavailable` says why it cannot be had. */
export function naturalClip(): NaturalClip {
  const fetched = spawnSync('bash', [FETCH_SCRIPT], { encoding: 'utf8' });
  if (fetched.error !== undefined || fetched.status !== 0) {
    const why = fetched.error?.message ?? fetched.stderr.trim().split('\n').pop() ?? '';
    return { unavailable: `${FETCH_SCRIPT} failed: ${why}` };
  }
  const avi = fetched.stdout.trim();
  const y4m = join(avi, '..', `vtest-${CLIP_WIDTH}x${CLIP_HEIGHT}-${CLIP_FRAMES}f.y4m`);
  if (!existsSync(y4m)) convertToY4m(avi, y4m);
  return { path: y4m };
}

/** Through the nodes' own file source (centre cover, area-averaged shrink), then BGR → I420. */
function convertToY4m(avi: string, y4m: string): void {
  const source = openSource(
    { kind: 'file', path: avi },
    { width: CLIP_WIDTH, height: CLIP_HEIGHT },
  );
  const partial = `${y4m}.partial`;
  const fd = openSync(partial, 'w');
  try {
    writeSync(fd, `YUV4MPEG2 W${CLIP_WIDTH} H${CLIP_HEIGHT} F${CLIP_FPS}:1 Ip A1:1 C420jpeg\n`);
    for (let frameNumber = 0; frameNumber < CLIP_FRAMES; frameNumber++) {
      const bgr = source.read({
        frameNumber,
        captureTs: 0,
        width: CLIP_WIDTH,
        height: CLIP_HEIGHT,
      });
      writeSync(fd, 'FRAME\n');
      writeSync(fd, bgr.cvtColor(cv.COLOR_BGR2YUV_I420).getData());
    }
  } finally {
    closeSync(fd);
    source.close();
  }
  renameSync(partial, y4m);
}

/** The I420 pictures of a Y4M this module wrote (4:2:0, no frame parameters). */
export function readY4m(path: string): { width: number; height: number; frames: Buffer[] } {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(256);
    const headBytes = readSync(fd, head, 0, head.length, 0);
    const end = head.subarray(0, headBytes).indexOf(0x0a);
    const header = head.subarray(0, end).toString('latin1');
    const width = Number(/ W(\d+)/.exec(header)?.[1]);
    const height = Number(/ H(\d+)/.exec(header)?.[1]);
    if (end < 0 || !header.startsWith('YUV4MPEG2') || !(width > 0) || !(height > 0)) {
      throw new Error(`${path} is not a Y4M file this benchmark wrote (header ${header})`);
    }
    const frameBytes = (width * height * 3) / 2;
    const marker = 'FRAME\n'.length;
    const frames: Buffer[] = [];
    let position = end + 1;
    for (;;) {
      const frame = Buffer.alloc(frameBytes);
      const got = readSync(fd, frame, 0, frameBytes, position + marker);
      if (got < frameBytes) break;
      frames.push(frame);
      position += marker + frameBytes;
    }
    return { width, height, frames };
  } finally {
    closeSync(fd);
  }
}
