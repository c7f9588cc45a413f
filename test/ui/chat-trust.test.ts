/**
 * The chat and the safety-code checks as Meet and Zoom users expect them (issue #13), in a
 * real Chromium against real nodes: Ada = `meshcall app --web`, Bob and Carol = headless
 * nodes that auto-accept, each on its own host of one namespaced LAN.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { HeadlessNode } from '../helpers/json-lines-process.js';
import { HeadlessNode as Node, repoRoot } from '../helpers/json-lines-process.js';
import { TestNetwork } from '../helpers/netns/hosts.js';
import { AppProcess } from './app-process.js';
import type { NamespacedBrowser } from './chromium-in-netns.js';
import { launchChromiumIn } from './chromium-in-netns.js';
import { reportFailure, stopEverything } from './two-nodes.js';

/** renderer/state/chat.ts: how much older than our joining a message may be and be news. */
const UNREAD_CLOCK_SLACK_MS = 2000;

describe('chat and safety codes in Chromium (three nodes, namespaced LAN)', function () {
  this.timeout(120_000);
  let network: TestNetwork | undefined;
  let app: AppProcess | undefined;
  let bob: HeadlessNode;
  let carol: HeadlessNode;
  let chrome: NamespacedBrowser | undefined;
  let page: Page;
  let adaId = '';
  const pageErrors: string[] = [];
  /** Every text frame the node sent the page, to know what reached it while a panel is hidden. */
  const received: string[] = [];
  const frameWaiters = new Set<{ part: string; resolve: () => void }>();

  function onFrame(payload: string): void {
    received.push(payload);
    for (const waiter of frameWaiters) {
      if (payload.includes(waiter.part)) {
        frameWaiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  /** Resolves once the page received a frame containing `part` (already or later). */
  function pageReceived(part: string, timeoutMs = 15_000): Promise<void> {
    if (received.some((frame) => frame.includes(part))) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = { part, resolve: () => (clearTimeout(timer), resolve()) };
      const timer = setTimeout(() => {
        frameWaiters.delete(waiter);
        reject(new Error(`the page never received ${part}`));
      }, timeoutMs);
      frameWaiters.add(waiter);
    });
  }

  before(async function () {
    assert.ok(
      existsSync(join(repoRoot(), 'dist', 'renderer', 'app.js')),
      'dist/renderer is not built: run npm run build',
    );
    network = await TestNetwork.create(3, { label: 'chat' });
    const [hostA, hostB, hostC] = network.hosts;
    assert.ok(hostA && hostB && hostC);
    [app, bob, carol] = await Promise.all([
      AppProcess.start(hostA, 'Ada', ['--fps', '5']),
      Node.start({ name: 'Bob', host: hostB, autoAccept: true }),
      Node.start({ name: 'Carol', host: hostC, autoAccept: true }),
    ]);
    chrome = await launchChromiumIn(hostA);
    const context = await chrome.browser.newContext({
      locale: 'en-US',
      viewport: { width: 1280, height: 800 },
      reducedMotion: 'reduce',
    });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('websocket', (socket) => {
      socket.on('framereceived', ({ payload }) => {
        if (typeof payload === 'string') onFrame(payload);
      });
    });
  });

  afterEach(async function () {
    const parts = { page, app, pageErrors, screenshotPrefix: 'chat-failure' };
    await reportFailure(this.currentTest, parts);
  });

  after(async function () {
    this.timeout(60_000);
    await stopEverything({ chrome, app, network });
  });

  it('explains the New badge and labels safety codes', async () => {
    assert.ok(app);
    await page.goto(app.url);
    const card = page.locator('li.peer', { hasText: 'Bob' });
    await card.waitFor({ timeout: 15_000 });
    adaId = String((await bob.waitFor('peer-up', (e) => e.name === 'Ada', 15_000)).peer);
    await carol.waitFor('peer-up', (e) => e.peer === adaId, 15_000);
    await bob.waitFor('peer-up', (e) => e.peer === carol.id, 15_000);
    const badge = card.locator('.badge');
    assert.equal(await badge.textContent(), 'New');
    assert.match((await badge.getAttribute('aria-description')) ?? '', /compare the safety code/);
    assert.match((await card.locator('.safety-code').getAttribute('title')) ?? '', /compare it/);
  });

  it('history written before we joined shows, but is not counted as unread', async () => {
    carol.send({ cmd: 'invite', peer: bob.id });
    await bob.waitFor('call-joined');
    carol.send({ cmd: 'chat', text: 'Written before Ada came' });
    const written = await bob.waitFor('chat', (e) => e.text === 'Written before Ada came');
    // The page counts as news what was written up to 2 s before it joined (authors' clocks
    // differ): let this message be older than that, which is what this test is about.
    const older = Number(written.ts) + 2 * UNREAD_CLOCK_SLACK_MS - Date.now();
    if (older > 0) await new Promise((resolve) => setTimeout(resolve, older));
    bob.send({ cmd: 'invite', peer: adaId });
    await page.getByRole('button', { name: "Accept Bob's invite" }).click();
    await page.getByRole('tab', { name: 'People' }).waitFor();
    await pageReceived('Written before Ada came');
    bob.send({ cmd: 'chat', text: 'Welcome, Ada' });
    await pageReceived('Welcome, Ada');
    await page.getByRole('tab', { name: 'Chat, 1 unread' }).waitFor();
    await page.getByRole('tab', { name: 'Chat, 1 unread' }).click();
    const log = page.getByRole('log', { name: 'Chat messages' });
    await log.getByText('Written before Ada came').waitFor();
    await log.getByText('Welcome, Ada').waitFor();
  });

  it('makes http(s) links clickable, opening outside; never renders HTML', async () => {
    bob.send({
      cmd: 'chat',
      text: 'Docs: https://example.com/guide. Not: javascript:alert(1) <img src=x onerror=alert(2)>',
    });
    const log = page.getByRole('log', { name: 'Chat messages' });
    const link = log.getByRole('link', { name: 'https://example.com/guide' });
    await link.waitFor();
    assert.equal(await link.getAttribute('href'), 'https://example.com/guide');
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
    assert.equal(await log.getByRole('link').count(), 1, 'javascript: stays text');
    assert.equal(await log.locator('img').count(), 0);
    await log.getByText(/<img src=x onerror=alert\(2\)>/).waitFor();
  });

  it('counts characters near the limit and holds back what is too long', async () => {
    const composer = page.getByLabel('Write a message');
    const counter = page.locator('.composer-counter');
    await composer.fill('x'.repeat(3499));
    assert.equal(await counter.count(), 0, 'no counter far from the limit');
    await composer.fill('x'.repeat(3600));
    await counter.getByText('400 characters left').waitFor();
    await composer.fill('y'.repeat(4010));
    await counter.getByText(/^10 characters over the limit/).waitFor();
    const send = page.getByRole('button', { name: 'Send message' });
    assert.equal(await send.isDisabled(), true);
    await composer.press('Enter');
    assert.equal((await composer.inputValue()).length, 4010, 'nothing sent, nothing cut');
    await composer.press('Backspace');
    await composer.fill('z'.repeat(4000));
    await counter.getByText('0 characters left').waitFor();
    await composer.press('Enter');
    const sent = await bob.waitFor('chat', (e) => e.from === adaId && String(e.text).length > 3000);
    assert.equal(String(sent.text), 'z'.repeat(4000));
  });

  it('un-verifies a verified member; "They differ" warns and offers to leave', async () => {
    await page.getByRole('tab', { name: 'People' }).click();
    const member = page.locator(`li.member[data-peer="${bob.id}"]`);
    await member.getByText('Safety code — compare it with theirs').waitFor();
    await page.getByRole('button', { name: 'Mark Bob verified' }).click();
    await page.getByRole('alertdialog', { name: 'Verify Bob' }).waitFor();
    await page.getByRole('button', { name: 'The codes match: mark Bob verified' }).click();
    await member.getByText('Verified', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Remove the verified mark from Bob' }).click();
    await page.getByRole('button', { name: 'Mark Bob verified' }).click();

    await page.getByRole('button', { name: 'They differ' }).click();
    const warning = page.getByRole('alertdialog', { name: 'The safety codes differ' });
    await warning.waitFor();
    assert.match((await warning.textContent()) ?? '', /in the middle.*intercepting/);
    await warning.getByRole('button', { name: 'Stay in the call' }).click();
    await warning.waitFor({ state: 'detached' });
    assert.equal(await member.getByText('Verified', { exact: true }).count(), 0);

    await page.getByRole('button', { name: 'Mark Bob verified' }).click();
    await page.getByRole('button', { name: 'They differ' }).click();
    await warning.getByRole('button', { name: 'Leave the call' }).click();
    await bob.waitFor('member-left', (e) => e.peer === adaId);
  });

  it("keeps the ended call's chat: read-only, exportable, until closed", async () => {
    await page.getByRole('tab', { name: 'Chat' }).click();
    const log = page.getByRole('log', { name: 'Chat messages' });
    await log.getByText('Welcome, Ada').waitFor();
    await page.getByText('This call has ended. Its chat stays here until you close it').waitFor();
    const composer = page.getByLabel('Write a message');
    assert.equal(await composer.isDisabled(), true);
    await page.getByText('The call has ended: no more messages can be sent.').waitFor();

    await page.getByRole('button', { name: 'Export chat to a file' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export chat' });
    await dialog.getByRole('radio', { name: 'Plain text' }).check();
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 10_000 }),
      dialog.getByRole('button', { name: 'Export', exact: true }).click(),
    ]);
    const text = await readFile(await download.path(), 'utf8');
    assert.match(text, /\] Carol: Written before Ada came$/m);
    assert.match(text, /\] Bob: Welcome, Ada$/m);

    // A reload out of the call shows it again: the node keeps the last call's chat.
    await page.reload();
    await page.getByRole('tab', { name: /^Chat/ }).click();
    await log.getByText('Welcome, Ada').waitFor({ timeout: 15_000 });
    await page.getByText('This call has ended. Its chat stays here until you close it').waitFor();

    await page.getByRole('button', { name: 'Close the chat of the ended call' }).click();
    await page.getByRole('tab', { name: /^Chat/ }).waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'Ready when you are' }).waitFor();
  });

  it('says in the Leave dialog that the chat stays', async () => {
    bob.send({ cmd: 'invite', peer: adaId });
    // Bob writes once his link to Ada is up: what this test reads is the Leave dialog.
    const joined = bob.waitForNext('member-joined', (e) => e.peer === adaId);
    await page.getByRole('button', { name: "Accept Bob's invite" }).click();
    await page.getByRole('tab', { name: 'People' }).waitFor();
    await joined;
    bob.send({ cmd: 'chat', text: 'A second call' });
    await page.getByRole('tab', { name: 'Chat, 1 unread' }).waitFor();
    await page.keyboard.press('l');
    const confirm = page.getByRole('alertdialog', { name: 'Leave the call?' });
    await confirm.waitFor();
    assert.match((await confirm.textContent()) ?? '', /The chat stays here until you close it/);
    await confirm.getByRole('button', { name: 'Leave', exact: true }).click();
    await page.getByRole('tab', { name: /^Chat/ }).waitFor();
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  });
});
