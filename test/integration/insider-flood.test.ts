import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { NodeEvent } from '../helpers/json-lines-process.js';
import { HeadlessNode, repoRoot, stopAllNodes } from '../helpers/json-lines-process.js';
import { TestNetwork } from '../helpers/netns/hosts.js';

const ROUNDS = 40;
/** Between chat rounds: the flood runs ≥ 6 s, four times the 1.5 s that makes a member quiet. */
const ROUND_GAP_MS = 150;
const LATENCY_LIMIT_MS = 200;

/** Chat from `from` until `to` shows it, in ms; Infinity when it never arrives in 2 s. */
async function chatLatency(from: HeadlessNode, to: HeadlessNode, text: string): Promise<number> {
  const sent = performance.now();
  from.send({ cmd: 'chat', text });
  try {
    await to.waitFor('chat', (e) => e.text === text, 2_000);
    return performance.now() - sent;
  } catch {
    return Infinity;
  }
}

/** Events since event number `from` that mean `node` lost sight of `other` for a while. */
function drops(node: HeadlessNode, other: HeadlessNode, from: number): NodeEvent[] {
  return node.events
    .slice(from)
    .filter(
      (e) =>
        e.peer === other.id &&
        (e.event === 'member-left' || (e.event === 'member-state' && e.state !== 'connected')),
    );
}

describe('a member flooding forged chat batches (finding 4)', function () {
  this.timeout(120_000);
  let network: TestNetwork;
  let ada: HeadlessNode;
  let bob: HeadlessNode;
  let rogue: HeadlessNode;

  before(async () => {
    network = await TestNetwork.create(3, { label: 'flood' });
    [ada, bob, rogue] = await Promise.all([
      HeadlessNode.start({ name: 'Ada', host: network.hosts[0] }),
      HeadlessNode.start({ name: 'Bob', host: network.hosts[1], autoAccept: true }),
      HeadlessNode.start({
        name: 'Rogue',
        host: network.hosts[2],
        autoAccept: true,
        binPath: join(repoRoot(), 'dist', 'test', 'helpers', 'flooding-node.js'),
      }),
    ]);
    for (const other of [bob, rogue]) {
      await ada.waitFor('peer-up', (e) => e.peer === other.id, 10_000);
    }
  });

  after(async () => {
    await stopAllNodes();
    await network?.close();
  });

  it('the others stay connected and their chat arrives within 200 ms', async () => {
    ada.send({ cmd: 'invite', peer: bob.id });
    await ada.waitFor('member-joined', (e) => e.peer === bob.id, 15_000);
    ada.send({ cmd: 'invite', peer: rogue.id });
    await ada.waitFor('member-joined', (e) => e.peer === rogue.id, 15_000);
    await bob.waitFor('member-joined', (e) => e.peer === rogue.id, 15_000);
    // Everyone talks once before the flood, so the links have carried chat both ways.
    assert.ok(Number.isFinite(await chatLatency(ada, bob, 'before the flood')));

    const [adaFrom, bobFrom] = [ada.events.length, bob.events.length];
    process.kill(rogue.pid, 'SIGUSR2');
    await rogue.waitFor('flood-started');
    await rogue.waitFor('flood-sent', (e) => Number(e.batches) > 0, 5_000);

    const latencies: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const [from, to] = i % 2 === 0 ? [ada, bob] : [bob, ada];
      latencies.push(await chatLatency(from, to, `during the flood ${i}`));
      await new Promise((resolve) => setTimeout(resolve, ROUND_GAP_MS));
    }
    const sent = rogue.events.filter((e) => e.event === 'flood-sent').at(-1)?.batches;
    const worst = Math.max(...latencies);
    const summary = `worst ${worst.toFixed(0)} ms over ${ROUNDS} messages while the rogue sent ${String(sent)} forged batches; all: ${latencies.map((l) => l.toFixed(0)).join(' ')}`;
    process.stderr.write(`      flood: ${summary}\n`);

    assert.deepEqual(drops(ada, bob, adaFrom), [], 'Ada never lost Bob');
    assert.deepEqual(drops(bob, ada, bobFrom), [], 'Bob never lost Ada');
    assert.ok(worst < LATENCY_LIMIT_MS, summary);
  });
});
