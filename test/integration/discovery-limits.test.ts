/**
 * Discovery keeps a bounded list of adverts (issue 9, finding 7): anyone on the LAN can
 * announce as many as they like, and each would be listed and dialed. Real mDNS between
 * namespaces: rogue processes flood adverts, a headless node watches (debug log for drops).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { toBase64 } from '../../crypto/index.js';
import { ADVERT_LIMITS } from '../../p2p/discovery/discovery.js';
import { seededIdentity } from '../helpers/crypto-fixtures.js';
import { HeadlessNode, repoRoot, stopAllNodes } from '../helpers/json-lines-process.js';
import { LineCollector, stopChild } from '../helpers/lines.js';
import { TestNetwork, type TestHost } from '../helpers/netns/hosts.js';
import { waitUntil } from '../helpers/wait.js';

const ROGUE = (): string => path.join(repoRoot(), 'dist', 'test', 'helpers', 'rogue-node.js');

describe('discovery limits (real mDNS between namespaces)', function () {
  this.timeout(90_000);
  let network: TestNetwork;
  let observer: HeadlessNode;

  before(async () => {
    network = await TestNetwork.create(3, { label: 'adverts' });
  });
  after(async () => {
    await stopAllNodes();
    await network.close();
  });
  beforeEach(async () => {
    observer = await HeadlessNode.start({
      name: 'Watcher',
      host: host(0),
      extraArgs: ['--log-level', 'debug'],
    });
  });
  afterEach(() => observer.stop());

  function host(index: number): TestHost {
    const found = network.hosts[index];
    assert.ok(found, `no host ${index}`);
    return found;
  }

  async function startFlood(on: TestHost, args: string[]): Promise<() => Promise<void>> {
    const rogue = on.spawn(process.execPath, [ROGUE(), '--mode', 'flood', ...args]);
    const out = new LineCollector(rogue.stdout!, 'flood');
    await out.waitFor((line) => line.includes('"ready"'), 10_000, 'flood ready');
    return () => stopChild(rogue);
  }

  function dropped(kind: string): number {
    const pattern = new RegExp(`over the limit.*${kind}`);
    return observer.stderrLines.filter((line) => pattern.test(line)).length;
  }

  async function listed(): Promise<{ peer: string; host: string }[]> {
    observer.send({ cmd: 'peers' });
    const { peers } = await observer.waitForNext('peers');
    return peers as { peer: string; host: string }[];
  }

  it('keeps at most a few adverts per source address', async () => {
    const count = ADVERT_LIMITS.perSource + 12;
    const stop = await startFlood(host(1), ['--count', String(count), '--name', 'stranger']);
    try {
      await waitUntil(() => dropped('per source') >= count - ADVERT_LIMITS.perSource, {
        timeoutMs: 20_000,
        intervalMs: 50,
        message: 'adverts beyond the per-source bound dropped',
      });
      const fromRogue = (await listed()).filter((peer) => peer.host === host(1).address);
      assert.equal(fromRogue.length, ADVERT_LIMITS.perSource);
    } finally {
      await stop();
    }
  });

  it('keeps at most a few adverts per peer id', async () => {
    const victimKey = toBase64(seededIdentity(42).publicKey);
    // Two sources, each under its own bound, together over the bound for one id.
    const copies = ADVERT_LIMITS.perId - 1;
    const stops = [
      await startFlood(host(1), ['--count', String(copies), '--victim-key', victimKey]),
      await startFlood(host(2), ['--count', String(copies), '--victim-key', victimKey]),
    ];
    try {
      await waitUntil(() => dropped('per id') >= 2 * copies - ADVERT_LIMITS.perId, {
        timeoutMs: 20_000,
        intervalMs: 50,
        message: 'copies beyond the per-id bound dropped',
      });
      assert.equal((await listed()).length, 1);
    } finally {
      for (const stop of stops) await stop();
    }
  });
});
