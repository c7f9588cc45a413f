/**
 * The set-up every Chromium suite shares: a two-host namespaced LAN, Ada's app (browser
 * bridge) on one host, Bob's headless node on the other, and Chromium in Ada's namespace.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { HeadlessNode, repoRoot, stopAllNodes } from '../helpers/json-lines-process.js';
import { TestNetwork } from '../helpers/netns/hosts.js';
import { AppProcess } from './app-process.js';
import type { NamespacedBrowser } from './chromium-in-netns.js';
import { launchChromiumIn } from './chromium-in-netns.js';

export interface TwoNodes {
  network: TestNetwork;
  app: AppProcess;
  bob: HeadlessNode;
  chrome: NamespacedBrowser;
}

export async function startAdaAndBob(options: {
  label: string;
  appArgs: string[];
  bobArgs: string[];
  chromiumArgs?: string[];
}): Promise<TwoNodes> {
  const network = await TestNetwork.create(2, { label: options.label });
  const [hostA, hostB] = network.hosts;
  assert.ok(hostA && hostB);
  const started = await Promise.allSettled([
    AppProcess.start(hostA, 'Ada', options.appArgs),
    HeadlessNode.start({ name: 'Bob', host: hostB, autoAccept: true, extraArgs: options.bobArgs }),
  ]);
  const [app, bob] = started.map((result) => (result.status === 'fulfilled' ? result.value : null));
  try {
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    assert.ok(app instanceof AppProcess && bob instanceof HeadlessNode);
    const chrome = await launchChromiumIn(hostA, options.chromiumArgs);
    return { network, app, bob, chrome };
  } catch (err) {
    // The caller never gets these to close: end them here, then fail.
    await Promise.allSettled([app?.stop(), bob?.stop()]);
    await network.close();
    throw err;
  }
}

/**
 * A new page (its own context, 1280×800) on `url`, with its uncaught errors, its console
 * errors and any message it dropped from the node collected in `errors`.
 */
export async function openAppPage(
  chrome: NamespacedBrowser,
  url: string | null,
  errors: string[],
  options: BrowserContextOptions = {},
): Promise<Page> {
  const context = await chrome.browser.newContext({
    viewport: { width: 1280, height: 800 },
    ...options,
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() === 'error' || text.startsWith('meshcall: dropped')) errors.push(text);
  });
  if (url) await page.goto(url);
  return page;
}

/** The page (Ada's) invites Bob; resolves with Ada's id once Bob is in the call with her. */
export async function inviteBob(page: Page, bob: HeadlessNode): Promise<string> {
  await page.locator('li.peer', { hasText: 'Bob' }).waitFor({ timeout: 20_000 });
  const adaId = String((await bob.waitFor('peer-up', (e) => e.name === 'Ada', 20_000)).peer);
  await page.getByRole('button', { name: 'Invite Bob', exact: true }).click();
  await bob.waitFor(
    'call-joined',
    (e) => (e.members as { peer: string }[]).some((m) => m.peer === adaId),
    20_000,
  );
  return adaId;
}

/** Ends what a suite started, browser first; any part may be missing if its set-up failed. */
export async function stopEverything(parts: {
  chrome?: NamespacedBrowser | undefined;
  app?: AppProcess | undefined;
  network?: TestNetwork | undefined;
}): Promise<void> {
  await parts.chrome?.close();
  await parts.app?.stop();
  await stopAllNodes();
  await parts.network?.close();
}

/**
 * After a failed test: a screenshot of the page into test-output/ (named `prefix-<title>`,
 * when a prefix is given), the app's and Bob's last log lines, and the page's errors.
 */
export async function reportFailure(
  test: { state?: string | undefined; title: string } | undefined,
  parts: {
    page?: Page | undefined;
    app?: AppProcess | undefined;
    bob?: HeadlessNode | undefined;
    pageErrors: readonly string[];
    screenshotPrefix?: string;
  },
): Promise<void> {
  if (test?.state !== 'failed') return;
  if (parts.screenshotPrefix && parts.page) {
    const dir = join(repoRoot(), 'test-output');
    await mkdir(dir, { recursive: true });
    const name = (test.title.replace(/\W+/g, '-').slice(0, 60) || 'test').toLowerCase();
    const path = join(dir, `${parts.screenshotPrefix}-${name}.png`);
    await parts.page.screenshot({ path }).catch(() => {});
  }
  console.error(`  Ada (app) stderr, last lines:\n${parts.app?.stderrTail(25) ?? '(none)'}`);
  if (parts.bob) {
    console.error(
      `  Bob (headless) stderr, last lines:\n${parts.bob.stderrLines.slice(-25).join('\n')}`,
    );
  }
  if (parts.pageErrors.length > 0) console.error(`  page errors: ${parts.pageErrors.join(' | ')}`);
}
