import { HeadlessNode, stopAllNodes } from '../helpers/json-lines-process.js';
import { TestNetwork } from '../helpers/netns/hosts.js';
import { patternVideo } from '../helpers/snapshots.js';
import type { BenchRow } from './table.js';
import { median, percentile } from './table.js';

const MEASURE_MS = 10_000;

/** Starts `count` nodes in namespaces, A invites everyone, waits for the full mesh. */
async function mesh(network: TestNetwork, count: number, args: string[]): Promise<HeadlessNode[]> {
  const nodes = await Promise.all(
    network.hosts.slice(0, count).map((host, i) =>
      HeadlessNode.start({
        name: `bench-${i}`,
        host,
        autoAccept: i > 0,
        extraArgs: [...args, '--frame-events'],
      }),
    ),
  );
  const [first, ...rest] = nodes;
  if (!first) throw new Error('no nodes');
  for (const node of rest) {
    await first.waitFor('peer-up', (e) => e.peer === node.id, 10_000);
    first.send({ cmd: 'invite', peer: node.id });
  }
  // Everyone receives frames from everyone: the mesh is complete and video flows.
  for (const viewer of nodes) {
    for (const sender of nodes) {
      if (sender === viewer) continue;
      await viewer.waitFor('frame', (e) => e.peer === sender.id, 30_000);
    }
  }
  return nodes;
}

interface StreamFigures {
  fps: number[];
  latencies: number[];
}

/** Frames per second of every stream and all latencies over a measuring window. */
async function measure(nodes: HeadlessNode[]): Promise<StreamFigures> {
  const start = nodes.map((node) => node.events.length);
  const startedAt = Date.now();
  const last = nodes[nodes.length - 1];
  if (!last) throw new Error('no nodes');
  await last.waitFor('frame', () => Date.now() - startedAt >= MEASURE_MS, MEASURE_MS + 10_000);
  const elapsed = Date.now() - startedAt;
  const fps: number[] = [];
  const latencies: number[] = [];
  nodes.forEach((viewer, i) => {
    const frames = viewer.events.slice(start[i]).filter((e) => e.event === 'frame');
    for (const sender of nodes) {
      if (sender === viewer) continue;
      const stream = frames.filter((e) => e.peer === sender.id);
      fps.push((stream.length * 1000) / elapsed);
      for (const e of stream) if (typeof e.latencyMs === 'number') latencies.push(e.latencyMs);
    }
  });
  return { fps, latencies };
}

/** Invite → accept → the first frame of the inviter at the invitee, fresh calls each round. */
async function acceptToFirstFrame(network: TestNetwork, rounds: number): Promise<number[]> {
  const [hostA, hostB] = network.hosts;
  if (!hostA || !hostB) throw new Error('no hosts');
  const args = [...patternVideo('640x480', 30), '--frame-events'];
  const a = await HeadlessNode.start({ name: 'inviter', host: hostA, extraArgs: args });
  const b = await HeadlessNode.start({ name: 'invitee', host: hostB, extraArgs: args });
  await a.waitFor('peer-up', (e) => e.peer === b.id, 10_000);
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    a.send({ cmd: 'invite', peer: b.id });
    const invite = await b.waitForNext('invite', (e) => e.from === a.id, 10_000);
    const acceptedAt = Date.now();
    b.send({ cmd: 'accept', call: invite.call });
    await b.waitForNext('frame', (e) => e.peer === a.id, 10_000);
    times.push(Date.now() - acceptedAt);
    b.send({ cmd: 'leave' });
    await a.waitForNext('call-ended', undefined, 10_000);
    await b.waitFor('call-ended', (e) => e.call === invite.call, 10_000);
  }
  return times;
}

export async function meshBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const network = await TestNetwork.create(6, { label: 'bench-mesh' });
  try {
    const four = await mesh(network, 4, patternVideo('640x480', 30));
    const figures = await measure(four);
    await stopAllNodes();
    const minFps = Math.min(...figures.fps);
    const p95 = percentile(figures.latencies, 95);
    rows.push(
      row('4 nodes 640×480@30: slowest of 12 streams', minFps, 'fps', '≥ 29', minFps >= 29),
      row('4 nodes 640×480@30: median stream', median(figures.fps), 'fps', '', null),
      row('4 nodes 640×480@30: latency p95, all streams', p95, 'ms', '≤ 50', p95 <= 50),
    );

    const six = await mesh(network, 6, patternVideo('320x240', 15));
    const sixFigures = await measure(six);
    await stopAllNodes();
    const delivered = sixFigures.fps.filter((fps) => fps > 0).length;
    rows.push(
      row(
        '6 nodes 320×240@15: streams delivered (of 30)',
        delivered,
        'streams',
        '= 30',
        delivered === 30,
      ),
      row('6 nodes 320×240@15: slowest stream', Math.min(...sixFigures.fps), 'fps', '', null),
      row('6 nodes 320×240@15: median stream', median(sixFigures.fps), 'fps', '', null),
      row('6 nodes 320×240@15: latency p95', percentile(sixFigures.latencies, 95), 'ms', '', null),
    );

    const times = await acceptToFirstFrame(network, 5);
    const worst = Math.max(...times);
    rows.push(
      row(
        'accept → first remote frame, median of 5',
        median(times),
        'ms',
        '≤ 1000',
        median(times) <= 1000,
      ),
      row('accept → first remote frame, worst of 5', worst, 'ms', '≤ 1000', worst <= 1000),
    );
  } finally {
    await stopAllNodes();
    await network.close();
  }
  return rows;
}

function row(
  metric: string,
  value: number,
  unit: string,
  target: string,
  met: boolean | null,
): BenchRow {
  return { suite: 'mesh', metric, value, unit, target, met };
}
