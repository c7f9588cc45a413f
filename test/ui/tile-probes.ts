/**
 * Probes of a video tile in the page (Playwright): what its canvas shows and which frame it
 * is at. Shared by the UI tests.
 */
import type { Page } from 'playwright-core';
import type { ChannelMeans } from '../helpers/snapshots.js';

// The page's DOM as far as the probes below use it (the root tsconfig has no DOM lib; these
// functions run inside the page, through page.evaluate / waitForFunction).
interface PageElement {
  readonly id: string;
  readonly dataset: Record<string, string | undefined>;
  closest(selector: string): PageElement | null;
}
interface PageCanvas extends PageElement {
  width: number;
  height: number;
  getContext(kind: '2d'): {
    drawImage(image: PageCanvas, x: number, y: number, width: number, height: number): void;
    getImageData(x: number, y: number, width: number, height: number): { data: ArrayLike<number> };
  } | null;
}
declare const document: {
  readonly activeElement: PageElement | null;
  querySelector(selector: string): PageElement | null;
  createElement(tag: 'canvas'): PageCanvas;
};

/** RGBA of the tile's canvas scaled down to 64×48, read in the page. */
export function sampleTile(page: Page, selector: string): Promise<number[]> {
  return page.evaluate((tileSelector) => {
    const canvas = document.querySelector(`${tileSelector} canvas`) as PageCanvas | null;
    if (!canvas) throw new Error(`no canvas in ${tileSelector}`);
    const small = document.createElement('canvas');
    small.width = 64;
    small.height = 48;
    const context = small.getContext('2d');
    if (!context) throw new Error('no 2d context');
    context.drawImage(canvas, 0, 0, small.width, small.height);
    return Array.from(context.getImageData(0, 0, small.width, small.height).data);
  }, selector);
}

export function pixelMeans(rgba: number[]): ChannelMeans {
  let r = 0;
  let g = 0;
  let b = 0;
  const pixels = rgba.length / 4;
  for (let i = 0; i < rgba.length; i += 4) {
    r += rgba[i] ?? 0;
    g += rgba[i + 1] ?? 0;
    b += rgba[i + 2] ?? 0;
  }
  return { r: r / pixels, g: g / pixels, b: b / pixels };
}

export function luminanceSpread(rgba: number[]): number {
  const values: number[] = [];
  for (let i = 0; i < rgba.length; i += 4) {
    values.push(0.299 * (rgba[i] ?? 0) + 0.587 * (rgba[i + 1] ?? 0) + 0.114 * (rgba[i + 2] ?? 0));
  }
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  return Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length);
}

export function changedPixels(a: number[], b: number[]): number {
  let changed = 0;
  for (let i = 0; i < a.length; i += 4) {
    const diff =
      Math.abs((a[i] ?? 0) - (b[i] ?? 0)) +
      Math.abs((a[i + 1] ?? 0) - (b[i + 1] ?? 0)) +
      Math.abs((a[i + 2] ?? 0) - (b[i + 2] ?? 0));
    if (diff > 48) changed++;
  }
  return changed;
}

/** Waits until the tile shows a frame numbered above `after`; returns that number. */
export async function frameAfter(page: Page, selector: string, after: number): Promise<number> {
  await page.waitForFunction(
    ([tileSelector, minimum]) => {
      const tile = document.querySelector(tileSelector);
      return Number(tile?.dataset.frame ?? -1) > minimum;
    },
    [selector, after] as const,
    { timeout: 15_000 },
  );
  return Number(await page.locator(selector).getAttribute('data-frame'));
}
