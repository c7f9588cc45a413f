import { HeadlessNode, stopAllNodes } from '../helpers/json-lines-process.js';
import { TestNetwork } from '../helpers/netns/hosts.js';
import { patternVideo } from '../helpers/snapshots.js';
import type { BenchRow } from './table.js';
import { percentile } from './table.js';

const MEASURE_MS = 10_000;
const WARMUP_FRAMES = 60;

/**
 * Capture → frame ready at the receiver, between two headless nodes in network
 * namespaces sending each other the test pattern at 640×480@30. Latency comes from the
 * capture time sealed inside each frame (the namespaces share one clock; the nodes also
 * correct for the offset they measure).
 */
export async function pipelineBench(): Promise<BenchRow[]> {
  const network = await TestNetwork.create(2, { label: 'bench-pipe' });
  try {
    const [hostA, hostB] = network.hosts;
    if (!hostA || !hostB) throw new Error('network has no hosts');
    const args = [...patternVideo('640x480', 30), '--frame-events'];
    const a = await HeadlessNode.start({ name: 'bench-a', host: hostA, extraArgs: args });
    const b = await HeadlessNode.start({
      name: 'bench-b',
      host: hostB,
      autoAccept: true,
      extraArgs: args,
    });
    await a.waitFor('peer-up', (e) => e.peer === b.id);
    a.send({ cmd: 'invite', peer: b.id });
    await a.waitFor('member-joined', (e) => e.peer === b.id, 15_000);
    await b.waitFor(
      'frame',
      () => b.count('frame', (e) => e.peer === a.id) >= WARMUP_FRAMES,
      20_000,
    );
    const startCount = b.count('frame', (e) => e.peer === a.id);
    const startedAt = Date.now();
    const endAt = startedAt + MEASURE_MS;
    await b.waitFor('frame', (e) => e.peer === a.id && Date.now() >= endAt, MEASURE_MS + 5000);
    const elapsed = Date.now() - startedAt;
    const frames = b.events.filter((e) => e.event === 'frame' && e.peer === a.id).slice(startCount);
    const latencies = frames
      .map((e) => e.latencyMs)
      .filter((value): value is number => typeof value === 'number');
    const fps = (frames.length * 1000) / elapsed;
    const p50 = percentile(latencies, 50);
    const p95 = percentile(latencies, 95);
    return [
      row('latency capture → ready, p50', p50, 'ms', '', null),
      row('latency capture → ready, p95', p95, 'ms', '≤ 50', p95 <= 50),
      row('delivered frame rate', fps, 'fps', '≥ 29', fps >= 29),
    ];
  } finally {
    await stopAllNodes();
    await network.close();
  }
}

function row(
  metric: string,
  value: number,
  unit: string,
  target: string,
  met: boolean | null,
): BenchRow {
  return { suite: 'pipeline', metric: `${metric}, 2 nodes, 640×480@30`, value, unit, target, met };
}
