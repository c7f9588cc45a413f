import { HeadlessNode, stopAllNodes } from '../helpers/json-lines-process.js';
import { TestNetwork } from '../helpers/netns/hosts.js';
import type { BenchRow } from './table.js';
import { median, percentile } from './table.js';

const ROUNDS = 8;

/**
 * How long until a freshly started peer shows up in another node's list: from spawning
 * the process, and from its `ready` event; plus how fast a clean quit is noticed.
 */
export async function discoveryBench(): Promise<BenchRow[]> {
  const network = await TestNetwork.create(2, { label: 'bench-disc' });
  const fromSpawn: number[] = [];
  const fromReady: number[] = [];
  const goodbye: number[] = [];
  try {
    const [hostA, hostB] = network.hosts;
    if (!hostA || !hostB) throw new Error('network has no hosts');
    const a = await HeadlessNode.start({ name: 'watcher', host: hostA });
    for (let round = 0; round < ROUNDS; round++) {
      const spawnedAt = Date.now();
      const b = await HeadlessNode.start({ name: `fresh-${round}`, host: hostB });
      const readyAt = Date.now();
      await a.waitFor('peer-up', (e) => e.peer === b.id, 10_000);
      const seenAt = Date.now();
      fromSpawn.push(seenAt - spawnedAt);
      fromReady.push(seenAt - readyAt);
      const quitAt = Date.now();
      await b.stop();
      await a.waitFor('peer-down', (e) => e.peer === b.id, 15_000);
      goodbye.push(Date.now() - quitAt);
    }
  } finally {
    await stopAllNodes();
    await network.close();
  }
  const p95Spawn = percentile(fromSpawn, 95);
  return [
    row(
      'fresh peer visible, from process spawn (median)',
      median(fromSpawn),
      '≤ 1500',
      median(fromSpawn) <= 1500,
    ),
    row('fresh peer visible, from process spawn (p95)', p95Spawn, '≤ 1500', p95Spawn <= 1500),
    row('fresh peer visible, from its ready event (median)', median(fromReady), '', null),
    row('peer gone after clean quit (median)', median(goodbye), '', null),
  ];
}

function row(metric: string, value: number, target: string, met: boolean | null): BenchRow {
  return {
    suite: 'discovery',
    metric: `${metric}, ${ROUNDS} rounds`,
    value,
    unit: 'ms',
    target,
    met,
  };
}
