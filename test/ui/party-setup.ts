/**
 * The watch party's page set-up, shared by its UI test and its benchmark: a three-host
 * namespaced LAN with two app nodes (Ada, Cleo; browser bridge) each watched by a Chromium in
 * its own namespace, and Bob, a headless node that streams and holds the remote. Ada calls
 * Bob; Bob brings Cleo in and she accepts in her page.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { HeadlessNode, stopAllNodes } from '../helpers/json-lines-process.js';
import { TestNetwork } from '../helpers/netns/hosts.js';
import { patternVideo } from '../helpers/snapshots.js';
import { AppProcess } from './app-process.js';
import type { NamespacedBrowser } from './chromium-in-netns.js';
import { launchChromiumIn } from './chromium-in-netns.js';
import { inviteBob, openAppPage } from './two-nodes.js';

const run = promisify(execFile);
/** The viewers' film starts with sound and without a click, as a page would after one. */
const AUTOPLAY = ['--autoplay-policy=no-user-gesture-required'];

export async function ffmpeg(args: string[]): Promise<void> {
  await run('ffmpeg', ['-loglevel', 'error', '-y', ...args], { maxBuffer: 1 << 20 });
}

export interface WatchParty {
  network: TestNetwork;
  ada: AppProcess;
  cleo: AppProcess;
  bob: HeadlessNode;
  adaId: string;
  pageA: Page;
  pageC: Page;
  /** Uncaught page errors and messages the pages dropped. */
  pageErrors: string[];
  /** Everything's last log lines, for a failure message. */
  logs(): string;
  close(): Promise<void>;
}

export async function startWatchParty(label: string): Promise<WatchParty> {
  const network = await TestNetwork.create(3, { label });
  const browsers: NamespacedBrowser[] = [];
  const apps: AppProcess[] = [];
  const close = async (): Promise<void> => {
    await Promise.allSettled(browsers.map((browser) => browser.close()));
    await Promise.allSettled(apps.map((app) => app.stop()));
    await stopAllNodes();
    await network.close();
  };
  try {
    const [hostA, hostC, hostB] = network.hosts;
    assert.ok(hostA && hostC && hostB);
    const started = await Promise.all([
      AppProcess.start(hostA, 'Ada'),
      AppProcess.start(hostC, 'Cleo'),
      HeadlessNode.start({
        name: 'Bob',
        host: hostB,
        autoAccept: true,
        extraArgs: patternVideo('320x240', 15),
      }),
    ]);
    const [ada, cleo, bob] = started;
    apps.push(ada, cleo);
    for (const host of [hostA, hostC]) browsers.push(await launchChromiumIn(host, AUTOPLAY));
    const pageErrors: string[] = [];
    const open = async (browser: NamespacedBrowser | undefined, url: string): Promise<Page> => {
      assert.ok(browser);
      return openAppPage(browser, url, pageErrors);
    };
    const [pageA, pageC] = await Promise.all([
      open(browsers[0], ada.url),
      open(browsers[1], cleo.url),
    ]);
    const adaId = await inviteBob(pageA, bob);
    const cleoId = String((await bob.waitFor('peer-up', (e) => e.name === 'Cleo', 20_000)).peer);
    bob.send({ cmd: 'invite', peer: cleoId });
    await pageC.getByRole('button', { name: "Accept Bob's invite" }).click({ timeout: 20_000 });
    for (const page of [pageA, pageC]) {
      await page.locator(`.tile-remote[data-peer="${bob.id}"]`).waitFor({ timeout: 20_000 });
    }
    const logs = (): string =>
      [
        `  Ada stderr:\n${ada.stderrTail(15)}`,
        `  Cleo stderr:\n${cleo.stderrTail(15)}`,
        `  Bob stderr:\n${bob.stderrLines.slice(-15).join('\n')}`,
      ].join('\n');
    return { network, ada, cleo, bob, adaId, pageA, pageC, pageErrors, logs, close };
  } catch (error) {
    await close();
    throw error;
  }
}
