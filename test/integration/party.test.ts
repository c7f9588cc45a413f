/**
 * Watch party over real links: headless nodes in network namespaces, clips made with
 * Debian's ffmpeg. Three nodes follow the party state; four share a clip's pieces.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import type { NodeEvent, HeadlessNode } from '../helpers/json-lines-process.js';
import { stopAllNodes } from '../helpers/json-lines-process.js';
import { TestNetwork } from '../helpers/netns/hosts.js';
import { startPartyCall as startCall } from '../helpers/party-call.js';
import { waitUntil } from '../helpers/wait.js';

const run = promisify(execFile);
/** The figure for the universal remote: a command reaches every member within it. */
const REMOTE_MS = 200;

async function makeClip(file: string, seconds: number, size = '320x240'): Promise<void> {
  await run('ffmpeg', [
    ...['-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=30`],
    ...['-f', 'lavfi', '-i', 'sine', '-t', String(seconds), '-c:v', 'libx264', '-c:a', 'aac'],
    ...['-movflags', '+faststart', file],
  ]);
}

/**
 * Sends `command` from `from` and waits for every node's party-state that carries it;
 * returns each node's latency (ms, command written → event read by the test).
 */
async function remote(
  nodes: HeadlessNode[],
  from: HeadlessNode,
  command: Record<string, unknown>,
  matches: (e: NodeEvent) => boolean,
): Promise<number[]> {
  const waits = nodes.map((node) =>
    node.waitForNext('party-state', (e) => e.updatedBy === from.id && matches(e), 10_000),
  );
  const sentAt = performance.now();
  from.send(command);
  const events = await Promise.all(waits);
  return events.map((event, i) => (nodes[i]?.arrivedAt(event) ?? Infinity) - sentAt);
}

/** Starts headless nodes on the network's hosts, all in one call (the first invites). */

describe('watch party state: three namespaced headless nodes', function () {
  this.timeout(120_000);
  let network: TestNetwork;
  let nodes: HeadlessNode[];
  let dir: string;
  let clip1: string;
  let clip2: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'meshcall-party-'));
    clip1 = path.join(dir, 'first.mp4');
    clip2 = path.join(dir, 'second.mp4');
    await Promise.all([makeClip(clip1, 10), makeClip(clip2, 6)]);
    network = await TestNetwork.create(3, { label: 'party3' });
    nodes = await startCall(network, ['Ada', 'Bob', 'Cy']);
  });

  after(async () => {
    await stopAllNodes();
    await network?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a share starts the party on every member, playing from the start', async () => {
    const [a] = nodes as [HeadlessNode];
    const states = nodes.map((node) =>
      node.waitFor('party-state', (e) => e.title === 'first.mp4', 20_000),
    );
    a.send({ cmd: 'party-share', path: clip1 });
    for (const state of await Promise.all(states)) {
      assert.equal(state.streamer, a.id);
      assert.equal(state.paused, false);
      assert.ok(Math.abs(Number(state.duration) - 10) < 0.2, `duration ${String(state.duration)}`);
    }
    const parties = new Set((await Promise.all(states)).map((s) => s.party));
    assert.equal(parties.size, 1, 'one party everywhere');
  });

  it('universal remote: pause, seek and play from three members reach everyone within 200 ms', async () => {
    const [a, b, c] = nodes as [HeadlessNode, HeadlessNode, HeadlessNode];
    const steps: [HeadlessNode, Record<string, unknown>, (e: NodeEvent) => boolean][] = [
      [b, { cmd: 'party-pause' }, (e) => e.paused === true],
      [c, { cmd: 'party-seek', position: 4.5 }, (e) => e.position === 4.5 && e.paused === true],
      [a, { cmd: 'party-play' }, (e) => e.paused === false],
      [b, { cmd: 'party-rate', rate: 1.5 }, (e) => e.rate === 1.5],
    ];
    for (const [from, command, matches] of steps) {
      const latencies = await remote(nodes, from, command, matches);
      const shown = latencies.map((ms) => ms.toFixed(1)).join(', ');
      console.log(`      ${String(command.cmd)} from ${from.name}: ${shown} ms`);
      for (const ms of latencies) assert.ok(ms <= REMOTE_MS, `${String(command.cmd)}: ${shown} ms`);
    }
  });

  it('two members seeking at once converge to one position on every member', async () => {
    const [a, b, c] = nodes as [HeadlessNode, HeadlessNode, HeadlessNode];
    await remote(nodes, a, { cmd: 'party-pause' }, (e) => e.paused === true);
    // A chat after each seek on the same ordered control channel: once a member shows both
    // chats, it has taken in both seeks.
    const barriers = nodes.flatMap((node) =>
      ['seek-barrier-b', 'seek-barrier-c'].map((text) =>
        node.waitForNext('chat', (e) => e.text === text, 10_000),
      ),
    );
    b.send({ cmd: 'party-seek', position: 3 });
    c.send({ cmd: 'party-seek', position: 7 });
    b.send({ cmd: 'chat', text: 'seek-barrier-b' });
    c.send({ cmd: 'chat', text: 'seek-barrier-c' });
    await Promise.all(barriers);
    const finals = await Promise.all(
      nodes.map((node) => {
        const status = node.waitForNext('party-state');
        node.send({ cmd: 'party-status' });
        return status;
      }),
    );
    const [first] = finals;
    assert.ok(first);
    assert.ok([3, 7].includes(Number(first.position)), `position ${String(first.position)}`);
    for (const final of finals) {
      assert.equal(final.position, first.position);
      assert.equal(final.updatedBy, first.updatedBy);
      assert.equal(final.paused, true);
    }
  });

  it('takeover: a second member shares another file; the first party ends everywhere, the new one starts', async () => {
    const [a, b] = nodes as [HeadlessNode, HeadlessNode];
    a.send({ cmd: 'party-status' });
    const old = await a.waitForNext('party-state');
    const ended = nodes.map((node) =>
      node.waitForNext('party-ended', (e) => e.party === old.party, 20_000),
    );
    const started = nodes.map((node) =>
      node.waitForNext('party-state', (e) => e.title === 'second.mp4', 20_000),
    );
    b.send({ cmd: 'party-share', path: clip2 });
    for (const end of await Promise.all(ended)) assert.equal(end.reason, 'taken-over');
    const news = await Promise.all(started);
    for (const state of news) {
      assert.equal(state.streamer, b.id);
      assert.notEqual(state.party, old.party);
      assert.ok(Number(state.epoch) > Number(old.epoch), 'the epoch went up');
    }
    assert.equal(new Set(news.map((s) => s.party)).size, 1);
    const stopped = nodes.map((node) => node.waitForNext('party-ended', undefined, 10_000));
    a.send({ cmd: 'party-stop' });
    for (const end of await Promise.all(stopped)) {
      assert.equal(end.party, news[0]?.party);
      assert.equal(end.reason, 'stopped');
    }
  });
});

