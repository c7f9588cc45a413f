/**
 * Invites that are hard to miss (issue #13), in a real Chromium against real nodes: Ada =
 * `meshcall app --web`, Bob = a headless node that auto-accepts (when in no call), Carol = a
 * headless node that answers only when told, each on its own host of one namespaced LAN.
 * Call waiting, the caller taking an invite back, who else is in the call, no accepting by
 * Enter, the ring and the Sounds switch.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { HeadlessNode } from '../helpers/json-lines-process.js';
import { HeadlessNode as Node, repoRoot } from '../helpers/json-lines-process.js';
import { TestNetwork } from '../helpers/netns/hosts.js';
import { AppProcess } from './app-process.js';
import type { NamespacedBrowser } from './chromium-in-netns.js';
import { launchChromiumIn } from './chromium-in-netns.js';
import { reportFailure, stopEverything } from './two-nodes.js';

const MS = 20_000;

/** The page's document, as the functions evaluated in it use it. */
declare const document: { title: string; hasFocus: () => boolean };
declare const window: unknown;
/** The page's count of synthesized notes (COUNT_OSCILLATORS). */
interface Chimes {
  __oscillators: number;
}

/** Counts the oscillators the page makes: every synthesized note is one. */
const COUNT_OSCILLATORS = `
  window.__oscillators = 0;
  const original = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function () {
    window.__oscillators += 1;
    return original.call(this);
  };
`;

