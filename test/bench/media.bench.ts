/**
 * Per-frame cost of each filter and of JPEG encoding on the test pattern, the way the
 * capture process runs them: one after another, OpenCV using its own threads. Medians
 * over 60 frames after a warm-up; drawing the pattern is outside the timed part.
 */
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

export async function mediaBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const size of SIZES) {
    const label = `${size.width}×${size.height}`;
    for (const { name } of listFilters()) {
      const ms = await medianFrameCost(size, (frame) => {
        applyFilters(frame, [name]);
        return Promise.resolve();
      });
      rows.push(row(`filter ${name}, ${label}`, ms, size.filterBudgetMs));
    }
    const encodeMs = await medianFrameCost(size, async (frame) => {
      await encodeJpeg(frame, 75);
    });
    rows.push(row(`JPEG encode q75, ${label}`, encodeMs, size.encodeBudgetMs));
  }
  return [...rows, ...anonymizerOnFaceClip()];
}

// The anonymizer's cost depends on what it finds, so it is also measured on a face that
// turns away and back (pixelated, lost, whole picture blurred, found again), played
// ANONYMIZER_PASSES times at its own 30 fps clock.
const ANONYMIZER_PASSES = 3;

function anonymizerOnFaceClip(): BenchRow[] {
  const clip = faceClip();
  let ms = 0;
  const anonymizer = new FaceAnonymizer({ now: () => ms });
  const costs: number[] = [];
  for (let pass = 0; pass < ANONYMIZER_PASSES; pass++) {
    for (const frame of clip) {
      const start = performance.now();
      anonymizer.apply(frame);
      costs.push(performance.now() - start);
      ms += 1000 / CLIP_FPS;
    }
  }
  const label = `filter anonymize on the face clip, 640×480, per frame`;
  const frames = `${costs.length} frames`;
  const mean = costs.reduce((sum, cost) => sum + cost, 0) / costs.length;
  return [
    {
      suite: 'media',
      metric: `${label}: mean of ${frames}`,
      value: mean,
      unit: 'ms',
      target: '≤ 5',
      met: mean <= 5,
    },
    {
      suite: 'media',
      metric: `${label}: p50 of ${frames}`,
      value: median(costs),
      unit: 'ms',
      target: '',
      met: null,
    },
    {
      suite: 'media',
      metric: `${label}: p95 of ${frames}`,
      value: percentile(costs, 95),
      unit: 'ms',
      target: '',
      met: null,
    },
  ];
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
