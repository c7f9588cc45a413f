/**
 * H.264 simulcast encoding the way the capture process runs it (FrameEncoder: scaling,
 * BGR→I420 and libx264 for every layer, one after another): encode ms per camera frame for
 * all layers, and the kb/s each layer comes out at against its target. On the test pattern,
 * and on a natural clip when MESHCALL_NATURAL_CLIP names a video file (e.g. OpenCV's
 * vtest.avi, a real camera recording of pedestrians).
 */
import type { EncodeConfig } from '../../main/media/frame-encoder.js';
import { FrameEncoder } from '../../main/media/frame-encoder.js';
import { planLayers } from '../../main/media/layer-plan.js';
import { coverTo, toBgr } from '../../main/media/mat-ops.js';
import type { Mat } from '../../main/media/opencv.js';
import cv from '../../main/media/opencv.js';
import { renderTestPattern } from '../../main/media/test-pattern.js';
import type { BenchRow } from './table.js';
import { median } from './table.js';

const SETTLE_FRAMES = 30;
const MEASURED_FRAMES = 150;
const FPS = 30;
const ENCODE_BUDGET_MS = 6;
const SIZES = [
  { width: 640, height: 480 },
  { width: 1280, height: 720 },
] as const;

type Frames = (index: number, width: number, height: number) => Mat;

function clipFrames(path: string): Frames {
  let capture = new cv.VideoCapture(path);
  return (_index, width, height) => {
    let mat = capture.read();
    if (mat.empty) {
      capture.release();
      capture = new cv.VideoCapture(path);
      mat = capture.read();
    }
    return coverTo(toBgr(mat), width, height);
  };
}

async function measure(
  content: string,
  frames: Frames,
  width: number,
  height: number,
): Promise<BenchRow[]> {
  const encoder = new FrameEncoder();
  const settings = { width, height, fps: FPS };
  const config: EncodeConfig = {
    codec: 'h264',
    bitrates: [],
    jpegFallback: false,
    streamCap: null,
    quality: 75,
    scale: 1,
    settings,
  };
  const costs: number[] = [];
  const bytes: number[] = [];
  try {
    for (let n = 0; n < SETTLE_FRAMES + MEASURED_FRAMES; n++) {
      const picture = frames(n, width, height);
      const started = performance.now();
      const layers = await encoder.encode(picture, n * (1000 / FPS), config);
      if (n < SETTLE_FRAMES) continue;
      costs.push(performance.now() - started);
      layers.forEach((layer, index) => (bytes[index] = (bytes[index] ?? 0) + layer.data.length));
    }
  } finally {
    encoder.close();
  }
  const label = `${width}×${height} ${content}`;
  const sorted = [...costs].sort((a, b) => a - b);
  const p95 = sorted[Math.floor(sorted.length * 0.95)] ?? NaN;
  const rows: BenchRow[] = [
    cost(`encode all layers median, ${label}`, median(costs)),
    cost(`encode all layers p95, ${label}`, p95),
  ];
  for (const spec of planLayers(width, height, FPS)) {
    const kbps = ((bytes[spec.layer] ?? 0) * 8 * FPS) / MEASURED_FRAMES / 1000;
    rows.push({
      suite: 'h264',
      metric: `layer ${spec.layer} ${spec.width}×${spec.height}, ${label}`,
      value: kbps,
      unit: 'kb/s',
      target: `≈ ${spec.bitrate / 1000}`,
      met: null,
    });
  }
  return rows;
}

function cost(metric: string, ms: number): BenchRow {
  const target = `≤ ${ENCODE_BUDGET_MS}`;
  return { suite: 'h264', metric, value: ms, unit: 'ms', target, met: ms <= ENCODE_BUDGET_MS };
}

export async function h264Bench(): Promise<BenchRow[]> {
  const contents: [string, () => Frames][] = [
    ['pattern', () => (n, w, h) => renderTestPattern(n, Date.UTC(2024, 0, 1) + n * 33.3, w, h)],
  ];
  const clip = process.env.MESHCALL_NATURAL_CLIP;
  if (clip) contents.push(['natural clip', () => clipFrames(clip)]);
  const rows: BenchRow[] = [];
  for (const [content, frames] of contents) {
    for (const { width, height } of SIZES) {
      rows.push(...(await measure(content, frames(), width, height)));
    }
  }
  return rows;
}
