/**
 * H.264 in the page (issue #11): a real Chromium decodes with WebCodecs what the nodes
 * encode with libx264. A = `meshcall app --web` with Chromium in its namespace, B = a
 * headless node sending H.264, on another host of the same bridged LAN.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { HeadlessNode } from '../helpers/json-lines-process.js';
import { repoRoot } from '../helpers/json-lines-process.js';
import type { TestNetwork } from '../helpers/netns/hosts.js';
import { patternVideo } from '../helpers/snapshots.js';
import type { AppProcess } from './app-process.js';
import { openAppPage, startAdaAndBob, stopEverything } from './two-nodes.js';
import type { NamespacedBrowser } from './chromium-in-netns.js';
import { changedPixels, luminanceSpread, sampleTile } from './tile-probes.js';

// The page's DOM as far as the probe below uses it (the root tsconfig has no DOM lib).
declare const document: {
  querySelector(selector: string): { dataset: Record<string, string | undefined> } | null;
};

/**
 * Waits until the tile has drawn more than `after` pictures out of its H.264 decoder (its
 * VideoDecoder's output count, data-decoded) and shows an H.264 frame; returns the count.
 */
async function decodedAfter(page: Page, selector: string, after: number): Promise<number> {
  await page.waitForFunction(
    ([tileSelector, minimum]) => {
      const tile = document.querySelector(tileSelector);
      return tile?.dataset.codec === 'h264' && Number(tile.dataset.decoded ?? 0) > minimum;
    },
    [selector, after] as const,
    { timeout: 20_000 },
  );
  return Number(await page.locator(selector).getAttribute('data-decoded'));
}

/** The tile decodes a picture that is not blank, and a later one that differs. */
async function assertLivePicture(page: Page, selector: string): Promise<void> {
  const first = await decodedAfter(page, selector, 0);
  const before = await sampleTile(page, selector);
  await decodedAfter(page, selector, first + 10);
  const after = await sampleTile(page, selector);
  assert.ok(luminanceSpread(before) > 20, `not blank: spread ${luminanceSpread(before)}`);
  assert.ok(luminanceSpread(after) > 20, `not blank: spread ${luminanceSpread(after)}`);
  const changed = changedPixels(before, after);
  assert.ok(changed >= 20, `the picture changes over time (${changed} of 3072 samples)`);
}

describe('H.264 video in Chromium (WebCodecs VideoDecoder)', function () {
  this.timeout(120_000);
  let network: TestNetwork | undefined;
  let app: AppProcess | undefined;
  let bob: HeadlessNode;
  let chrome: NamespacedBrowser | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  before(async function () {
    this.timeout(120_000);
    assert.ok(
      existsSync(join(repoRoot(), 'dist', 'renderer', 'app.js')),
      'dist/renderer is not built: run npm run build',
    );
    ({ network, app, bob, chrome } = await startAdaAndBob({
      label: 'vcodec',
      appArgs: [...patternVideo('640x480'), '--codec', 'h264'],
      bobArgs: [...patternVideo('640x480'), '--codec', 'h264'],
    }));
    page = await openAppPage(chrome, null, pageErrors);
  });

  after(async function () {
    this.timeout(60_000);
    if (pageErrors.length > 0) console.error(`  page errors: ${pageErrors.join(' | ')}`);
    await stopEverything({ chrome, app, network });
  });

  it('the own tile shows the local preview: the top H.264 layer, decoded in the page', async () => {
    assert.ok(app);
    await page.goto(app.url);
    await assertLivePicture(page, '.tile-self');
    // The preview is the full layer (640×480 here), not a JPEG nor a smaller layer.
    const size = await page.evaluate(() => {
      const canvas = document.querySelector('.tile-self canvas') as unknown as {
        width: number;
        height: number;
      };
      return `${canvas.width}x${canvas.height}`;
    });
    assert.equal(size, '640x480');
    assert.deepEqual(pageErrors, []);
  });

  it("B's H.264 video is decoded by the page's VideoDecoder and keeps changing", async () => {
    await page.locator('li.peer', { hasText: 'Bob' }).waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Invite Bob', exact: true }).click();
    const tile = `.tile-remote[data-peer="${bob.id}"]`;
    await assertLivePicture(page, tile);
    assert.deepEqual(pageErrors, []);
  });
});
