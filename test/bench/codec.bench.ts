/**
 * Issue #11's `codec` suite, side by side in one run on the natural clip (natural-clip.ts)
 * at 640×480@30: today's JPEG path (OpenCV imencode at q80, the quality the controller
 * settles at on a calm link) against H.264 (libx264 through node-av, the design's layers
 * 640×480 at 0.8 Mb/s and 320×240 at 0.25 Mb/s), then Chromium's own WebRTC with the same
 * clip as its camera as the anchor, then the rows that need the whole H.264 pipeline.
 *
 * "Sender's frame" = the clip's picture as BGR, the form the capture process hands its
 * encoder; PSNR-Y compares its luma (OpenCV's BGR → I420) with the decoded picture's.
 * Encode time per frame covers everything from that BGR frame to the compressed bytes:
 * for H.264 the colour conversion, the 320×240 downscale and both encodes.
 */
import { decodeJpeg, encodeJpeg } from '../../main/media/jpeg.js';
import type { Mat } from '../../main/media/opencv.js';
import cv from '../../main/media/opencv.js';
import { chromiumAnchorRows } from './chromium-anchor.js';
import { codecRow as row, pendingRow } from './codec-rows.js';
import { CLIP_FPS, CLIP_NAME, naturalClip, readY4m } from './natural-clip.js';
import { naturalPipelineRows } from './natural-pipeline.js';
import type { BenchRow } from './table.js';
import { percentile } from './table.js';
import { H264Decoder, X264Layer, psnr } from './x264-layer.js';

const JPEG_QUALITY = 80;
const LAYERS = [
  { width: 640, height: 480, bitsPerSecond: 800_000 },
  { width: 320, height: 240, bitsPerSecond: 250_000 },
] as const;
/** Ten seconds: the design's "long" interval; receivers ask for more when they need them. */
const KEYFRAME_INTERVAL = 300;
const STREAM_GOAL_KBPS = 1000;
const PSNR_GOAL_DB = 36;
const ENCODE_GOAL_MS = 6;

export async function codecBench(): Promise<BenchRow[]> {
  const clip = naturalClip();
  if ('unavailable' in clip) {
    process.stderr.write(
      `bench: codec: natural clip unavailable, no codec figures: ${clip.unavailable}\n`,
    );
    return [pendingRow(`natural clip unavailable (${clip.unavailable})`)];
  }
  const { width, height, frames } = readY4m(clip.path);
  const pictures = frames.map((i420) =>
    new cv.Mat(i420, (height * 3) / 2, width, cv.CV_8UC1).cvtColor(cv.COLOR_YUV2BGR_I420),
  );
  const label = `${width}×${height}@${CLIP_FPS}, ${frames.length} frames of ${CLIP_NAME}`;
  process.stderr.write(`bench: codec: ${label}\n`);
  const seconds = pictures.length / CLIP_FPS;
  const jpeg = await jpegRows(pictures, seconds);
  const h264 = h264Rows(pictures, seconds);
  return [
    ...jpeg.rows,
    ...h264.rows,
    ...(await chromiumAnchorRows(clip)),
    ...(await naturalPipelineRows(clip, { jpeg: jpeg.decodeP95, h264: h264.decodeP95 })),
  ];
}

/** A part's rows and its 640×480 decode p95 (ms), which the pipeline rows add to "ready". */
interface CodecRows {
  rows: BenchRow[];
  decodeP95: number;
}

async function jpegRows(pictures: Mat[], seconds: number): Promise<CodecRows> {
  let bytes = 0;
  const encodeMs: number[] = [];
  const decodeMs: number[] = [];
  const quality: number[] = [];
  for (const picture of pictures) {
    const start = performance.now();
    const jpeg = await encodeJpeg(picture, JPEG_QUALITY);
    encodeMs.push(performance.now() - start);
    bytes += jpeg.byteLength;
    const decodeStart = performance.now();
    const decoded = decodeJpeg(jpeg);
    decodeMs.push(performance.now() - decodeStart);
    quality.push(psnr(luma(picture), luma(decoded)));
  }
  const name = `JPEG q${JPEG_QUALITY} 640×480`;
  const decodeP95 = percentile(decodeMs, 95);
  const rows = [
    streamKbpsRow(name, (bytes * 8) / seconds / 1000),
    psnrRow(name, mean(quality)),
    ...encodeRows(`${name} (its one layer)`, encodeMs),
    row(`${name}: decode per frame (OpenCV), p95`, decodeP95, 'ms'),
  ];
  return { rows, decodeP95 };
}

