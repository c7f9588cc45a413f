/**
 * Per-frame cost of each filter and of JPEG encoding on the test pattern, the way the
 * capture process runs them: one after another, OpenCV using its own threads. Medians
 * over 60 frames after a warm-up; drawing the pattern is outside the timed part.
 */
import { BackgroundBlur } from '../../main/media/background-blur.js';
import { FaceAnonymizer } from '../../main/media/face-anonymizer.js';
import { applyFilters } from '../../main/media/filter-effects.js';
import { listFilters } from '../../main/media/filters.js';
import { encodeJpeg } from '../../main/media/jpeg.js';
import type { Mat } from '../../main/media/opencv.js';
import { renderTestPattern } from '../../main/media/test-pattern.js';
import { CLIP_FPS, faceClip } from '../fixtures/face-clip.js';
import type { BenchRow } from './table.js';
import { median, percentile } from './table.js';

const WARMUP_FRAMES = 10;
const MEASURED_FRAMES = 60;
const SIZES = [
  { width: 640, height: 480, filterBudgetMs: 5, encodeBudgetMs: 5 },
  { width: 1280, height: 720, filterBudgetMs: 10, encodeBudgetMs: 10 },
] as const;
// blur-background detects faces AND blends two full pictures: it gets twice a filter's share
// (with JPEG, still a third of a 30 fps frame).
const BUDGET_FACTOR: Partial<Record<string, number>> = { 'blur-background': 2 };

export async function mediaBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const size of SIZES) {
    const label = `${size.width}×${size.height}`;
    for (const { name } of listFilters()) {
      const ms = await medianFrameCost(size, (frame) => {
        applyFilters(frame, [name]);
        return Promise.resolve();
      });
      const budget = size.filterBudgetMs * (BUDGET_FACTOR[name] ?? 1);
      rows.push(row(`filter ${name}, ${label}`, ms, budget));
    }
    const encodeMs = await medianFrameCost(size, async (frame) => {
      await encodeJpeg(frame, 75);
    });
    rows.push(row(`JPEG encode q75, ${label}`, encodeMs, size.encodeBudgetMs));
  }
  return [
    ...rows,
    ...(await faceClipRows('anonymize', (now) => new FaceAnonymizer({ now }), 5)),
    ...(await faceClipRows('blur-background', (now) => new BackgroundBlur({ now }), 10)),
    ...(await blurNextToPlainPipeline()),
  ];
}

// The face filters' cost depends on what they find, so they are also measured on a face
// that turns away and back (found, lost, held, found again), played CLIP_PASSES times at its
// own 30 fps clock.
const CLIP_PASSES = 3;

async function playClip(work: (frame: Mat, ms: number) => Promise<void>): Promise<number[]> {
  const clip = faceClip();
  const costs: number[] = [];
  let ms = 0;
  for (let pass = 0; pass < CLIP_PASSES; pass++) {
    for (const frame of clip) {
      const start = performance.now();
      await work(frame, ms);
      costs.push(performance.now() - start);
      ms += 1000 / CLIP_FPS;
    }
  }
  return costs;
}

async function faceClipRows(
  name: string,
  make: (now: () => number) => { apply(frame: Mat): Mat },
  budgetMs: number,
): Promise<BenchRow[]> {
  let clock = 0;
  const filter = make(() => clock);
  const costs = await playClip((frame, ms) => {
    clock = ms;
    filter.apply(frame);
    return Promise.resolve();
  });
  const label = `filter ${name} on the face clip, 640×480, per frame`;
  const frames = `${costs.length} frames`;
  const mean = costs.reduce((sum, cost) => sum + cost, 0) / costs.length;
  return [
    clipRow(`${label}: mean of ${frames}`, mean, budgetMs),
    clipRow(`${label}: p50 of ${frames}`, median(costs)),
    clipRow(`${label}: p95 of ${frames}`, percentile(costs, 95)),
  ];
}

/**
 * What the capture process does per frame on the face clip, without and with the background
 * blur: filter chain, then the JPEG encode (the H.264 encoder's cost is in the h264 rows).
 */
async function blurNextToPlainPipeline(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const chain of [[], ['blur-background']]) {
    const costs = await playClip(async (frame) => {
      await encodeJpeg(applyFilters(frame, chain), 75);
    });
    const what = chain.length === 0 ? 'no filter' : chain.join(', ');
    rows.push(
      clipRow(
        `filters (${what}) + JPEG q75 on the face clip, 640×480: median of ${costs.length} frames`,
        median(costs),
      ),
    );
  }
  return rows;
}

function clipRow(metric: string, value: number, budgetMs?: number): BenchRow {
  return {
    suite: 'media',
    metric,
    value,
    unit: 'ms',
    target: budgetMs === undefined ? '' : `≤ ${budgetMs}`,
    met: budgetMs === undefined ? null : value <= budgetMs,
  };
}

async function medianFrameCost(
  size: { width: number; height: number },
  work: (frame: Mat) => Promise<void>,
): Promise<number> {
  const costs: number[] = [];
  for (let frameNumber = 0; frameNumber < WARMUP_FRAMES + MEASURED_FRAMES; frameNumber++) {
    const frame = renderTestPattern(frameNumber, Date.now(), size.width, size.height);
    const start = performance.now();
    await work(frame);
    if (frameNumber >= WARMUP_FRAMES) costs.push(performance.now() - start);
  }
  return median(costs);
}

function row(metric: string, value: number, budgetMs: number): BenchRow {
  return {
    suite: 'media',
    metric: `${metric}, per frame (median of ${MEASURED_FRAMES})`,
    value,
    unit: 'ms',
    target: `≤ ${budgetMs}`,
    met: value <= budgetMs,
  };
}
