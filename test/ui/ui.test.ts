/**
 * The interface in a real Chromium, driven by Playwright, against a real node:
 * A = `meshcall app --web` (node + browser bridge) with Chromium in its namespace,
 * B = a headless node that auto-accepts, on another host of the same bridged LAN.
 * Saves screenshots of the main screens to docs/screenshots/.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { NodeEvent, HeadlessNode } from '../helpers/json-lines-process.js';
import { repoRoot } from '../helpers/json-lines-process.js';
import type { TestNetwork } from '../helpers/netns/hosts.js';
import { decodeSnapshot, patternVideo, snapshotImage } from '../helpers/snapshots.js';
import type { Mat } from '../../main/media/opencv.js';
import cv from '../../main/media/opencv.js';
import { sharpness } from '../fixtures/media-images.js';
import type { AppProcess } from './app-process.js';
import { reportFailure, startAdaAndBob, stopEverything } from './two-nodes.js';
import type { NamespacedBrowser } from './chromium-in-netns.js';
import {
  changedPixels,
  frameAfter,
  luminanceSpread,
  pixelMeans,
  sampleTile,
} from './tile-probes.js';

// The page's DOM as far as the probes below use it (the root tsconfig has no DOM lib).
interface PageElement {
  readonly id: string;
  closest(selector: string): PageElement | null;
}
declare const document: { readonly activeElement: PageElement | null };

const SCREENSHOTS = join(repoRoot(), 'docs', 'screenshots');

describe('the interface in Chromium (browser bridge, namespaced LAN)', function () {
  this.timeout(120_000);
  let network: TestNetwork | undefined;
  let app: AppProcess | undefined;
  let bob: HeadlessNode;
  let chrome: NamespacedBrowser | undefined;
  let context: BrowserContext;
  let page: Page;
  let adaId = '';
  const pageErrors: string[] = [];

  /** Saves docs/screenshots/<name>.png; the pointer moves out of the way unless asked not to. */
  async function shot(name: string, options: { hover?: boolean } = {}): Promise<void> {
    if (!options.hover) await page.mouse.move((page.viewportSize()?.width ?? 800) / 2, 3);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), animations: 'disabled' });
  }

  before(async function () {
    this.timeout(120_000);
    assert.ok(
      existsSync(join(repoRoot(), 'dist', 'renderer', 'app.js')),
      'dist/renderer is not built: run npm run build',
    );
    ({ network, app, bob, chrome } = await startAdaAndBob({
      label: 'ui',
      appArgs: ['--fps', '15'],
      bobArgs: [...patternVideo(), '--frame-events'],
    }));
    context = await chrome.browser.newContext({
      // These tests find controls by their English names (i18n.test.ts covers the others).
      locale: 'en-US',
      viewport: { width: 1280, height: 800 },

      deviceScaleFactor: 1,
      colorScheme: 'light',
      reducedMotion: 'reduce',
    });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) {
        pageErrors.push(`CSP: ${message.text()}`);
      }
      // The node and this page speak one protocol: nothing it sends may be dropped.
      if (message.text().startsWith('meshcall: dropped')) pageErrors.push(message.text());
    });
    await mkdir(SCREENSHOTS, { recursive: true });
  });

  afterEach(async function () {
    const parts = { page, app, bob, pageErrors, screenshotPrefix: 'ui-failure' };
    await reportFailure(this.currentTest, parts);
  });

  after(async function () {
    this.timeout(60_000);
    await stopEverything({ chrome, app, network });
  });

  it('lists the other node by name, with its safety code and trust badge', async () => {
    assert.ok(app);
    await page.goto(app.url);
    const card = page.locator('li.peer', { hasText: 'Bob' });
    await card.waitFor({ timeout: 15_000 });
    const adaAtBob = await bob.waitFor('peer-up', (e) => e.name === 'Ada', 15_000);
    adaId = String(adaAtBob.peer);
    assert.equal(await card.locator('.peer-name').textContent(), 'Bob');
    assert.equal(await card.locator('.badge').textContent(), 'New');
    const code = await card.locator('.safety-code').getAttribute('aria-label');
    assert.ok(
      code?.endsWith(String(adaAtBob.safetyCode)),
      `same safety code on both sides: ${code}`,
    );
    // The self view shows the local preview outside calls.
    await frameAfter(page, '.tile-self', 0);
    await shot('nearby');
  });

  it('takes the used-up token out of the address bar; the link does not work twice', async () => {
    assert.ok(app);
    assert.equal(new URL(page.url()).search, '', 'no ?s= left in the address bar');
    // Another browser (profile) presenting the same link gets a clear refusal, and no socket.
    const stranger = await chrome!.browser.newContext();
    try {
      const other = await stranger.newPage();
      const answer = await other.goto(app.url);
      assert.equal(answer?.status(), 403);
      await other.getByRole('heading', { name: 'This meshcall link was already used' }).waitFor();
      const cookies = await stranger.cookies();
      assert.deepEqual(cookies, []);
    } finally {
      await stranger.close();
    }
    const [session] = await context.cookies();
    assert.ok(session);
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    assert.equal(session.expires, -1, 'a session cookie');
  });

  it("shows B's invite as a modal dialog with name and safety code, and declines it", async () => {
    bob.send({ cmd: 'invite', peer: adaId });
    const dialog = page.getByRole('alertdialog', { name: 'Bob invites you to a call' });
    await dialog.waitFor();
    assert.equal(await dialog.getAttribute('aria-modal'), 'true');
    const code = String((await bob.waitFor('peer-up', (e) => e.peer === adaId)).safetyCode);
    assert.equal(
      (await dialog.locator('.safety-code').textContent())?.replace(/\s+/g, ''),
      code.replace(/\s+/g, ''),
    );
    const focusInside = await page.evaluate(
      () => document.activeElement?.closest('[role="alertdialog"]') !== null,
    );
    assert.ok(focusInside, 'focus moves into the dialog');
    await shot('invite');
    await dialog.getByRole('button', { name: "Decline Bob's invite" }).click();
    await bob.waitFor('invite-declined', (e) => e.peer === adaId);
    await bob.waitFor('call-ended');
    await dialog.waitFor({ state: 'detached' });
  });

  it("invites B; B's video is drawn on a canvas that is not blank and keeps changing", async () => {
    await page.getByRole('button', { name: 'Invite Bob', exact: true }).click();
    await bob.waitFor('call-joined', (e) =>
      (e.members as { peer: string }[]).some((m) => m.peer === adaId),
    );
    const tile = `.tile-remote[data-peer="${bob.id}"]`;
    const first = await frameAfter(page, tile, 0);
    const before = await sampleTile(page, tile);
    await frameAfter(page, tile, first + 5);
    const after = await sampleTile(page, tile);
    assert.ok(luminanceSpread(before) > 20, `not blank: spread ${luminanceSpread(before)}`);
    assert.ok(luminanceSpread(after) > 20, `not blank: spread ${luminanceSpread(after)}`);
    const changed = changedPixels(before, after);
    assert.ok(changed >= 20, `the picture changes over time (${changed} of 3072 samples)`);
    // Stats on hover: fps, bitrate, latency, lost.
    await page.locator(`${tile} .tile-stats`).waitFor({ state: 'attached', timeout: 10_000 });
    await page.locator(tile).hover();
    const stats = await page.locator(`${tile} .tile-stats`).textContent();
    assert.match(stats ?? '', /Frame rate.*fps.*Bitrate.*Latency p50.*Latency p95.*Lost/);
    await shot('call', { hover: true });
    // This Chromium has no microphone (no fake device): the call says so and offers a retry.
    const notice = page.getByRole('alert').filter({ hasText: 'No microphone was found' });
    await notice.waitFor({ timeout: 10_000 });
    await notice.getByRole('button', { name: 'Try again' }).waitFor();
  });

  it('chats both ways, counting unread messages while the chat is hidden', async () => {
    await page.keyboard.press('c');
    await page.waitForFunction(() => document.activeElement?.id === 'chat-composer');
    await page.keyboard.type('Hello Bob, this is the browser');
    await page.keyboard.press('Enter');
    const sent = await bob.waitFor('chat', (e) => e.text === 'Hello Bob, this is the browser');
    assert.equal(sent.from, adaId);
    assert.equal(await page.getByLabel('Write a message').inputValue(), '');

    await page.getByRole('tab', { name: 'People' }).click();
    bob.send({ cmd: 'chat', text: 'Hi Ada, I can see you! (<b>this</b> stays plain text)' });
    await page.getByRole('tab', { name: 'Chat, 1 unread' }).waitFor();
    await page.getByRole('tab', { name: 'Chat, 1 unread' }).click();
    const log = page.getByRole('log', { name: 'Chat messages' });
    // Text stays text: the markup arrives as characters, not elements.
    await log.getByText('Hi Ada, I can see you! (<b>this</b> stays plain text)').waitFor();
    assert.equal(await log.locator('b').count(), 0);
    await page.getByRole('tab', { name: 'Chat', exact: true }).waitFor();
    await shot('chat');
  });

  it('exports the chat as a browser download, one line per message', async () => {
    // A line break inside a message must not start a line of its own in the export.
    bob.send({ cmd: 'chat', text: 'bye\n[2024-05-01T12:00:00.000Z] Mallory: send me the keys' });
    const log = page.getByRole('log', { name: 'Chat messages' });
    await log.getByText(/Mallory: send me the keys/).waitFor();
    await page.getByRole('button', { name: 'Export chat to a file' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export chat' });
    await dialog.getByRole('radio', { name: 'Plain text' }).check();
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 10_000 }),
      dialog.getByRole('button', { name: 'Export', exact: true }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^meshcall-chat-\d{4}-\d{2}-\d{2}-\d{4}\.txt$/);
    const file = await download.path();
    const lines = (await readFile(file, 'utf8')).split('\n');
    const messages = lines.filter((l) => l.startsWith('['));
    assert.equal(messages.length, 3, lines.join('\n'));
    assert.match(messages[0]!, /\] Ada: Hello Bob, this is the browser$/);
    assert.match(messages[2]!, /\] Bob: bye\\n\[2024-05-01T12:00:00\.000Z\] Mallory: send me/);
    await page.locator('.toast', { hasText: 'Chat exported' }).waitFor();
  });

  it('clicking the reds chip changes what B receives', async () => {
    const plain = decodeSnapshot(await snapshotOfAda(0)).means;
    assert.ok(
      plain.r < plain.g + plain.b,
      `the plain pattern is not red: ${JSON.stringify(plain)}`,
    );
    await page.keyboard.press('f');
    const chip = page.locator('button[data-filter="reds"]');
    await chip.click();
    await page.locator('button[data-filter="reds"][aria-pressed="true"]').waitFor();
    const switchedAt = await frameAfter(page, '.tile-self', 0);
    const filtered = decodeSnapshot(await snapshotOfAda(switchedAt + 5)).means;
    assert.ok(
      filtered.r > 1.5 * filtered.g && filtered.r > 1.5 * filtered.b,
      `red dominates what B decodes: ${JSON.stringify(filtered)}`,
    );
    // The self tile is the live preview of the chain.
    await frameAfter(page, '.tile-self', switchedAt + 5);
    const self = pixelMeans(await sampleTile(page, '.tile-self'));
    assert.ok(self.r > 1.5 * self.g && self.r > 1.5 * self.b, `self view: ${JSON.stringify(self)}`);
    await shot('filters');
  });

  it('the Blur background chip blurs the sides of what B receives and keeps the middle', async () => {
    // The filters panel is open (previous test). The pattern has no face, so the filter keeps
    // its default person sharp: centred, its head in the middle of the picture.
    await page.getByRole('button', { name: 'Clear all' }).click();
    await page.locator('button[data-filter="reds"][aria-pressed="false"]').waitFor();
    const plain = snapshotImage(await snapshotOfAda(await frameAfter(page, '.tile-self', 0)));
    const chip = page.locator('button[data-filter="blur-background"]');
    assert.match((await chip.textContent()) ?? '', /Blur background/);
    await chip.click();
    await page.locator('button[data-filter="blur-background"][aria-pressed="true"]').waitFor();
    const switchedAt = await frameAfter(page, '.tile-self', 0);
    const blurred = snapshotImage(await snapshotOfAda(switchedAt + 5));
    // The bars scroll, so two frames differ: the side is compared across frames (its top edge
    // of the caption box stays put), the middle with the side of the same frame. Detail per
    // colour channel: neighbouring bars may differ little in brightness, never in every channel.
    const side = { x: 0, y: 0.1, width: 0.2, height: 0.55 };
    const middle = { x: 0.4, y: 0.3, width: 0.2, height: 0.25 };
    const sideBefore = colourDetail(plain, side);
    const sideAfter = colourDetail(blurred, side);
    const middleAfter = colourDetail(blurred, middle);
    assert.ok(sideBefore > 5 * sideAfter, `the side kept its detail: ${sideBefore} → ${sideAfter}`);
    assert.ok(
      middleAfter > 5 * sideAfter,
      `the middle is blurred too: ${middleAfter}, the side ${sideAfter}`,
    );
    await page.getByRole('button', { name: 'Clear all' }).click();
  });

  /** Variance of the Laplacian, summed over the colour channels, in a part of `mat` given in fractions. */
  function colourDetail(
    mat: Mat,
    part: { x: number; y: number; width: number; height: number },
  ): number {
    const px = (value: number, size: number): number => Math.floor(value * size);
    const [cols, rows] = [mat.cols, mat.rows];
    const rect = new cv.Rect(
      px(part.x, cols),
      px(part.y, rows),
      px(part.width, cols),
      px(part.height, rows),
    );
    return mat
      .getRegion(rect)
      .splitChannels()
      .reduce((sum, channel) => sum + sharpness(channel.cvtColor(cv.COLOR_GRAY2BGR)), 0);
  }

  async function snapshotOfAda(after: number): Promise<NodeEvent> {
    await bob.waitFor('frame', (e) => e.peer === adaId && Number(e.frame) > after, 15_000);
    bob.send({ cmd: 'snapshot', peer: adaId });
    return bob.waitForNext('snapshot', (e) => e.peer === adaId && Number(e.frame) > after);
  }

  it('settings: a file that cannot be played is said plainly; the source list switches back', async () => {
    await page.keyboard.press('s');
    await page.getByRole('radiogroup', { name: 'Resolution' }).waitFor();
    await shot('settings');
    const settings = page.locator('.settings');
    await settings.getByRole('button', { name: 'Choose a video file…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Choose a video file' });
    await dialog.getByLabel('Video file on this computer').fill('/nonexistent/clip.avi');
    await dialog.getByRole('button', { name: 'Use this file' }).click();
    const trouble = settings.locator('.camera-trouble', {
      hasText: "This video file can't be played",
    });
    await trouble.waitFor({ timeout: 15_000 });
    const text = (await trouble.textContent()) ?? '';
    assert.doesNotMatch(text, /\bat .+:\d+:\d+|OpenCV/, 'no stack trace, no native text');
    await settings.locator('select[data-setting="source"]').selectOption('pattern');
    const now = Number(await page.locator('.tile-self').getAttribute('data-frame'));
    await frameAfter(page, '.tile-self', now);
    await trouble.waitFor({ state: 'detached' });
  });

  it("settings show this computer's address and port; a failed Add by address keeps what was typed", async () => {
    const seen = await bob.waitFor('peer-up', (e) => e.peer === adaId);
    await page.getByRole('tab', { name: 'Settings' }).click();
    assert.equal(await page.locator('[data-self-port]').textContent(), String(seen.port));
    const addresses = (await page.locator('[data-self-addresses]').textContent()) ?? '';
    assert.ok(
      addresses.split(', ').includes(String(seen.host)),
      `${addresses} / ${String(seen.host)}`,
    );

    await page.getByRole('tab', { name: 'Nearby' }).click();
    const toasts = await page.locator('.toast[role="alert"]').count();
    await page.getByLabel('Host name or address').fill('127.0.0.1');
    await page.getByLabel('Port').fill('1');
    await page.getByRole('button', { name: 'Add peer' }).click();
    await page.locator('.toast[role="alert"]').nth(toasts).waitFor({ timeout: 15_000 });
    assert.equal(await page.getByLabel('Host name or address').inputValue(), '127.0.0.1');
    assert.equal(await page.getByLabel('Port').inputValue(), '1');
  });

  it('dark theme: the toggle persists across a reload, and the page reconnects to the call', async () => {
    await page.getByRole('button', { name: 'Switch to dark theme (T)' }).click();
    await page.locator('html[data-theme="dark"]').waitFor({ state: 'attached' });
    await page.reload();
    const tile = `.tile-remote[data-peer="${bob.id}"]`;
    await frameAfter(page, tile, 0);
    assert.equal(await page.locator('html').getAttribute('data-theme'), 'dark');
    // The chat history comes back after the reconnection.
    await page.getByRole('tab', { name: /^Chat/ }).click();
    await page
      .getByRole('log', { name: 'Chat messages' })
      .getByText('Hello Bob, this is the browser')
      .waitFor();
    await page.getByRole('tab', { name: 'People' }).click();
    await frameAfter(page, '.tile-self', 0);
    await shot('dark');
  });

  it('works at 400 px wide: tiles stack and the panels become tabs', async () => {
    await page.setViewportSize({ width: 400, height: 800 });
    await page.getByRole('tab', { name: 'Video' }).click();
    const boxes = await Promise.all(
      [`.tile-remote[data-peer="${bob.id}"]`, '.tile-self'].map((s) =>
        page.locator(s).boundingBox(),
      ),
    );
    const [remote, self] = boxes;
    assert.ok(remote && self);
    assert.ok(Math.abs(remote.x - self.x) < 2 && self.y >= remote.y + remote.height - 1, 'stacked');
    assert.ok(remote.x + remote.width <= 400, 'fits the width');
    await shot('narrow');
    await page.getByRole('tab', { name: /^Chat/ }).click();
    await shot('narrow-chat');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('shows the shortcuts with ?, closes dialogs with Esc, and leaves after confirming L', async () => {
    await page.getByRole('button', { name: 'Switch to light theme (T)' }).click();
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    await shot('shortcuts');
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });

    await page.keyboard.press('l');
    const confirm = page.getByRole('alertdialog', { name: 'Leave the call?' });
    await confirm.waitFor();
    await confirm.getByRole('button', { name: 'Leave', exact: true }).click();
    await bob.waitFor('member-left', (e) => e.peer === adaId);
    await page.getByRole('heading', { name: 'Ready when you are' }).waitFor();
    assert.deepEqual(pageErrors, [], 'no uncaught errors or CSP violations in the page');
  });

  it('says so when the node goes away, instead of going blank', async () => {
    await app?.stop();
    const banner = page.getByRole('alert').filter({ hasText: 'Disconnected from meshcall' });
    await banner.waitFor({ timeout: 10_000 });
    assert.match((await banner.textContent()) ?? '', /Trying again|Reconnecting/);
  });
});
