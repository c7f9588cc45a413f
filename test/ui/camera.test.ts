/**
 * A video source that fails, in a real Chromium (issue #13): A = `meshcall app --web` started
 * on `camera:0` (this machine has no camera), B = the headless node "Bob", also on a camera
 * that is not there. The self tile and Settings say so in plain words and offer the other
 * sources; the control bar does not claim "Video on"; a member whose source fails shows as
 * "Camera off" on the other side, at join and mid-call, never as a frozen picture.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { HeadlessNode } from '../helpers/json-lines-process.js';
import { repoRoot } from '../helpers/json-lines-process.js';
import type { TestNetwork } from '../helpers/netns/hosts.js';
import type { AppProcess } from './app-process.js';
import type { NamespacedBrowser } from './chromium-in-netns.js';
import { frameAfter } from './tile-probes.js';
import {
  inviteBob,
  openAppPage,
  reportFailure,
  startAdaAndBob,
  stopEverything,
} from './two-nodes.js';

describe('a video source that fails, in Chromium (headless Bob)', function () {
  this.timeout(120_000);
  let network: TestNetwork | undefined;
  let app: AppProcess | undefined;
  let bob: HeadlessNode;
  let chrome: NamespacedBrowser | undefined;
  let page: Page;
  let adaId = '';
  const pageErrors: string[] = [];
  const bobTile = (): string => `.tile-remote[data-peer="${bob.id}"]`;
  const videoButton = (): ReturnType<Page['locator']> =>
    page.locator('.control-bar').getByRole('button', { name: /^Turn video (off|on) \(V\)$/ });

  before(async function () {
    if (existsSync('/dev/video0') || existsSync('/dev/video7')) this.skip();
    assert.ok(
      existsSync(join(repoRoot(), 'dist', 'renderer', 'app.js')),
      'dist/renderer is not built: run npm run build',
    );
    ({ network, app, bob, chrome } = await startAdaAndBob({
      label: 'uicam',
      appArgs: ['--fps', '10', '--source', 'camera:0'],
      bobArgs: ['--source', 'camera:0', '--resolution', '320x240', '--fps', '10'],
    }));
    page = await openAppPage(chrome, app.url, pageErrors, { locale: 'en-US' });
  });

  afterEach(async function () {
    const parts = { page, app, bob, pageErrors, screenshotPrefix: 'ui-camera-failure' };
    await reportFailure(this.currentTest, parts);
  });

  after(async function () {
    this.timeout(60_000);
    await stopEverything({ chrome, app, network });
  });

  it('a missing camera shows the plain message and the switch to the test pattern works', async () => {
    const trouble = page.locator('.tile-self .camera-trouble');
    await trouble.getByText("Your camera isn't available").waitFor({ timeout: 20_000 });
    await trouble.getByText('No camera was found on this computer.', { exact: false }).waitFor();
    assert.equal(await trouble.getAttribute('data-reason'), 'camera-not-found');
    // Nobody is told "Video on" while nothing is sent, and no native text reaches the page.
    assert.match((await videoButton().textContent()) ?? '', /No video/);
    const body = (await page.locator('body').textContent()) ?? '';
    assert.doesNotMatch(body, /OpenCV|VideoCapture|is unavailable|Waiting for video/);
    assert.equal(await page.locator('.toast').count(), 0, 'no toast: the tile says it');
    // The native words are in the node's log, and "Try again" opens the camera once more.
    const failures = (): number =>
      app?.stderr.lines.filter((line) => line.includes('"video source failed"')).length ?? 0;
    const before = failures();
    assert.ok(before >= 1, 'the failure is logged');
    assert.ok(app?.stderr.lines.some((line) => line.includes('camera 0 is unavailable')));
    await trouble.getByRole('button', { name: 'Try again' }).click();
    await app?.stderr.waitFor(
      (line) => line.includes('"video source failed"') && failures() > before,
      15_000,
      'a second failure',
    );
    await trouble.getByText("Your camera isn't available").waitFor();

    // Settings shows the same state, with the same way out.
    await page.keyboard.press('s');
    const settings = page.locator('.settings');
    await settings.locator('.camera-trouble', { hasText: "Your camera isn't available" }).waitFor();
    assert.equal(await settings.getByText('Others see you.').count(), 0);

    await trouble.getByRole('button', { name: 'Use test pattern' }).click();
    await frameAfter(page, '.tile-self', 0);
    await trouble.waitFor({ state: 'detached', timeout: 10_000 });
    await settings.locator('.camera-trouble').waitFor({ state: 'detached' });
    await settings.getByText('Others see you.').waitFor();
    assert.match((await videoButton().textContent()) ?? '', /Video on/);
    assert.equal(await settings.locator('select[data-setting="source"]').inputValue(), 'pattern');
  });

  it("shows Bob's failed camera as “Camera off”, at join and mid-call, never a frozen picture", async () => {
    await page.getByRole('tab', { name: 'Nearby' }).click();
    adaId = await inviteBob(page, bob);
    const tile = page.locator(`${bobTile()}[data-video="off"]`);
    await tile.getByText('Camera off').waitFor({ timeout: 20_000 });
    await tile.locator('.avatar').waitFor();

    bob.send({ cmd: 'set-source', source: 'pattern' });
    await frameAfter(page, bobTile(), 0);
    await page.locator(`${bobTile()}[data-video="live"]`).waitFor({ timeout: 10_000 });

    bob.send({ cmd: 'set-source', source: 'camera:7' });
    await tile.getByText('Camera off').waitFor({ timeout: 20_000 });
    assert.match((await page.locator(bobTile()).getAttribute('class')) ?? '', /no-picture/);
  });

  it("marks Bob's tile “Video paused” when his pictures stop without a word", async () => {
    bob.send({ cmd: 'set-source', source: 'pattern' });
    await page.locator(`${bobTile()}[data-video="live"]`).waitFor({ timeout: 20_000 });
    // Bob's capture process, frozen: no frames, no error, no state; his node stays in the call.
    const capture = Number(
      execFileSync('pgrep', ['-P', String(bob.pid), '-f', 'capture-worker'], { encoding: 'utf8' })
        .trim()
        .split('\n')[0],
    );
    assert.ok(capture > 0, 'found the capture process');
    process.kill(capture, 'SIGSTOP');
    try {
      const paused = page.locator(`${bobTile()}[data-video="paused"]`);
      await paused.getByText('Video paused').waitFor({ timeout: 15_000 });
    } finally {
      process.kill(capture, 'SIGCONT');
    }
    await page.locator(`${bobTile()}[data-video="live"]`).waitFor({ timeout: 15_000 });
  });

  it('tells Bob when our own source fails mid-call, and when it works again', async () => {
    const off = bob.waitForNext(
      'video-state',
      (e) => e.peer === adaId && e.enabled === false,
      20_000,
    );
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.locator('.settings').getByRole('button', { name: 'Choose a video file…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Choose a video file' });
    await dialog.getByLabel('Video file on this computer').fill('/nonexistent/holiday.mp4');
    await dialog.getByRole('button', { name: 'Use this file' }).click();
    await off;
    const trouble = page.locator('.tile-self .camera-trouble[data-reason="file-unavailable"]');
    await trouble.getByText("This video file can't be played").waitFor({ timeout: 10_000 });
    assert.doesNotMatch((await trouble.textContent()) ?? '', /nonexistent|OpenCV/);

    const on = bob.waitForNext('video-state', (e) => e.peer === adaId && e.enabled === true);
    await trouble.getByRole('button', { name: 'Use test pattern' }).click();
    await on;
    await trouble.waitFor({ state: 'detached', timeout: 10_000 });
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  });
});
