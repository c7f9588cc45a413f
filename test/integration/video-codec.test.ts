import assert from 'node:assert/strict';
import {
  chainViolations,
  distribution,
  framesFrom,
  gapsMs,
  type ShownFrame,
} from '../helpers/frame-events.js';
import type { NodeEvent } from '../helpers/json-lines-process.js';
import { HeadlessNode, stopAllNodes } from '../helpers/json-lines-process.js';
import { TestNetwork, type TestHost } from '../helpers/netns/hosts.js';
import { limitHostRate } from '../helpers/netns/rate-limit.js';
import { decodeSnapshot, patternVideo } from '../helpers/snapshots.js';

/**
 * Real H.264 between real headless nodes in network namespaces: one sender with a 640×480
 * pattern at 30 fps, so two layers (main/media/layer-plan.ts: 640×480 ≈ 0.76 Mb/s and
 * 320×240 ≈ 0.25 Mb/s). The receivers send no video: the figures are about one sender's
 * layers, not about four encoders sharing the test machine's cores.
 */
const FPS = 30;
const SENDER_ARGS = [...patternVideo('640x480', FPS), '--frame-events'];
/**
 * The slow member's rate, both ways: below layer 0 (0.76 Mb/s plus the chunk, SCTP, DTLS and
 * UDP overhead) and twice layer 1 (0.25 Mb/s), so only the lower layer fits. The issue's
 * 6 Mb/s was for JPEG-era sizes; H.264 layers are an order of magnitude smaller.
 */
const SLOW_RATE = '500kbit';
/** How long the layer figures cover, once both links settled. */
const WINDOW_MS = 5000;

async function startNode(
  host: TestHost | undefined,
  name: string,
  sends: boolean,
): Promise<HeadlessNode> {
  const node = await HeadlessNode.start({
    name,
    host,
    autoAccept: name !== 'Ada',
    extraArgs: SENDER_ARGS,
  });
  if (!sends) {
    node.send({ cmd: 'video', enabled: false });
    await node.waitFor('media-settings', (e) => e.enabled === false);
  }
  return node;
}

/** The event in which `node` has its link to `peer` open (it joined, or `peer` did). */
function linkOpenEvent(node: HeadlessNode, peer: HeadlessNode, since: number): NodeEvent | null {
  return (
    node.events.slice(since).find((e) => {
      if (e.event === 'member-joined') return e.peer === peer.id;
      if (e.event === 'member-state') return e.peer === peer.id && e.state === 'connected';
      if (e.event !== 'call-joined') return false;
      const members = e.members as { peer: string; state: string }[];
      return members.some((m) => m.peer === peer.id && m.state === 'connected');
    }) ?? null
  );
}

/** `viewer`'s next stats entry about `sender`. */
async function statsOf(
  viewer: HeadlessNode,
  sender: HeadlessNode,
  match: (member: Record<string, unknown>) => boolean = () => true,
  timeoutMs = 5000,
): Promise<Record<string, unknown>> {
  const entry = (e: NodeEvent): Record<string, unknown> | undefined =>
    (e.members as Record<string, unknown>[]).find((m) => m.peer === sender.id);
  const stats = await viewer.waitForNext(
    'stats',
    (e) => {
      const member = entry(e);
      return member !== undefined && match(member);
    },
    timeoutMs,
  );
  return entry(stats) ?? {};
}

/** `viewer`'s stats entries about `sender` since event index `since`. */
function statsSince(
  viewer: HeadlessNode,
  sender: HeadlessNode,
  since: number,
): Record<string, unknown>[] {
  return viewer.events
    .slice(since)
    .filter((e) => e.event === 'stats')
    .flatMap((e) => (e.members as Record<string, unknown>[]).filter((m) => m.peer === sender.id));
}

function inWindow(frames: ShownFrame[], from: number, to: number): ShownFrame[] {
  return frames.filter((f) => f.receivedAt >= from && f.receivedAt < to);
}