describe('invites in Chromium: call waiting, cancelling, ringing (three nodes)', function () {
  this.timeout(120_000);
  let network: TestNetwork | undefined;
  let app: AppProcess | undefined;
  let bob: HeadlessNode;
  let carol: HeadlessNode;
  let chrome: NamespacedBrowser | undefined;
  let page: Page;
  let adaId = '';
  const pageErrors: string[] = [];

  const oscillators = (): Promise<number> => page.evaluate<number>('window.__oscillators');
  const dialogNamed = (name: string): ReturnType<Page['getByRole']> =>
    page.getByRole('alertdialog', { name });

  before(async function () {
    assert.ok(
      existsSync(join(repoRoot(), 'dist', 'renderer', 'app.js')),
      'dist/renderer is not built: run npm run build',
    );
    network = await TestNetwork.create(3, { label: 'uiinv' });
    const [hostA, hostB, hostC] = network.hosts;
    assert.ok(hostA && hostB && hostC);
    [app, bob, carol] = await Promise.all([
      AppProcess.start(hostA, 'Ada', ['--fps', '5']),
      Node.start({ name: 'Bob', host: hostB, autoAccept: true }),
      Node.start({ name: 'Carol', host: hostC }),
    ]);
    // No click happens before the first ring: let the page play sound without one.
    chrome = await launchChromiumIn(hostA, ['--autoplay-policy=no-user-gesture-required']);
    const context = await chrome.browser.newContext({
      locale: 'en-US',
      viewport: { width: 1280, height: 800 },
      reducedMotion: 'reduce',
    });
    await context.addInitScript({ content: COUNT_OSCILLATORS });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(app.url);
    await page.locator('li.peer', { hasText: 'Bob' }).waitFor({ timeout: MS });
    await page.locator('li.peer', { hasText: 'Carol' }).waitFor({ timeout: MS });
    adaId = String((await bob.waitFor('peer-up', (e) => e.name === 'Ada', MS)).peer);
    await carol.waitFor('peer-up', (e) => e.peer === adaId, MS);
    await bob.waitFor('peer-up', (e) => e.peer === carol.id, MS);
  });

  afterEach(async function () {
    const parts = { page, app, bob, pageErrors, screenshotPrefix: 'invites-failure' };
    await reportFailure(this.currentTest, parts);
  });

  after(async function () {
    this.timeout(60_000);
    await stopEverything({ chrome, app, network });
  });

  it('the invite rings, shows who else is in the call, and Enter does not accept it', async () => {
    bob.send({ cmd: 'invite', peer: carol.id });
    const invite = await carol.waitFor('invite', (e) => e.from === bob.id, MS);
    carol.send({ cmd: 'accept', call: invite.call });
    await bob.waitFor('member-joined', (e) => e.peer === carol.id, MS);

    bob.send({ cmd: 'invite', peer: adaId });
    const dialog = dialogNamed('Bob invites you to a call');
    await dialog.waitFor({ timeout: MS });
    await dialog.getByText('Bob says Carol is in this call').waitFor();
    await page.waitForFunction('window.__oscillators > 0', undefined, { timeout: MS });
    const focused = await page.evaluate('document.activeElement?.getAttribute("aria-label")');
    assert.notEqual(focused, "Accept Bob's invite", 'focus is not on Accept');

    // Away from the page (Chromium under test always reports focus): the title flashes.
    const title = await page.title();
    await page.evaluate(() => {
      document.hasFocus = () => false;
    });
    const titled = (wanted: string): Promise<unknown> =>
      page.waitForFunction((text) => document.title === text, wanted, { timeout: MS });
    await titled('📞 Bob is calling');
    await titled(title);
    await page.evaluate(() => {
      Reflect.deleteProperty(document, 'hasFocus');
    });

    await page.keyboard.press('Enter');
    assert.equal(await dialog.isVisible(), true, 'Enter left the invite open');
    // Had Enter accepted, this decline would find no invite (and Bob a new member).
    await dialog.getByRole('button', { name: "Decline Bob's invite" }).click();
    await bob.waitFor('invite-declined', (e) => e.peer === adaId, MS);
    await dialog.waitFor({ state: 'detached' });
    assert.equal(
      bob.count('member-joined', (e) => e.peer === adaId),
      0,
    );
    assert.equal(await page.title(), title, 'the title is back once the invite is answered');
  });

  it('the caller cancels: the prompt disappears with a plain message', async () => {
    bob.send({ cmd: 'invite', peer: adaId });
    const dialog = dialogNamed('Bob invites you to a call');
    await dialog.waitFor({ timeout: MS });
    bob.send({ cmd: 'cancel-invite', peer: adaId });
    await bob.waitFor('invite-withdrawn', (e) => e.peer === adaId, MS);
    await dialog.waitFor({ state: 'detached', timeout: MS });
    await page.getByText('Bob cancelled the invite.').waitFor({ timeout: MS });
  });

  it("the caller's Calling… tile has Cancel, which takes the invite back", async () => {
    // Carol is in Bob's call: Ada's invite waits there for her answer.
    await page.getByRole('button', { name: 'Invite Carol', exact: true }).click();
    const invite = await carol.waitFor('invite', (e) => e.from === adaId, MS);
    const stage = page.getByRole('region', { name: 'Call', exact: true });
    await stage.getByText('Calling Carol…').waitFor({ timeout: MS });
    await stage.getByRole('button', { name: 'Cancel the invite to Carol' }).click();
    await carol.waitFor('invite-cancelled', (e) => e.call === invite.call, MS);
    await page.getByRole('button', { name: 'Invite Carol', exact: true }).waitFor({ timeout: MS });
    assert.equal(await stage.count(), 0, 'the empty call ended');
  });

  it('a busy invite shows call waiting: decline tells the caller, accept leaves and joins', async () => {
    bob.send({ cmd: 'leave' });
    await carol.waitFor('call-ended', undefined, MS);
    await page.getByRole('button', { name: 'Invite Bob', exact: true }).click();
    await bob.waitFor(
      'call-joined',
      (e) => (e.members as { peer: string }[]).some((m) => m.peer === adaId),
      MS,
    );

    carol.send({ cmd: 'invite', peer: adaId });
    const waiting = dialogNamed('Call waiting: Carol is calling');
    await waiting.waitFor({ timeout: MS });
    await waiting.getByText('Accepting leaves the call you are in.').waitFor();
    await waiting.getByRole('button', { name: "Decline Carol's invite" }).click();
    const declined = await carol.waitFor('invite-declined', (e) => e.peer === adaId, MS);
    assert.equal(declined.reason, 'declined');
    await waiting.waitFor({ state: 'detached' });
    assert.equal(
      bob.count('member-left', (e) => e.peer === adaId),
      0,
      'Ada stayed',
    );

    carol.send({ cmd: 'invite', peer: adaId });
    await waiting.waitFor({ timeout: MS });
    await waiting.getByRole('button', { name: "Accept Carol's invite" }).click();
    const left = await bob.waitFor('member-left', (e) => e.peer === adaId, MS);
    assert.equal(left.reason, 'left', 'Bob got a bye');
    await carol.waitFor('member-joined', (e) => e.peer === adaId, MS);
    await page.locator(`.tile-remote[data-peer="${carol.id}"]`).waitFor({ timeout: MS });
    assert.equal(await page.locator(`.tile-remote[data-peer="${bob.id}"]`).count(), 0);
  });

  it('chimes when someone joins the call, and again when they leave', async () => {
    // Two notes each: a rising pair as Bob joins, a falling pair as he leaves. Ada calls, so
    // nothing rings in her page.
    const notesAfter = (count: number): Promise<unknown> =>
      page.waitForFunction((n) => (window as Chimes).__oscillators === n, count, {
        timeout: MS,
      });
    const before = await oscillators();
    await page.getByRole('tab', { name: 'Nearby' }).click();
    await page.getByRole('button', { name: 'Invite Bob', exact: true }).click();
    await page.locator(`.tile-remote[data-peer="${bob.id}"]`).waitFor({ timeout: MS });
    await notesAfter(before + 2);
    bob.send({ cmd: 'leave' });
    await page.locator(`.tile-remote[data-peer="${bob.id}"]`).waitFor({ state: 'detached' });
    await notesAfter(before + 4);
  });

  it('Settings → Sounds off is kept across a reload, and an invite then stays silent', async () => {
    await page.getByRole('tab', { name: 'Settings' }).click();
    const sounds = page.getByRole('switch', { name: 'Sounds' });
    assert.equal(await sounds.getAttribute('aria-checked'), 'true');
    await sounds.click();
    assert.equal(await sounds.getAttribute('aria-checked'), 'false');
    await page.reload();
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByRole('switch', { name: 'Sounds', checked: false }).waitFor({ timeout: MS });

    const before = await oscillators();
    bob.send({ cmd: 'invite', peer: adaId });
    const waiting = dialogNamed('Call waiting: Bob is calling');
    await waiting.waitFor({ timeout: MS });
    // The ring starts as the prompt renders; a frame later it would have made its notes.
    await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => resolve(null)))');
    assert.equal(await oscillators(), before, 'no ring with Sounds off');
    await waiting.getByRole('button', { name: "Decline Bob's invite" }).click();
    await bob.waitFor('invite-declined', (e) => e.peer === adaId, MS);
  });
});