function h264Rows(pictures: Mat[], seconds: number): CodecRows {
  const encoders = LAYERS.map(
    (layer) => new X264Layer({ ...layer, keyframeInterval: KEYFRAME_INTERVAL }),
  );
  const decoders = LAYERS.map(() => new H264Decoder());
  try {
    const bytes = LAYERS.map(() => 0);
    const quality: number[][] = LAYERS.map(() => []);
    const encodeMs: number[] = [];
    /** The top layer's: the one a receiver on a good link decodes. */
    const decodeMs: number[] = [];
    for (const picture of pictures) {
      const start = performance.now();
      const inputs = LAYERS.map((layer) =>
        i420(picture.cols === layer.width ? picture : shrink(picture, layer)),
      );
      const units = encoders.map((encoder, i) => encoder.encode(inputs[i] ?? Buffer.alloc(0)));
      encodeMs.push(performance.now() - start);
      units.forEach((layerUnits, i) => {
        const layer = LAYERS[i];
        const decoder = decoders[i];
        const input = inputs[i];
        if (!layer || !decoder || !input) return;
        const reference = input.subarray(0, layer.width * layer.height);
        for (const unit of layerUnits) {
          bytes[i] = (bytes[i] ?? 0) + unit.byteLength;
          const decodeStart = performance.now();
          const decodedUnits = decoder.decode(unit);
          if (i === 0) decodeMs.push(performance.now() - decodeStart);
          for (const decoded of decodedUnits) quality[i]?.push(psnr(reference, decoded));
        }
      });
    }
    const rows: BenchRow[] = [];
    LAYERS.forEach((layer, i) => {
      const name = `H.264 ${layer.width}×${layer.height} @ ${layer.bitsPerSecond / 1000} kb/s`;
      const kbps = ((bytes[i] ?? 0) * 8) / seconds / 1000;
      const decodedAll = quality[i]?.length === pictures.length;
      if (!decodedAll)
        throw new Error(`${name}: ${quality[i]?.length} of ${pictures.length} decoded`);
      const top = i === 0;
      rows.push(
        top ? streamKbpsRow(name, kbps) : row(`${name}: stream`, kbps, 'kb/s'),
        top
          ? psnrRow(name, mean(quality[i] ?? []))
          : row(`${name}: PSNR-Y`, mean(quality[i] ?? []), 'dB'),
      );
    });
    rows.push(...encodeRows('H.264 all layers (640×480 + 320×240)', encodeMs));
    const decodeP95 = percentile(decodeMs, 95);
    rows.push(row('H.264 640×480: decode per frame (node-av, 1 thread), p95', decodeP95, 'ms'));
    return { rows, decodeP95 };
  } finally {
    for (const encoder of encoders) encoder.close();
    for (const decoder of decoders) decoder.close();
  }
}

function shrink(picture: Mat, size: { width: number; height: number }): Mat {
  return picture.resize(size.height, size.width, 0, 0, cv.INTER_AREA);
}

function i420(picture: Mat): Buffer {
  return picture.cvtColor(cv.COLOR_BGR2YUV_I420).getData();
}

function luma(picture: Mat): Buffer {
  return i420(picture).subarray(0, picture.cols * picture.rows);
}

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function streamKbpsRow(name: string, kbps: number): BenchRow {
  const target = `≤ ${STREAM_GOAL_KBPS}`;
  return row(`${name}: stream`, kbps, 'kb/s', target, kbps <= STREAM_GOAL_KBPS);
}

function psnrRow(name: string, db: number): BenchRow {
  return row(
    `${name}: PSNR-Y, mean over frames`,
    db,
    'dB',
    `≥ ${PSNR_GOAL_DB}`,
    db >= PSNR_GOAL_DB,
  );
}

function encodeRows(name: string, samples: number[]): BenchRow[] {
  const p50 = percentile(samples, 50);
  const goal = `≤ ${ENCODE_GOAL_MS}`;
  return [
    row(`${name}: encode per frame, median`, p50, 'ms', goal, p50 <= ENCODE_GOAL_MS),
    row(`${name}: encode per frame, p95`, percentile(samples, 95), 'ms'),
  ];
}