/** The latest party-progress a node reported (the events come throttled, the last always). */
function lastProgress(node: HeadlessNode): NodeEvent | undefined {
  return node.events.filter((e) => e.event === 'party-progress').at(-1);
}

async function positionOf(node: HeadlessNode): Promise<number> {
  const status = node.waitForNext('party-state');
  node.send({ cmd: 'party-status' });
  return Number((await status).position);
}

describe('watch party distribution: four namespaced headless nodes share a clip', function () {
  this.timeout(180_000);
  let network: TestNetwork;
  let nodes: HeadlessNode[];
  let dir: string;
  let clip: string;
  let party = '';

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'meshcall-party4-'));
    clip = path.join(dir, 'clip.mp4');
    await makeClip(clip, 20, '640x360');
    network = await TestNetwork.create(4, { label: 'party4' });
    nodes = await startCall(network, ['Ada', 'Bob', 'Cy', 'Dee']);
  });

  after(async () => {
    await stopAllNodes();
    await network?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('every member completes with the streamer’s sha256; the streamer uploads ≤ 2× the file', async () => {
    const [a, ...members] = nodes as [HeadlessNode, ...HeadlessNode[]];
    const completes = nodes.map((node) => node.waitFor('party-complete', undefined, 150_000));
    const started = performance.now();
    a.send({ cmd: 'party-share', path: clip });
    const done = await Promise.all(completes);
    const elapsed = performance.now() - started;
    const [own] = done as [NodeEvent];
    party = String(own.party);
    for (const event of done) assert.deepEqual([event.party, event.sha256], [party, own.sha256]);
    // The final count of every member: its last progress once it holds every piece.
    const finals = await Promise.all(
      members.map((node) =>
        node.waitFor('party-progress', (e) => e.party === party && e.have === e.total, 10_000),
      ),
    );
    const size = (await stat(clip)).size;
    const received = finals.map((e) => e.received as Record<string, number>);
    const fromStreamer = received.reduce((sum, r) => sum + (r[a.id] ?? 0), 0);
    const fromMembers = received.map((r) =>
      Object.entries(r).reduce((sum, [peer, bytes]) => sum + (peer === a.id ? 0 : bytes), 0),
    );
    const uploaded = Math.max(Number(lastProgress(a)?.uploaded ?? 0), fromStreamer);
    console.log(
      `      ${size} bytes in ${Number(finals[0]?.total)} pieces, all complete in ` +
        `${elapsed.toFixed(0)} ms: streamer uploaded ${(uploaded / size).toFixed(2)}× the file; ` +
        `members received ${fromMembers.join(', ')} bytes from members`,
    );
    assert.ok(uploaded <= 2 * size, `streamer uploaded ${uploaded} of a ${size}-byte file`);
    for (const bytes of fromMembers) assert.ok(bytes > 0, 'pieces came from non-streamers too');
    for (const node of members) {
      assert.ok(existsSync(path.join(node.dataDir, 'party-cache', party, 'file')), 'cached');
    }
  });

  it('the streamer leaves after distribution: the party plays on, and its cache goes when it ends', async () => {
    const [a, b, c, d] = nodes as [HeadlessNode, HeadlessNode, HeadlessNode, HeadlessNode];
    const rest = [b, c, d];
    // From the start again, so the position has room to advance (the clip is 20 s).
    // Playing: each member reports its player's position, a little past the seek already.
    const near = (e: NodeEvent): boolean => Math.abs(Number(e.position) - 1) < 0.5;
    await remote(rest, c, { cmd: 'party-seek', position: 1 }, near);
    const left = rest.map((node) => node.waitForNext('member-left', (e) => e.peer === a.id));
    a.send({ cmd: 'leave' });
    await Promise.all(left);
    const from = await positionOf(b);
    await waitUntil(async () => (await positionOf(b)) >= from + 1, {
      timeoutMs: 10_000,
      message: 'the position advances without the streamer',
      intervalMs: 250,
    });
    for (const node of rest) {
      const stalled = node.events.filter((e) => e.code === 'ERR_PARTY_STALLED');
      assert.deepEqual(stalled, [], `${node.name} did not stall`);
    }
    const paused = await remote(rest, d, { cmd: 'party-pause' }, (e) => e.paused === true);
    assert.equal(paused.length, 3, 'the remote still works');
    const ended = rest.map((node) => node.waitForNext('party-ended', (e) => e.party === party));
    b.send({ cmd: 'party-stop' });
    await Promise.all(ended);
    for (const node of rest) {
      assert.ok(!existsSync(path.join(node.dataDir, 'party-cache', party)), 'cache removed');
    }
  });
});
