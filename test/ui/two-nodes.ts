/**
 * The set-up every Chromium suite shares: a two-host namespaced LAN, Ada's app (browser
 * bridge) on one host, Bob's headless node on the other, and Chromium in Ada's namespace.
 */
import assert from 'node:assert/strict';
import { HeadlessNode } from '../helpers/json-lines-process.js';
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
