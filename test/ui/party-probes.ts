/**
 * What the watch party's UI tests measure in the pages: each page's film as it is shown,
 * sampled on every presented frame with requestVideoFrameCallback (when the frame is shown,
 * on the wall clock all namespaces of this machine share, and its media time), and the drift
 * between two pages computed from those samples.
 */
import type { Page } from 'playwright-core';

/** [wall ms when shown, media seconds] */
export type FilmSample = [number, number];

// What the functions below touch inside the page (this project's tests compile without the
// DOM library; these run in Chromium through page.evaluate and waitForFunction).
interface PageTextTrack {
  mode: string;
  activeCues: ArrayLike<{ text?: string }> | null;
}
interface PageVideo {
  currentTime: number;
  paused: boolean;
  readyState: number;
  volume: number;
  muted: boolean;
  textTracks: ArrayLike<PageTextTrack>;
  dataset: Record<string, string | undefined>;
  requestVideoFrameCallback(
    callback: (now: number, frame: { expectedDisplayTime: number; mediaTime: number }) => void,
  ): number;
  cancelVideoFrameCallback(handle: number): void;
}
interface PageWindow {
  filmSamples?: FilmSample[];
  filmSampler?: number;
  captions?: string[];
}
declare const window: PageWindow;
declare const document: {
  querySelector(selector: string): unknown;
  querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }>;
  body: unknown;
};
declare const MutationObserver: new (callback: () => void) => {
  observe(target: unknown, options: Record<string, boolean>): void;
};

const VIDEO = 'video.party-video';

/** Starts sampling (again: the previous samples are dropped). */
export async function startSampling(page: Page): Promise<void> {
  await page.locator(VIDEO).waitFor();
  await page.evaluate((selector) => {
    const video = document.querySelector(selector) as PageVideo | null;
    if (!video) throw new Error('no film');
    const samples: FilmSample[] = [];
    window.filmSamples = samples;
    if (window.filmSampler !== undefined) video.cancelVideoFrameCallback(window.filmSampler);
    const onFrame = (_now: number, frame: { expectedDisplayTime: number; mediaTime: number }) => {
      samples.push([performance.timeOrigin + frame.expectedDisplayTime, frame.mediaTime]);
      window.filmSampler = video.requestVideoFrameCallback(onFrame);
    };
    window.filmSampler = video.requestVideoFrameCallback(onFrame);
  }, VIDEO);
}

export async function takeSamples(page: Page): Promise<FilmSample[]> {
  return page.evaluate(() => {
    const samples = window.filmSamples ?? [];
    window.filmSamples = [];
    return samples;
  });
}

/**
 * |media A − media B| at each of A's samples, B's media time interpolated between the two
 * B samples around it. Pairs of B samples further apart than `gapMs` (a pause, a seek, a
 * stall) or that go backwards are not interpolated across.
 */
export function driftsMs(a: FilmSample[], b: FilmSample[], gapMs = 150): number[] {
  const drifts: number[] = [];
  let j = 0;
  for (const [wall, media] of a) {
    while (j + 1 < b.length && (b[j + 1]?.[0] ?? Infinity) < wall) j++;
    const before = b[j];
    const after = b[j + 1];
    if (!before || !after || before[0] > wall || after[0] < wall) continue;
    if (after[0] - before[0] > gapMs || after[1] < before[1]) continue;
    const share = (wall - before[0]) / (after[0] - before[0]);
    const interpolated = before[1] + share * (after[1] - before[1]);
    drifts.push(Math.abs(media - interpolated) * 1000);
  }
  return drifts;
}

export function percentileOf(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** The film's element state in a page. */
export async function filmState(
  page: Page,
): Promise<{ time: number; paused: boolean; volume: number; muted: boolean; tracks: number }> {
  return page.locator(VIDEO).evaluate((element) => {
    const video = element as unknown as PageVideo;
    return {
      time: video.currentTime,
      paused: video.paused,
      volume: video.volume,
      muted: video.muted,
      tracks: video.textTracks.length,
    };
  });
}

/** Resolves once the page's film is playing at or past `seconds`. */
export async function waitPlayingPast(
  page: Page,
  seconds: number,
  timeout = 20_000,
): Promise<void> {
  await page.waitForFunction(
    ([selector, s]) => {
      const video = document.querySelector(selector) as PageVideo | null;
      return !!video && !video.paused && video.readyState >= 3 && video.currentTime >= s;
    },
    [VIDEO, seconds] as const,
    { timeout },
  );
}

export async function waitPaused(page: Page): Promise<void> {
  await page.waitForFunction(
    (selector) => (document.querySelector(selector) as PageVideo | null)?.paused === true,
    VIDEO,
  );
}

/** Resolves once the film's first text track shows a cue with `text`. */
export async function waitCueShown(page: Page, text: string): Promise<void> {
  await page.waitForFunction(
    ([selector, wanted]) => {
      const track = (document.querySelector(selector) as PageVideo | null)?.textTracks[0];
      return track?.mode === 'showing' && track.activeCues?.[0]?.text === wanted;
    },
    [VIDEO, text] as const,
  );
}

/** Keeps every "Preparing…" caption the share button shows from now on. */
export async function recordPreparing(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    window.captions = seen;
    new MutationObserver(() => {
      const labels = document.querySelectorAll('.control .control-label');
      for (let i = 0; i < labels.length; i++) {
        const text = labels[i]?.textContent ?? '';
        if (text.startsWith('Preparing') && !seen.includes(text)) seen.push(text);
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

export async function preparingSeen(page: Page): Promise<string[]> {
  return page.evaluate(() => window.captions ?? []);
}

/** Resolves once the page plays another film than `party`, past its first second. */
export async function waitOtherFilm(page: Page, party: string | null): Promise<void> {
  await page.waitForFunction(
    ([selector, old]) => {
      const video = document.querySelector(selector) as PageVideo | null;
      return !!video && video.dataset.party !== old && !video.paused && video.currentTime > 1;
    },
    [VIDEO, party] as const,
    { timeout: 60_000 },
  );
}

/**
 * Samples both pages until page `a`'s film plays past `until` seconds; returns the drift
 * between them at each of `a`'s frames (ms).
 */
export async function measureDrift(a: Page, b: Page, until: number): Promise<number[]> {
  await Promise.all([startSampling(a), startSampling(b)]);
  const { time } = await filmState(a);
  await waitPlayingPast(a, until, Math.max(0, until - time) * 1000 + 20_000);
  const [fromA, fromB] = await Promise.all([takeSamples(a), takeSamples(b)]);
  if (fromA.length < 100 || fromB.length < 100) {
    throw new Error(`too few frames sampled: ${fromA.length}, ${fromB.length}`);
  }
  return driftsMs(fromA, fromB);
}
