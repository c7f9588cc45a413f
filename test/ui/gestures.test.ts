/**
 * Raise hand, reactions and the call clock in a real Chromium: A = `meshcall app --web` with
 * Chromium in its namespace, B = the headless node "Bob" (auto-accepts), which raises no
 * hand of its own but sends reactions with `{"cmd":"react"}`.
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

// The page's DOM as far as the clock probe uses it (the root tsconfig has no DOM lib).
declare const document: { querySelector(selector: string): { textContent: string | null } | null };

describe('raise hand, reactions and call time in Chromium (headless Bob)', function () {
  this.timeout(120_000);
  let network: TestNetwork | undefined;
  let app: AppProcess | undefined;
  let bob: HeadlessNode;
  let chrome: NamespacedBrowser | undefined;
  let page: Page;
  let adaId = '';
  const pageErrors: string[] = [];
  const bobTile = (): string => `.tile-remote[data-peer="${bob.id}"]`;

  before(async function () {
    assert.ok(
      existsSync(join(repoRoot(), 'dist', 'renderer', 'app.js')),
      'dist/renderer is not built: run npm run build',
    );
    ({ network, app, bob, chrome } = await startAdaAndBob({
      label: 'uigest',
      appArgs: ['--fps', '5'],
      bobArgs: [],
    }));
    page = await openAppPage(chrome, app.url, pageErrors, { locale: 'en-US' });
    adaId = await inviteBob(page, bob);
    await page.locator(bobTile()).waitFor({ timeout: 20_000 });
  });

  afterEach(async function () {
    await reportFailure(this.currentTest, { app, pageErrors });
  });

  after(async function () {
    this.timeout(60_000);
    await stopEverything({ chrome, app, network });
  });

  it("floats Bob's reaction over Bob's tile and tells screen readers", async () => {
    bob.send({ cmd: 'react', emoji: '👍' });
    const floating = page.locator(`${bobTile()} .tile-reaction`, { hasText: '👍' });
    await floating.waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('.tile-self .tile-reaction').count(), 0, 'only on his tile');
    const live = page.locator('[aria-live="polite"]', { hasText: 'Bob reacted: Thumbs up' });
    await live.waitFor({ timeout: 5000 });
    // It floats briefly, then goes.
    await floating.waitFor({ state: 'detached', timeout: 10_000 });
  });

  it('raises our hand from the button (Bob gets `hand`), shows it, and lowers it with H', async () => {
    const raised = bob.waitForNext('hand', (e) => e.peer === adaId && e.raised === true, 10_000);
    await page.getByRole('button', { name: 'Raise hand (H)' }).click();
    await raised;
    await page.getByRole('button', { name: 'Lower hand (H)', pressed: true }).waitFor();
    await page.locator('.tile-self[data-hand="true"] .tile-hand').waitFor();
    await page.getByRole('tab', { name: /People/ }).click();
    await page.locator('.member-self .hand-badge', { hasText: 'Hand raised' }).waitFor();

    const lowered = bob.waitForNext('hand', (e) => e.peer === adaId && e.raised === false, 10_000);
    await page.mouse.click(5, 400); // focus away from any text field, onto the page
    await page.keyboard.press('h');
    await lowered;
    await page.locator('.tile-self[data-hand="false"]').waitFor();
    assert.equal(await page.locator('.hand-badge').count(), 0);
  });

  it('lists the H shortcut in the shortcuts help', async () => {
    await page.getByRole('button', { name: 'Keyboard shortcuts (?)' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('row', { name: /H\s*Raise or lower your hand/ }).waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('sends a reaction from the reactions button: Bob gets it', async () => {
    const reaction = bob.waitForNext('reaction', (e) => e.peer === adaId, 10_000);
    await page.getByRole('button', { name: 'Send a reaction' }).click();
    await page
      .getByRole('group', { name: 'Reactions' })
      .getByRole('button', { name: 'Applause' })
      .click();
    assert.equal((await reaction).emoji, '👏');
    await page.locator('.tile-self .tile-reaction', { hasText: '👏' }).waitFor();
  });

  it('shows how long the call has lasted, and the clock advances', async () => {
    const clock = page.getByRole('timer', { name: 'Call duration' });
    const first = (await clock.textContent()) ?? '';
    assert.match(first, /^\d{2}:\d{2}$/);
    await page.waitForFunction(
      ([selector, before]) => {
        const text = document.querySelector(selector)?.textContent ?? '';
        return /^\d{2}:\d{2}$/.test(text) && text !== before;
      },
      ['.call-duration', first] as const,
      { timeout: 5000 },
    );
    const later = (await clock.textContent()) ?? '';
    const seconds = (text: string): number => {
      const [m, s] = text.split(':').map(Number);
      return (m ?? 0) * 60 + (s ?? 0);
    };
    assert.ok(seconds(later) > seconds(first), `${first} → ${later}`);
  });
});
