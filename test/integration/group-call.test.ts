import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { NodeEvent } from '../helpers/json-lines-process.js';
import { HeadlessNode, stopAllNodes } from '../helpers/json-lines-process.js';
import { TestNetwork } from '../helpers/netns/hosts.js';
import { patternVideo } from '../helpers/snapshots.js';

const MEDIA = [...patternVideo('320x240', 15), '--frame-events'];

function lastFrame(viewer: HeadlessNode, sender: HeadlessNode): number {
  const frames = viewer.events.filter((e) => e.event === 'frame' && e.peer === sender.id);
  return Number(frames.at(-1)?.frame ?? -1);
}

async function newFrame(
  viewer: HeadlessNode,
  sender: HeadlessNode,
  timeoutMs = 10_000,
): Promise<NodeEvent> {
  const after = lastFrame(viewer, sender);
  return viewer.waitForNext(
    'frame',
    (e) => e.peer === sender.id && Number(e.frame) > after,
    timeoutMs,
  );
}

async function memberIds(node: HeadlessNode): Promise<string[]> {
  node.send({ cmd: 'members' });
  const members = await node.waitForNext('members');
  return (members.members as { peer: string; state: string }[])
    .filter((m) => m.state === 'connected')
    .map((m) => m.peer)
    .sort();
}

/**
 * `node`'s own end of its link to `other` is up: `other` joined after us, or it was already
 * connected when we joined (call-joined comes with the first link up, which may be this one).
 */
function connectedTo(node: HeadlessNode, other: HeadlessNode): Promise<NodeEvent> {
  return Promise.any([
    node.waitFor('member-joined', (e) => e.peer === other.id, 15_000),
    node.waitFor(
      'call-joined',
      (e) =>
        (e.members as { peer: string; state: string }[]).some(
          (m) => m.peer === other.id && m.state === 'connected',
        ),
      15_000,
    ),
  ]);
}

/** `node` is linked with `other`: as the first member of a call it joined, or a later one. */
async function joinedWith(node: HeadlessNode, other: HeadlessNode): Promise<NodeEvent> {
  const either = Promise.any([
    node.waitFor('member-joined', (e) => e.peer === other.id, 15_000),
    node.waitFor(
      'call-joined',
      (e) => (e.members as { peer: string }[]).some((m) => m.peer === other.id),
      15_000,
    ),
  ]);
  try {
    return await either;
  } catch (err) {
    // Both waits failed: report the first reason (they carry the node's recent events).
    throw err instanceof AggregateError ? (err.errors[0] as Error) : err;
  }
}

async function sendingKeyId(node: HeadlessNode): Promise<number> {
  const stats = await node.waitForNext('stats');
  return Number((stats.sending as { keyId: number }).keyId);
}

