/**
 * Issue #13 in a real Chromium: the name field in Settings, the chat's emoji picker, raised
 * hands after a reload, and errors in people's words. A = `meshcall app --web` with Chromium in
 * its namespace, B = the headless node "Bob" (auto-accepts).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { HeadlessNode } from '../helpers/json-lines-process.js';
import { repoRoot } from '../helpers/json-lines-process.js';
import type { TestNetwork } from '../helpers/netns/hosts.js';
import type { AppProcess } from './app-process.js';
import type { NamespacedBrowser } from './chromium-in-netns.js';
import {
  inviteBob,
  openAppPage,
  reportFailure,
  startAdaAndBob,
  stopEverything,
} from './two-nodes.js';

// The page's DOM as far as the probes use it (the root tsconfig has no DOM lib).
declare const document: {
  activeElement: { getAttribute(name: string): string | null } | null;
  querySelector(selector: string): { value: string } | null;
};

describe('name, emoji picker, hands after a reload and plain errors in Chromium', function () {
  this.timeout(120_000);
  let network: TestNetwork | undefined;
  let app: AppProcess | undefined;
  let bob: HeadlessNode;
  let chrome: NamespacedBrowser | undefined;
  let page: Page;
  let adaId = '';
  const pageErrors: string[] = [];
  const bobTile = (): string => `.tile-remote[data-peer="${bob.id}"]`;
  const focused = (): Promise<string | null> =>
    page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? null);
  /** Waits until the element named `label` has the focus (focus moves after a render). */
  const focusOn = async (label: string): Promise<void> => {
    await page
      .waitForFunction(
        (name) => document.activeElement?.getAttribute('aria-label') === name,
        label,
        {
          timeout: 5000,
        },
      )
      .catch(async () => assert.fail(`focus on ${String(await focused())}, not ${label}`));
  };

  before(async function () {
    assert.ok(
      existsSync(join(repoRoot(), 'dist', 'renderer', 'app.js')),
      'dist/renderer is not built: run npm run build',
    );
    ({ network, app, bob, chrome } = await startAdaAndBob({
      label: 'uiprof',
      appArgs: ['--fps', '5'],
      bobArgs: [],
    }));
    page = await openAppPage(chrome, app.url, pageErrors, { locale: 'en-US' });
    adaId = await inviteBob(page, bob);
    await page.locator(bobTile()).waitFor({ timeout: 20_000 });
  });

  afterEach(async function () {
    await reportFailure(this.currentTest, { page, app, bob, pageErrors, screenshotPrefix: 'prof' });
  });

  after(async function () {
    this.timeout(60_000);
    await stopEverything({ chrome, app, network });
  });

  it('renames us from Settings: checked as typed, told to Bob, kept across a reload', async () => {
    await page.getByRole('tab', { name: 'Settings' }).click();
    const field = page.getByRole('textbox', { name: 'Your name' });
    assert.equal(await field.inputValue(), 'Ada');
    const save = page.getByRole('button', { name: 'Save name' });
    assert.equal(await save.isDisabled(), true, 'nothing to save yet');
    await field.fill('   ');
    await page.getByText('Enter a name.').waitFor();
    assert.equal(await save.isDisabled(), true);
    await field.fill('x'.repeat(65));
    await page.getByText('Use at most 64 characters.').waitFor();
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    await field.fill('  Ada Lovelace ');
    const told = bob.waitForNext(
      'member-state',
      (e) => e.peer === adaId && e.name === 'Ada Lovelace',
      15_000,
    );
    await save.click();
    await told;
    await page.locator('.facts dd', { hasText: 'Ada Lovelace' }).waitFor();
    await page.reload();
    await page.getByRole('tab', { name: 'Settings' }).click();
    const again = page.getByRole('textbox', { name: 'Your name' });
    await page.waitForFunction(
      () => document.querySelector('[data-setting="name"]')?.value === 'Ada Lovelace',
      undefined,
      { timeout: 15_000 },
    );
    assert.equal(await again.inputValue(), 'Ada Lovelace');
  });

  it("shows Bob's raised hand again after a reload", async () => {
    bob.send({ cmd: 'hand', raised: true });
    await page.locator(`${bobTile()}[data-hand="true"]`).waitFor({ timeout: 10_000 });
    await page.reload();
    await page.locator(`${bobTile()}[data-hand="true"]`).waitFor({ timeout: 20_000 });
    await page.getByRole('tab', { name: /People/ }).click();
    await page.locator('.hand-badge', { hasText: 'Hand raised' }).first().waitFor();
    bob.send({ cmd: 'hand', raised: false });
    await page.locator(`${bobTile()}[data-hand="false"]`).waitFor({ timeout: 10_000 });
  });

  it('the emoji picker inserts at the caret and is run from the keyboard', async () => {
    await page.getByRole('tab', { name: /^Chat/ }).click();
    const box = page.getByRole('textbox', { name: 'Write a message' });
    await box.fill('Hello world');
    await box.press('Home');
    for (let i = 0; i < 5; i++) await box.press('ArrowRight');
    const opener = page.getByRole('button', { name: 'Insert an emoji' });
    await opener.click();
    const grid = page.getByRole('grid', { name: 'Emoji to insert' });
    await grid.waitFor();
    await focusOn('grinning face');
    await page.keyboard.press('ArrowDown');
    await focusOn('thumbs up');
    await page.keyboard.press('ArrowRight');
    await focusOn('thumbs down');
    await page.keyboard.press('ArrowRight');
    await focusOn('clapping hands');
    await page.keyboard.press('ArrowLeft');
    await focusOn('thumbs down');
    await page.keyboard.press('Enter');
    await grid.waitFor({ state: 'detached' });
    assert.equal(await box.inputValue(), 'Hello👎 world');
    // The caret stays after the emoji, in the box: typing goes on from there.
    await focusOn('Write a message');
    await page.keyboard.type('!');
    assert.equal(await box.inputValue(), 'Hello👎! world');

    await opener.click();
    await grid.waitFor();
    await page.keyboard.press('Escape');
    await grid.waitFor({ state: 'detached' });
    await focusOn('Insert an emoji');
    await page.getByRole('button', { name: 'Insert an emoji' }).click();
    await page.getByRole('button', { name: 'party popper' }).click();
    assert.equal(await box.inputValue(), 'Hello👎!🎉 world');
    await box.press('Enter');
    await bob.waitFor('chat', (e) => e.text === 'Hello👎!🎉 world' && e.from === adaId);
  });

  it('a failed Add by address says so in plain words, not the node’s', async () => {
    await page.getByRole('tab', { name: 'Nearby' }).click();
    const toasts = await page.locator('.toast[role="alert"]').count();
    await page.getByLabel('Host name or address').fill('127.0.0.1');
    await page.getByLabel('Port').fill('1');
    await page.getByRole('button', { name: 'Add peer' }).click();
    const toast = page.locator('.toast[role="alert"]').nth(toasts);
    await toast.waitFor({ timeout: 15_000 });
    const words = (await toast.textContent()) ?? '';
    assert.match(words, /Couldn't reach that computer\. Check the address and port/);
    assert.doesNotMatch(words, /ECONNREFUSED|127\.0\.0\.1:1|ERR_/);
  });
});
