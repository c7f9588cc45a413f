import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { LineCollector } from '../helpers/lines.js';
import { TestNetwork } from '../helpers/netns/hosts.js';
import type { TestHost } from '../helpers/netns/hosts.js';
import { limitHostRate } from '../helpers/netns/rate-limit.js';

const PEER_SCRIPT = fileURLToPath(new URL('../helpers/layered-link-peer.js', import.meta.url));
/** The slow member's host, both ways: as in the issue. */
const SLOW_RATE = '6mbit';
/**
 * Synthetic layer sizes at 30 fps: layer 0 ≈ 8 Mbit/s (more than the slow host carries, as
 * a 1280×720 stream of a busy scene can be), layer 1 ≈ 1.9 Mbit/s, layer 2 ≈ 0.5 Mbit/s.
 */
const BYTES = [33_000, 8_000, 2_000];
const FPS = 30;
const SECONDS = 14;
/** Figures over the last stretch, once the layers settled. */
const WINDOW_MS = 4000;

interface Peer {
  lines: LineCollector;
  send: (message: unknown) => void;
  /** Signals this peer makes, by the index of the member they are for. */
  onSignal: (peer: number, body: unknown) => void;
}

interface Figures {
  byStream: Record<string, number>;
  fps: number;
  layer: number | null;
  undecodable: number;
  keyframesRequested: number;
  lost: number;
  maxGapMs: number | null;
  chainViolations: number;
}

function startPeer(host: TestHost, setup: object): Peer {
  const child: ChildProcess = host.spawn(process.execPath, [PEER_SCRIPT], {
    env: { ...process.env, LAYER_PEER: JSON.stringify(setup) },
  });
  const { stdout, stdin } = child;
  if (!stdout || !stdin) throw new Error('piped stdio expected');
  child.stderr?.on('data', (data: Buffer) => process.stderr.write(data));
  const peer: Peer = {
    lines: new LineCollector(stdout, `layer peer in ${host.name}`),
    send: (message) => stdin.write(`${JSON.stringify(message)}\n`),
    onSignal: () => undefined,
  };
  createInterface({ input: stdout }).on('line', (line) => {
    const { signal } = JSON.parse(line) as { signal?: { peer: number; body: unknown } };
    if (signal) peer.onSignal(signal.peer, signal.body);
  });
  return peer;
}

/** Links member `a` and `b` (processes pa, pb) with fresh pairwise keys. */
function linkSpecs(a: number, b: number): [object, object] {
  const [k1, k2] = [randomBytes(32).toString('hex'), randomBytes(32).toString('hex')];
  return [
    { peer: b, offerer: true, sendKey: k1, receiveKey: k2 },
    { peer: a, offerer: false, sendKey: k2, receiveKey: k1 },
  ];
}

/** What a receiver got from member 0 (the sender). */
async function report(peer: Peer, name: string): Promise<Figures> {
  peer.send({ report: { windowMs: WINDOW_MS } });
  const line = await peer.lines.waitFor((l) => l.includes('"report"'), 10_000, name);
  const figures = (JSON.parse(line) as { report: Record<string, Figures> }).report['0'];
  assert.ok(figures, `${name}: figures for the sender`);
  return figures;
}

/** Starts member `i` of `hosts` with links to the members `linked[i]`; signals relayed. */
function startMembers(hosts: readonly TestHost[], linked: [number, number][]): Peer[] {
  const setups: object[][] = hosts.map(() => []);
  for (const [x, y] of linked) {
    const [forX, forY] = linkSpecs(x, y);
    setups[x]?.push(forX);
    setups[y]?.push(forY);
  }
  const peers = hosts.map((host, self) => startPeer(host, { self, links: setups[self] }));
  peers.forEach((peer, from) => {
    peer.onSignal = (to, body) => peers[to]?.send({ signal: { peer: from, body } });
  });
  return peers;
}

/** The sender's figures once it sent for `seconds`. */
async function sendFor(sender: Peer, seconds: number, bytes: number[]): Promise<unknown> {
  sender.send({ start: { fps: FPS, seconds, bytes } });
  const line = await sender.lines.waitFor(
    (l) => l.includes('"done"'),
    (seconds + 30) * 1000,
    'sender done',
  );
  return (JSON.parse(line) as { done: unknown }).done;
}

/**
 * Per-link layers: one sender, a fast receiver and a slow one (its host limited to 6 Mbit/s
 * with tbf). Each receiver gets the best layer its own link carries.
 */
describe('video layers chosen per link', function () {
  this.timeout(180_000);
  let network: TestNetwork | undefined;
  let lossy: TestNetwork | undefined;

  after(async () => {
    await network?.close();
    await lossy?.close();
  });

  it('the slow member gets a lower layer while the fast one keeps layer 0 at full frame rate, every frame decodable', async () => {
    network = await TestNetwork.create(3, { label: 'video-layers' });
    const [hostA, hostB, hostC] = network.hosts;
    assert.ok(hostA && hostB && hostC);
    const [a, b, c] = startMembers(network.hosts, [
      [0, 1],
      [0, 2],
    ]);
    assert.ok(a && b && c);
    await Promise.all([
      a.lines.waitFor((l) => l.includes('"joined":1'), 20_000, 'A linked with B'),
      a.lines.waitFor((l) => l.includes('"joined":2'), 20_000, 'A linked with C'),
    ]);
    await limitHostRate(network, hostC, SLOW_RATE);
    const done = await sendFor(a, SECONDS, BYTES);
    const fast = await report(b, 'fast receiver');
    const slow = await report(c, 'slow receiver');
    console.log('      video layers:', JSON.stringify({ done, fast, slow }));
    // The sender's last frame went out up to a frame interval before the report window ends.
    assert.ok(fast.fps >= 28, `fast receiver at ${fast.fps} fps`);
    assert.equal(fast.byStream['0'], Math.round(fast.fps * (WINDOW_MS / 1000)), 'all layer 0');
    assert.equal(fast.layer, 0);
    assert.ok(slow.layer !== null && slow.layer > 0, `slow receiver on layer ${slow.layer}`);
    assert.ok(slow.fps > 0, 'the slow receiver still gets video');
    for (const figures of [fast, slow]) assert.equal(figures.chainViolations, 0);
  });

  it('5% loss on a link: no undecodable frame is ever shown, no picture frozen long', async () => {
    lossy = await TestNetwork.create(2, { label: 'video-loss' });
    const [hostA] = lossy.hosts;
    assert.ok(hostA);
    const [a, b] = startMembers(lossy.hosts, [[0, 1]]);
    assert.ok(a && b);
    await a.lines.waitFor((l) => l.includes('"joined":1'), 20_000, 'A linked with B');
    await hostA.setNetem({ lossPercent: 5 });
    // Well within the link: losses here are the network's, not congestion's.
    const done = await sendFor(a, 10, [8_000, 2_000, 500]);
    const figures = await report(b, 'receiver');
    console.log('      video loss:', JSON.stringify({ done, figures }));
    assert.equal(figures.chainViolations, 0, 'no delta shown without its predecessor');
    assert.ok(figures.fps > 0);
    // The 300 ms goal holds for 99 % of losses (video-codec.test.ts checks that percentile);
    // the worst single freeze is not there yet (up to ~400 ms), so this bounds it at 600 ms.
    assert.ok(
      figures.maxGapMs !== null && figures.maxGapMs <= 600,
      `longest frozen picture ${figures.maxGapMs} ms`,
    );
  });
});
