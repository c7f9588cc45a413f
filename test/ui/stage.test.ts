/**
 * The call stage in a real Chromium (issue #13): Ada = `meshcall app --web`, and three
 * headless members, Bob, Carol and Dan (test pattern and a tone: he is the one speaking), each
 * on its own host of one namespaced LAN; Bob joined first, so the speaker is not simply the
 * first member. Speaker view and pinning, the grid's use of the
 * space, the floating mirrored self view, full screen and the quality bars.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { HeadlessNode } from '../helpers/json-lines-process.js';
import { HeadlessNode as Node, repoRoot } from '../helpers/json-lines-process.js';
import { TestNetwork } from '../helpers/netns/hosts.js';
import { patternVideo } from '../helpers/snapshots.js';
import { AppProcess } from './app-process.js';
import type { NamespacedBrowser } from './chromium-in-netns.js';
import { launchChromiumIn } from './chromium-in-netns.js';
import { inviteBob, openAppPage, reportFailure, stopEverything } from './two-nodes.js';

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

// The page's DOM as far as the probes use it (the root tsconfig has no DOM lib).
interface PageElement {
  readonly dataset: Record<string, string | undefined>;
}
declare const document: {
  readonly fullscreenElement: PageElement | null;
  querySelector(selector: string): PageElement | null;
};
declare function getComputedStyle(element: PageElement): { transform: string };
declare const localStorage: { getItem(key: string): string | null };

/** Area of the part of `a` inside `b`. */
function overlap(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

describe('the call stage in Chromium: speaker view and pin (four nodes)', function () {
  this.timeout(180_000);
  let network: TestNetwork | undefined;
  let app: AppProcess | undefined;
  let bob: HeadlessNode;
  let carol: HeadlessNode;
  let dan: HeadlessNode;
  let chrome: NamespacedBrowser | undefined;
  let page: Page;
  const pageErrors: string[] = [];
  const tileOf = (node: HeadlessNode): string => `.tile-remote[data-peer="${node.id}"]`;

  /** Saves docs/screenshots/<name>.png, the pointer out of the way. */
  async function shot(name: string): Promise<void> {
    await page.mouse.move((page.viewportSize()?.width ?? 800) / 2, 3);
    const path = join(repoRoot(), 'docs', 'screenshots', `${name}.png`);
    await page.screenshot({ path, animations: 'disabled' });
  }

  async function box(selector: string): Promise<Box> {
    const found = await page.locator(selector).boundingBox();
    assert.ok(found, `${selector} has a box`);
    return found;
  }

  before(async function () {
    assert.ok(
      existsSync(join(repoRoot(), 'dist', 'renderer', 'app.js')),
      'dist/renderer is not built: run npm run build',
    );
    network = await TestNetwork.create(4, { label: 'stage' });
    const [hostA, hostB, hostC, hostD] = network.hosts;
    assert.ok(hostA && hostB && hostC && hostD);
    [app, bob, carol, dan] = await Promise.all([
      AppProcess.start(hostA, 'Ada', ['--fps', '5']),
      Node.start({ name: 'Bob', host: hostB, autoAccept: true }),
      Node.start({ name: 'Carol', host: hostC, autoAccept: true }),
      Node.start({
        name: 'Dan',
        host: hostD,
        autoAccept: true,
        extraArgs: [...patternVideo('320x240', 10), '--audio-source', 'tone:440'],
      }),
    ]);
    chrome = await launchChromiumIn(hostA);
    page = await openAppPage(chrome, app.url, pageErrors, {
      locale: 'en-US',
      reducedMotion: 'reduce',
    });
    await inviteBob(page, bob);
    // Bob brings the others in (they accept by themselves), one after the other: this suite
    // is about the stage; joins that race are the group-call tests' subject.
    for (const node of [carol, dan]) {
      await bob.waitFor('peer-up', (e) => e.peer === node.id, 20_000);
      bob.send({ cmd: 'invite', peer: node.id });
      await node.waitFor('call-joined', undefined, 30_000);
      // Each joins Ada too, link by link: slow on a loaded machine.
      await page
        .locator(tileOf(node))
        .waitFor({ timeout: 45_000 })
        .catch((err: unknown) => {
          const tail = app?.stderrTail(30) ?? '';
          throw new Error(`${node.name}'s tile never showed at Ada\n  Ada's log:\n${tail}`, {
            cause: err,
          });
        });
    }
    await page.locator(tileOf(bob)).waitFor({ timeout: 45_000 });
  });

  afterEach(async function () {
    const parts = { page, app, bob, pageErrors, screenshotPrefix: 'stage-failure' };
    await reportFailure(this.currentTest, parts);
  });

  after(async function () {
    this.timeout(60_000);
    await stopEverything({ chrome, app, network });
  });

  it('grid: three members leave no empty quarter; our own view floats apart', async () => {
    await page.getByRole('radio', { name: 'Grid' }).waitFor();
    assert.equal(
      await page.getByRole('radio', { name: 'Grid' }).getAttribute('aria-checked'),
      'true',
    );
    const tiles = await Promise.all([bob, carol, dan].map((node) => box(tileOf(node))));
    assert.equal(await page.locator('.grid .tile-self').count(), 0, 'not one of the grid');
    // The quarters of the box the three tiles span: each is at least a quarter covered.
    const left = Math.min(...tiles.map((t) => t.x));
    const top = Math.min(...tiles.map((t) => t.y));
    const right = Math.max(...tiles.map((t) => t.x + t.width));
    const bottom = Math.max(...tiles.map((t) => t.y + t.height));
    const w = (right - left) / 2;
    const h = (bottom - top) / 2;
    for (const [qx, qy] of [
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
    ] as const) {
      const quarter = { x: left + qx * w, y: top + qy * h, width: w, height: h };
      const covered = tiles.reduce((sum, tile) => sum + overlap(tile, quarter), 0);
      assert.ok(
        covered >= 0.25 * w * h,
        `quarter ${qx},${qy} is ${Math.round((100 * covered) / (w * h))} % covered: ${JSON.stringify(tiles)}`,
      );
    }
    await shot('stage-grid');
    // The tiles use the stage: together they span most of its width or of its height.
    const area = await box('.stage-area');
    assert.ok(
      right - left > 0.8 * area.width || bottom - top > 0.8 * area.height,
      `${JSON.stringify({ left, right, top, bottom })} in ${JSON.stringify(area)}`,
    );
  });

  it('our own view is mirrored, the others are not; Settings turns it off', async () => {
    const MIRRORED = 'matrix(-1, 0, 0, 1, 0, 0)';
    /** Waits for the tile's canvas to have `expected` as its transform (after any transition). */
    const transform = (selector: string, expected: string): Promise<unknown> =>
      page.waitForFunction(
        ([s, want]) =>
          getComputedStyle(document.querySelector(`${s} .tile-canvas`)!).transform === want,
        [selector, expected] as const,
        { timeout: 5000 },
      );
    await transform('.tile-self', MIRRORED);
    for (const node of [bob, carol, dan]) await transform(tileOf(node), 'none');
    await page.getByRole('tab', { name: 'Settings' }).click();
    const mirror = page.getByRole('switch', { name: 'Mirror my video' });
    assert.equal(await mirror.getAttribute('aria-checked'), 'true', 'on by default');
    await mirror.click();
    assert.equal(await mirror.getAttribute('aria-checked'), 'false');
    await transform('.tile-self', 'none');
    await mirror.click();
    await transform('.tile-self', MIRRORED);
    await page.getByRole('tab', { name: 'People' }).click();
  });

  it('moves our own view to another corner: by keyboard, and by dragging it', async () => {
    const area = await box('.stage-area');
    const float = page.locator('.self-float');
    assert.equal(await float.getAttribute('data-corner'), 'bottom-right');
    const move = page.getByRole('button', { name: 'Move your video to the bottom left corner' });
    await move.focus();
    await page.keyboard.press('Enter');
    await page.locator('.self-float[data-corner="bottom-left"]').waitFor();
    // The button keeps focus and now names the next corner.
    await page.getByRole('button', { name: 'Move your video to the top left corner' }).waitFor();
    let self = await box('.self-float');
    assert.ok(self.x - area.x < 20, `at the left: ${JSON.stringify({ self, area })}`);
    assert.ok(area.y + area.height - (self.y + self.height) < 20, 'at the bottom');

    // Drag it (by its top, clear of the buttons in its middle) to near the stage's top right
    // corner; it snaps there.
    await page.mouse.move(self.x + self.width / 2, self.y + 12);
    await page.mouse.down();
    await page.mouse.move(area.x + area.width - 60, area.y + 60, { steps: 8 });
    await page.mouse.up();
    await page.locator('.self-float[data-corner="top-right"]').waitFor();
    self = await box('.self-float');
    assert.ok(area.x + area.width - (self.x + self.width) < 20, 'at the right');
    assert.ok(self.y - area.y < 20, 'at the top');
    const kept = await page.evaluate(() => localStorage.getItem('meshcall.stage'));
    assert.match(kept ?? '', /"selfCorner":"top-right"/, 'the corner is kept');
  });

  it('speaker view: the speaker is big; a pinned member replaces him until unpinned', async () => {
    await page.getByRole('radio', { name: 'Speaker' }).click();
    const main = '.speaker-main .tile';
    // Dan sends a tone: he is the active speaker, big and highlighted.
    await page.locator(`.speaker-main ${tileOf(dan)}.tile-active-speaker`).waitFor({
      timeout: 15_000,
    });
    assert.equal(await page.locator(main).getAttribute('aria-description'), 'Active speaker');
    const filmstrip = page.getByRole('group', { name: 'Other participants' });
    assert.equal(await filmstrip.locator('.tile').count(), 2);

    // Pin Carol from the keyboard: her tile's button has a name and takes Enter.
    await page.getByRole('button', { name: 'Pin Carol' }).focus();
    await page.keyboard.press('Enter');
    await page.locator(`.speaker-main ${tileOf(carol)}[data-pinned="true"]`).waitFor();
    const big = await box(main);
    const small = await box(`.filmstrip ${tileOf(dan)}`);
    assert.ok(big.width > 2 * small.width, `the pinned tile is the big one: ${big.width}`);
    assert.match((await page.locator(main).getAttribute('aria-label')) ?? '', /Carol/);

    await page.getByRole('button', { name: 'Unpin Carol' }).click();
    await page.locator(`.speaker-main ${tileOf(dan)}`).waitFor();
    assert.equal(await page.locator('[data-pinned="true"]').count(), 0);
    const kept = await page.evaluate(() => localStorage.getItem('meshcall.stage'));
    assert.match(kept ?? '', /"view":"speaker"/, 'the view is kept');
    await shot('stage-speaker');
  });

  it('G switches between speaker and grid view', async () => {
    const grid = page.getByRole('radio', { name: 'Grid' });
    await page.locator('.speaker-main').waitFor();
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('g');
    await page.locator('.speaker-main').waitFor({ state: 'detached' });
    assert.equal(await grid.getAttribute('aria-checked'), 'true');
    await page.keyboard.press('g');
    await page.locator('.speaker-main').waitFor();
    assert.equal(await grid.getAttribute('aria-checked'), 'false');
  });

  it('shows a member full screen, and leaves full screen', async () => {
    await page.locator(tileOf(bob)).hover();
    await page.getByRole('button', { name: 'Show Bob full screen' }).click();
    // The Fullscreen API where headless Chromium allows it, otherwise the tile fills the window.
    await page.waitForFunction(
      (peer) =>
        document.fullscreenElement?.dataset.peer === peer ||
        document.querySelector(`.tile-fullscreen-window[data-peer="${peer}"]`) !== null,
      bob.id,
      { timeout: 5000 },
    );
    // The tile knows which: its state follows the API's events.
    const api = await page.evaluate(() => document.fullscreenElement !== null);
    const via = await page.locator(tileOf(bob)).getAttribute('data-fullscreen');
    assert.equal(via, api ? 'screen' : 'window');
    console.log(
      `      (full screen through ${api ? 'the Fullscreen API' : 'the window fallback'})`,
    );
    const full = await box(tileOf(bob));
    const viewport = page.viewportSize();
    assert.ok(viewport && full.width >= viewport.width - 1, `fills the width: ${full.width}`);
    await page.getByRole('button', { name: 'Exit full screen' }).click();
    await page.waitForFunction(
      () =>
        document.fullscreenElement === null &&
        document.querySelector('.tile-fullscreen-window') === null,
      undefined,
      { timeout: 5000 },
    );
  });

  it('each member has a connection-quality icon with a label; hover stats stay', async () => {
    for (const node of [bob, carol, dan]) {
      const icon = page.locator(`${tileOf(node)} .tile-quality`);
      await icon.waitFor({ timeout: 10_000 });
      assert.match((await icon.getAttribute('aria-label')) ?? '', /^Connection: (good|fair|poor)$/);
      assert.match((await icon.getAttribute('title')) ?? '', /round trip/);
    }
    await page.locator(tileOf(bob)).hover();
    const stats = await page.locator(`${tileOf(bob)} .tile-stats`).textContent();
    assert.match(stats ?? '', /Frame rate.*Bitrate.*Latency p50/);
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  });
});