describe('group calls: a full mesh of namespaced headless nodes', function () {
  this.timeout(120_000);

  describe('four nodes invited along a chain', () => {
    let network: TestNetwork;
    let nodes: HeadlessNode[];

    before(async () => {
      network = await TestNetwork.create(4, { label: 'mesh4' });
      nodes = await Promise.all(
        ['Ada', 'Bob', 'Cy', 'Di'].map((name, i) =>
          HeadlessNode.start({ name, host: network.hosts[i], autoAccept: i > 0, extraArgs: MEDIA }),
        ),
      );
      for (const node of nodes) {
        for (const other of nodes) {
          if (other !== node) await node.waitFor('peer-up', (e) => e.peer === other.id, 10_000);
        }
      }
    });

    after(async () => {
      await stopAllNodes();
      await network?.close();
    });

    it('A invites B, B invites C, C invites D: everyone has everyone, with video and chat', async () => {
      const [a, b, c, d] = nodes as [HeadlessNode, HeadlessNode, HeadlessNode, HeadlessNode];
      a.send({ cmd: 'invite', peer: b.id });
      await b.waitFor('call-joined');
      b.send({ cmd: 'invite', peer: c.id });
      await c.waitFor('call-joined');
      c.send({ cmd: 'invite', peer: d.id });
      await d.waitFor('call-joined');
      for (const node of nodes) {
        const others = nodes.filter((n) => n !== node);
        for (const other of others) await joinedWith(node, other);
        assert.deepEqual(
          await memberIds(node),
          others.map((n) => n.id).sort(),
          `${node.name}'s roster`,
        );
      }
      for (const viewer of nodes) {
        for (const sender of nodes.filter((n) => n !== viewer)) await newFrame(viewer, sender);
      }
      for (const node of nodes) node.send({ cmd: 'chat', text: `hello from ${node.name}` });
      for (const viewer of nodes) {
        for (const sender of nodes) {
          await viewer.waitFor('chat', (e) => e.text === `hello from ${sender.name}`);
        }
      }
    });

    it("one host's link down for 5 s: the call survives and its video is back within 2 s", async () => {
      const [a, , c] = nodes as [HeadlessNode, HeadlessNode, HeadlessNode];
      const host = network.hosts[2];
      assert.ok(host);
      await host.setLinkUp(false);
      // Five seconds of outage is the scenario itself, not a wait for an event.
      await new Promise((resolve) => setTimeout(resolve, 5000));
      await host.setLinkUp(true);
      const restoredAt = Date.now();
      await newFrame(a, c, 2000);
      const backAfter = Date.now() - restoredAt;
      assert.ok(backAfter <= 2000, `video back after ${backAfter} ms`);
      assert.equal(
        a.count('member-left', (e) => e.peer === c.id),
        0,
        'C was never dropped',
      );
      c.send({ cmd: 'chat', text: 'back again' });
      await a.waitFor('chat', (e) => e.text === 'back again');
    });

    it('a SIGKILLed member is reported left within 10 s; the others go on; keys rotate', async () => {
      const [a, b, c, d] = nodes as [HeadlessNode, HeadlessNode, HeadlessNode, HeadlessNode];
      const keyBefore = await sendingKeyId(a);
      const killedAt = Date.now();
      await d.kill('SIGKILL');
      for (const node of [a, b, c]) {
        const left = await node.waitFor('member-left', (e) => e.peer === d.id, 10_000);
        assert.match(String(left.reason), /^lost/);
      }
      assert.ok(Date.now() - killedAt <= 10_000);
      assert.notEqual(await sendingKeyId(a), keyBefore, "A's media key was replaced");
      for (const [viewer, sender] of [
        [a, b],
        [b, c],
        [c, a],
      ] as const) {
        await newFrame(viewer, sender);
      }
      b.send({ cmd: 'chat', text: 'three of us now' });
      await a.waitFor('chat', (e) => e.text === 'three of us now');
      await c.waitFor('chat', (e) => e.text === 'three of us now');
    });

    it('exports the chat to a Markdown file on request', async () => {
      const [a] = nodes as [HeadlessNode];
      const dir = await mkdtemp(path.join(os.tmpdir(), 'meshcall-export-'));
      try {
        const file = path.join(dir, 'chat.md');
        a.send({ cmd: 'export-chat', path: file });
        const exported = await a.waitForNext('chat-exported');
        const text = await readFile(file, 'utf8');
        assert.equal(exported.path, file);
        assert.match(text, /^# meshcall chat/);
        assert.match(text, /\*\*Bob\*\* \(.*\): three of us now/);
        a.send({ cmd: 'export-chat', path: path.join(dir, 'missing', 'chat.txt') });
        await a.waitForNext('error', (e) => e.code === 'ERR_EXPORT_FAILED');
        // Only new files: exporting again to the same path is refused and changes nothing.
        a.send({ cmd: 'export-chat', path: file });
        const again = await a.waitForNext('error', (e) => e.code === 'ERR_EXPORT_FAILED');
        assert.match(String(again.message), /already exists/);
        assert.equal(await readFile(file, 'utf8'), text);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe('chat under 10% loss and 50 ms delay', () => {
    let network: TestNetwork;
    let nodes: HeadlessNode[];

    before(async () => {
      network = await TestNetwork.create(4, { label: 'chatloss' });
      nodes = await Promise.all(
        ['Ada', 'Bob', 'Cy', 'Di'].map((name, i) =>
          HeadlessNode.start({ name, host: network.hosts[i], autoAccept: i > 0 }),
        ),
      );
      for (const node of nodes.slice(1))
        await nodes[0]?.waitFor('peer-up', (e) => e.peer === node.id, 10_000);
    });

    after(async () => {
      await stopAllNodes();
      await network?.close();
    });

    it('200 interleaved messages reach every member once each, in the same order; a late joiner gets them all', async () => {
      const [a, b, c, d] = nodes as [HeadlessNode, HeadlessNode, HeadlessNode, HeadlessNode];
      a.send({ cmd: 'invite', peer: b.id });
      a.send({ cmd: 'invite', peer: c.id });
      await a.waitFor('member-joined', (e) => e.peer === b.id, 15_000);
      await a.waitFor('member-joined', (e) => e.peer === c.id, 15_000);
      await connectedTo(b, c);
      await connectedTo(c, b);
      for (const host of network.hosts) await host.setNetem({ lossPercent: 10, delayMs: 50 });
      const senders = [a, b, c];
      for (let i = 0; i < 200; i++) {
        const sender = senders[i % 3];
        sender?.send({ cmd: 'chat', text: `message ${i}` });
      }
      for (const node of senders) {
        await node.waitFor('chat', () => node.count('chat') >= 200, 60_000);
      }
      const histories: string[][] = [];
      for (const node of senders) {
        node.send({ cmd: 'history' });
        const history = await node.waitForNext('history');
        const texts = (history.messages as { text: string }[]).map((m) => m.text);
        assert.equal(texts.length, 200, `${node.name} holds 200`);
        assert.equal(new Set(texts).size, 200, `${node.name} holds each once`);
        histories.push(texts);
      }
      assert.deepEqual(histories[1], histories[0]);
      assert.deepEqual(histories[2], histories[0]);
      for (const node of senders) assert.equal(node.count('chat'), 200, 'no duplicate events');

      // D joins late and receives the call's whole history from the others.
      c.send({ cmd: 'invite', peer: d.id });
      await d.waitFor('call-joined', undefined, 20_000);
      await d.waitFor('chat', () => d.count('chat') >= 200, 30_000);
      d.send({ cmd: 'history' });
      const late = await d.waitForNext('history');
      assert.deepEqual(
        (late.messages as { text: string }[]).map((m) => m.text),
        histories[0],
      );
      for (const host of network.hosts) await host.setNetem(null);
    });
  });

  describe('invites that cross', () => {
    let network: TestNetwork;

    before(async () => {
      network = await TestNetwork.create(3, { label: 'cross' });
    });

    afterEach(async () => {
      await stopAllNodes();
    });

    after(async () => {
      await network?.close();
    });

    it('two peers inviting each other at the same moment end in one call', async () => {
      const [a, b] = await Promise.all(
        ['Ada', 'Bob'].map((name, i) => HeadlessNode.start({ name, host: network.hosts[i] })),
      );
      assert.ok(a && b);
      await a.waitFor('peer-up', (e) => e.peer === b.id);
      await b.waitFor('peer-up', (e) => e.peer === a.id);
      a.send({ cmd: 'invite', peer: b.id });
      b.send({ cmd: 'invite', peer: a.id });
      const joinedA = await joinedWith(a, b);
      const joinedB = await joinedWith(b, a);
      assert.equal(joinedA.call, joinedB.call, 'one call');
      a.send({ cmd: 'chat', text: 'one call' });
      await b.waitFor('chat', (e) => e.text === 'one call' && e.call === joinedA.call);
      // Exactly one side gave up its own call for the other's.
      assert.equal(
        a.count('call-ended', (e) => e.reason === 'merged') +
          b.count('call-ended', (e) => e.reason === 'merged'),
        1,
      );
    });

    it('two members inviting the same peer at once bring it into one call', async () => {
      const [a, b, c] = await Promise.all(
        ['Ada', 'Bob', 'Cy'].map((name, i) =>
          HeadlessNode.start({ name, host: network.hosts[i], autoAccept: name === 'Bob' }),
        ),
      );
      assert.ok(a && b && c);
      await a.waitFor('peer-up', (e) => e.peer === b.id);
      a.send({ cmd: 'invite', peer: b.id });
      const call = String((await a.waitFor('member-joined', (e) => e.peer === b.id, 15_000)).call);
      await a.waitFor('peer-up', (e) => e.peer === c.id);
      await b.waitFor('peer-up', (e) => e.peer === c.id);
      a.send({ cmd: 'invite', peer: c.id });
      b.send({ cmd: 'invite', peer: c.id });
      const invite = await c.waitFor('invite', (e) => e.call === call);
      c.send({ cmd: 'accept', call: invite.call });
      await c.waitFor('call-joined', undefined, 15_000);
      for (const node of [a, b])
        await node.waitFor('member-joined', (e) => e.peer === c.id, 15_000);
      assert.equal(c.count('invite'), 1, 'one invite shown for one call');
      // Cy's own end of a link may open a moment after the other end's.
      for (const node of [a, b]) await connectedTo(c, node);
      assert.deepEqual(await memberIds(c), [a.id, b.id].sort());
    });
  });
});
