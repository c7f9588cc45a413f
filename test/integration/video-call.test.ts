import assert from 'node:assert/strict';
import { chainViolations, framesFrom } from '../helpers/frame-events.js';
import type { NodeEvent } from '../helpers/json-lines-process.js';
import { HeadlessNode, stopAllNodes } from '../helpers/json-lines-process.js';
import { TestNetwork } from '../helpers/netns/hosts.js';
import { decodeSnapshot, patternVideo } from '../helpers/snapshots.js';

/** Two headless nodes with the test pattern, in namespaces. */
describe('video between namespaced headless nodes', function () {
  this.timeout(90_000);
  let network: TestNetwork;
  let a: HeadlessNode;
  let b: HeadlessNode;
  const mediaArgs = [...patternVideo(), '--frame-events'];

  before(async () => {
    network = await TestNetwork.create(2, { label: 'video' });
    const [hostA, hostB] = network.hosts;
    a = await HeadlessNode.start({ name: 'Ada', host: hostA, extraArgs: mediaArgs });
    b = await HeadlessNode.start({
      name: 'Bob',
      host: hostB,
      autoAccept: true,
      extraArgs: mediaArgs,
    });
    await a.waitFor('peer-up', (e) => e.peer === b.id);
    a.send({ cmd: 'invite', peer: b.id });
    await a.waitFor('member-joined', (e) => e.peer === b.id, 15_000);
  });

  after(async () => {
    await stopAllNodes();
    await network?.close();
  });

  async function snapshotOf(
    viewer: HeadlessNode,
    peer: HeadlessNode,
    after: number,
  ): Promise<NodeEvent> {
    await viewer.waitFor('frame', (e) => e.peer === peer.id && Number(e.frame) > after, 10_000);
    viewer.send({ cmd: 'snapshot', peer: peer.id });
    return viewer.waitForNext('snapshot', (e) => e.peer === peer.id && Number(e.frame) > after);
  }

  it("each receives the other's H.264 frames, decodable and in increasing order per stream, snapshots of the right size", async () => {
    for (const [viewer, sender] of [
      [a, b],
      [b, a],
    ] as const) {
      await viewer.waitFor(
        'frame',
        () => viewer.count('frame', (e) => e.peer === sender.id) >= 20,
        15_000,
      );
      const frames = framesFrom(viewer, sender);
      for (const stream of new Set(frames.map((f) => f.stream))) {
        const numbers = frames.filter((f) => f.stream === stream).map((f) => f.frame);
        for (let i = 1; i < numbers.length; i++) {
          assert.ok(
            (numbers[i] ?? 0) > (numbers[i - 1] ?? 0),
            `stream ${stream}: frame numbers increase: ${numbers.join(',')}`,
          );
        }
      }
      assert.deepEqual(chainViolations(frames), [], 'every frame shown decodes');
      assert.ok(frames.every((f) => f.codec === 'h264'));
      const snapshot = await snapshotOf(viewer, sender, 0);
      const decoded = decodeSnapshot(snapshot);
      assert.equal(decoded.width, 320);
      assert.equal(decoded.height, 240);
    }
  });

  it('reports stats about once a second with the delivered rate and latency', async () => {
    const stats = await a.waitForNext('stats', (e) => (e.members as unknown[]).length === 1, 5000);
    const member = (stats.members as Record<string, unknown>[])[0] ?? {};
    assert.equal(member.peer, b.id);
    assert.equal(member.codec, 'h264');
    assert.ok(Number(member.fps) > 5, `fps ${String(member.fps)}`);
    assert.ok(Number(member.kbps) > 0);
    assert.ok(member.latencyP50Ms !== null && Number(member.latencyP50Ms) < 1000);
    assert.ok(Number((stats.sending as Record<string, unknown>).fps) > 5);
  });

  it('a filter switched on the sender is visible in what the receiver decodes', async () => {
    const before = decodeSnapshot(await snapshotOf(b, a, 0)).means;
    assert.ok(before.r < before.g + before.b, 'the plain pattern is not red');
    a.send({ cmd: 'set-filters', filters: ['reds'] });
    await a.waitForNext('media-settings', (e) => (e.filters as string[]).includes('reds'));
    a.send({ cmd: 'snapshot', peer: a.id });
    const switchedAt = Number((await a.waitForNext('snapshot', (e) => e.peer === a.id)).frame);
    const after = decodeSnapshot(await snapshotOf(b, a, switchedAt + 1)).means;
    assert.ok(
      after.r > 1.5 * after.g && after.r > 1.5 * after.b,
      `red dominates: ${JSON.stringify(after)}`,
    );
    a.send({ cmd: 'set-filters', filters: [] });
    await a.waitForNext('media-settings', (e) => (e.filters as string[]).length === 0);
  });

  it('an unknown filter is a clear error and changes nothing', async () => {
    a.send({ cmd: 'set-filters', filters: ['reds', 'sparkles'] });
    const error = await a.waitForNext('error', (e) => e.code === 'ERR_UNKNOWN_FILTER');
    assert.match(String(error.message), /sparkles/);
    const frame = Number((await b.waitForNext('frame', (e) => e.peer === a.id)).frame);
    const means = decodeSnapshot(await snapshotOf(b, a, frame)).means;
    assert.ok(means.r < means.g + means.b, 'still unfiltered');
  });

  it('a camera that cannot be opened is a failed source state, and the node stays in the call', async () => {
    const off = a.waitForNext('video-state', (e) => e.peer === b.id && e.enabled === false, 10_000);
    b.send({ cmd: 'set-source', source: 'camera:7' });
    const failed = await b.waitForNext(
      'media-settings',
      (e) => (e.sourceState as { state?: string } | undefined)?.state === 'failed',
      10_000,
    );
    const state = failed.sourceState as { code: string; reason: string; message: string };
    assert.equal(state.code, 'ERR_CAMERA_UNAVAILABLE');
    assert.equal(state.reason, 'camera-not-found');
    assert.match(state.message, /camera 7/);
    await off;
    b.send({ cmd: 'chat', text: 'still in the call' });
    await a.waitFor('chat', (e) => e.text === 'still in the call');
    assert.equal(a.count('member-left'), 0);
    const on = a.waitForNext('video-state', (e) => e.peer === b.id && e.enabled === true, 10_000);
    b.send({ cmd: 'set-source', source: 'pattern' });
    await on;
    const last = a.events.filter((e) => e.event === 'frame' && e.peer === b.id).at(-1);
    await a.waitForNext(
      'frame',
      (e) => e.peer === b.id && Number(e.frame) > Number(last?.frame ?? 0),
      10_000,
    );
  });

  it('under 10% packet loss frames keep arriving, fewer but never corrupted', async () => {
    const [hostA, hostB] = network.hosts;
    assert.ok(hostA && hostB);
    await hostA.setNetem({ lossPercent: 10 });
    await hostB.setNetem({ lossPercent: 10 });
    try {
      const start = b.count('frame', (e) => e.peer === a.id);
      await b.waitFor(
        'frame',
        () => b.count('frame', (e) => e.peer === a.id) >= start + 30,
        30_000,
      );
      for (let i = 0; i < 3; i++) {
        const snapshot = await snapshotOf(b, a, 0);
        const decoded = decodeSnapshot(snapshot);
        assert.equal(decoded.width, 320);
        assert.equal(decoded.height, 240);
      }
      const stats = await b.waitForNext('stats', (e) => (e.members as unknown[]).length === 1);
      const member = (stats.members as Record<string, unknown>[])[0] ?? {};
      assert.equal(member.rejected, 0, 'nothing forged or malformed');
    } finally {
      await hostA.setNetem(null);
      await hostB.setNetem(null);
    }
  });
});