describe('H.264 video between namespaced headless nodes', function () {
  this.timeout(180_000);

  describe('one sender, a fast receiver and a slow one', () => {
    let network: TestNetwork;
    let ada: HeadlessNode;
    let bob: HeadlessNode;
    let cy: HeadlessNode;

    before(async () => {
      network = await TestNetwork.create(3, { label: 'video-codec' });
      [ada, bob, cy] = await Promise.all([
        startNode(network.hosts[0], 'Ada', true),
        startNode(network.hosts[1], 'Bob', false),
        startNode(network.hosts[2], 'Cy', false),
      ]);
      for (const other of [bob, cy]) {
        await ada.waitFor('peer-up', (e) => e.peer === other.id, 10_000);
      }
      ada.send({ cmd: 'invite', peer: bob.id });
      await ada.waitFor('member-joined', (e) => e.peer === bob.id, 15_000);
      // "Mid-call": Ada's video already flows. Her capture process, forked when her node
      // started, is still loading OpenCV and node-av (1.0–1.4 s with three nodes starting on
      // two cores); a join before its first frame would time that start, not the join.
      await bob.waitFor('frame', (e) => e.peer === ada.id, 15_000);
    });

    after(async () => {
      await stopAllNodes();
      await network?.close();
    });

    it('a member joining mid-call gets its first decodable frame within 500 ms of its link opening', async () => {
      const delays: number[] = [];
      for (let round = 0; round < 3; round++) {
        const since = cy.events.length;
        ada.send({ cmd: 'invite', peer: cy.id });
        const firstFrame = await cy.waitForNext('frame', (e) => e.peer === ada.id, 15_000);
        const opened = linkOpenEvent(cy, ada, since);
        assert.ok(opened, 'the link to the sender opened');
        const delay = (cy.arrivedAt(firstFrame) ?? NaN) - (cy.arrivedAt(opened) ?? NaN);
        assert.equal(firstFrame.keyframe, true, 'the first frame shown is a keyframe');
        delays.push(Math.round(delay));
        if (round < 2) {
          cy.send({ cmd: 'leave' });
          await Promise.all([
            cy.waitForNext('call-ended', () => true, 10_000),
            ada.waitForNext('member-left', (e) => e.peer === cy.id, 10_000),
          ]);
        }
      }
      console.log('      join → first frame (ms):', JSON.stringify(delays));
      for (const delay of delays) assert.ok(delay <= 500, `first frame after ${delay} ms`);
    });

    it('per-link layers: the slow member gets the lower layer, the fast one keeps 640×480 at ≥ 28 fps', async () => {
      await limitHostRate(network, network.hosts[2]!, SLOW_RATE);
      await statsOf(bob, ada, (m) => m.layer === 0, 20_000);
      await statsOf(cy, ada, (m) => m.layer === 1, 20_000);
      const [bobSince, cySince] = [bob.events.length, cy.events.length];
      const start = Date.now();
      await bob.waitFor(
        'frame',
        (e) => e.peer === ada.id && Number(e.receivedAt) >= start + WINDOW_MS,
        WINDOW_MS + 10_000,
      );
      const fast = inWindow(framesFrom(bob, ada, bobSince), start, start + WINDOW_MS);
      const slow = inWindow(framesFrom(cy, ada, cySince), start, start + WINDOW_MS);
      const [fastStats, slowStats] = [statsSince(bob, ada, bobSince), statsSince(cy, ada, cySince)];
      const summary = (frames: ShownFrame[], stats: Record<string, unknown>[]): object => ({
        fps: frames.length / (WINDOW_MS / 1000),
        byStream: frames.reduce<Record<number, number>>(
          (acc, f) => ({ ...acc, [f.stream]: (acc[f.stream] ?? 0) + 1 }),
          {},
        ),
        gaps: distribution(gapsMs(frames)),
        stats: stats.map((m) => [m.fps, m.kbps, m.layer, m.width, m.undecodable]),
      });
      const sending = (await ada.waitForNext('stats')).sending;
      console.log(
        '      layers:',
        JSON.stringify({ fast: summary(fast, fastStats), slow: summary(slow, slowStats), sending }),
      );

      assert.ok(fast.length >= 28 * (WINDOW_MS / 1000), `fast receiver: ${fast.length} frames`);
      for (const f of fast) {
        assert.ok(f.width >= 640 && f.height >= 480, `fast receiver got ${f.width}×${f.height}`);
        assert.equal(f.codec, 'h264');
      }
      const meanFps = fastStats.reduce((sum, m) => sum + Number(m.fps), 0) / fastStats.length;
      assert.ok(meanFps >= 28, `fast receiver's stats: ${meanFps} fps`);
      for (const m of fastStats) assert.equal(m.codec, 'h264');

      assert.ok(slow.length > 0, 'the slow receiver still gets video');
      const slowLast = slowStats.at(-1) ?? {};
      assert.equal(slowLast.layer, 1, 'the slow receiver is on the lower layer');
      assert.equal(slowLast.width, 320);
      // Since each member joined, not just in the window: a chain starts at a keyframe.
      for (const viewer of [bob, cy]) {
        assert.deepEqual(chainViolations(framesFrom(viewer, ada)), [], `${viewer.name}`);
      }
    });
  });

  describe('5% random loss on the link', () => {
    let network: TestNetwork;
    let ada: HeadlessNode;
    let bob: HeadlessNode;

    before(async () => {
      network = await TestNetwork.create(2, { label: 'video-codec-loss' });
      [ada, bob] = await Promise.all([
        startNode(network.hosts[0], 'Ada', true),
        startNode(network.hosts[1], 'Bob', false),
      ]);
      await ada.waitFor('peer-up', (e) => e.peer === bob.id, 10_000);
      ada.send({ cmd: 'invite', peer: bob.id });
      await ada.waitFor('member-joined', (e) => e.peer === bob.id, 15_000);
      await bob.waitFor('frame', (e) => e.peer === ada.id, 10_000);
    });

    after(async () => {
      await stopAllNodes();
      await network?.close();
    });

    it('no undecodable frame is ever shown; 99 % of losses are repaired within 300 ms', async () => {
      for (const host of network.hosts) await host.setNetem({ lossPercent: 5 });
      const since = bob.events.length;
      const start = Date.now();
      const snapshots: string[] = [];
      // A snapshot (decoded from the frames shown) about every second of the ten.
      for (let second = 1; second <= 10; second++) {
        const frame = await bob.waitForNext(
          'frame',
          (e) => e.peer === ada.id && Number(e.receivedAt) >= start + second * 1000,
          5000,
        );
        bob.send({ cmd: 'snapshot', peer: ada.id });
        const shot = decodeSnapshot(await bob.waitForNext('snapshot', (e) => e.peer === ada.id));
        snapshots.push(`${shot.width}x${shot.height}`);
        assert.ok(
          shot.width === frame.width || shot.width === 640 || shot.width === 320,
          `snapshot ${shot.width}×${shot.height}`,
        );
      }
      for (const host of network.hosts) await host.setNetem(null);
      const frames = framesFrom(bob, ada, since);
      const gaps = gapsMs(frames);
      const stats = statsSince(bob, ada, since);
      console.log(
        '      5% loss:',
        JSON.stringify({
          frames: frames.length,
          keyframes: frames.filter((f) => f.keyframe).length,
          gaps: distribution(gaps),
          over100ms: gaps.filter((g) => g > 100).length,
          snapshots,
          last: stats.at(-1),
        }),
      );
      assert.deepEqual(chainViolations(framesFrom(bob, ada)), [], 'every frame shown decodes');
      assert.equal(bob.count('error'), 0, 'no snapshot failed');
      // The picture freezes at the lost frame's slot, one frame interval after the last one.
      // Keyframe requests travel the unordered urgent channel and are asked again as soon as
      // undecodable frames show the first was lost: the worst freeze in 8 runs was 100–273 ms
      // (before: up to 411 ms). The worst case is a figure of `npm run bench -- codec`
      // (goal ≤ 300 ms); this test asserts what must hold on a loaded machine too.
      const sorted = [...gaps].sort((x, y) => x - y);
      const p99 = sorted[Math.floor(0.99 * (sorted.length - 1))] ?? 0;
      assert.ok(p99 <= 300 + 1000 / FPS, `99 % of frozen pictures end within 300 ms: ${p99} ms`);
      const maxGap = Math.max(...gaps);
      assert.ok(maxGap <= 600, `longest frozen picture ${maxGap} ms`);
    });
  });
});
