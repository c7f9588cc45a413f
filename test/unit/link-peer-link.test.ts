import assert from 'node:assert/strict';
import { peerIdFromPublicKey } from '../../crypto/index.js';
import type { MeshError } from '../../p2p/base/errors.js';
import { randomId } from '../../p2p/base/ids.js';
import type { ControlMessage } from '../../p2p/link/control-messages.js';
import type { PeerLinkEvents, PeerLinkOptions } from '../../p2p/link/peer-link.js';
import { PeerLink } from '../../p2p/link/peer-link.js';
import { runHandshake, seededIdentity } from '../helpers/crypto-fixtures.js';
import { eventsOf } from '../helpers/events.js';
import { waitUntil, withTimeout } from '../helpers/wait.js';

const aliceKeys = seededIdentity(1);
const bobKeys = seededIdentity(2);
const alice = peerIdFromPublicKey(aliceKeys.publicKey);
const bob = peerIdFromPublicKey(bobKeys.publicKey);
const OPEN_MS = 10_000;
const EVENT_MS = 5_000;
/** Long enough that no heartbeat runs during a test unless it asks for one. */
const QUIET = { heartbeatMs: 60_000 };

const { next: nextEvent, record } = eventsOf<PeerLinkEvents>();

type Tuning = Partial<
  Pick<PeerLinkOptions, 'heartbeatMs' | 'deadAfterMs' | 'openTimeoutMs' | 'controlBudget'>
>;

describe('PeerLink (two real links over loopback)', function () {
  this.timeout(30_000);
  // node-datachannel closes a connection whose JS object is collected: every link stays
  // referenced here until afterEach has closed it.
  const links: PeerLink[] = [];
  afterEach(() => {
    for (const link of links.splice(0)) link.close();
  });

  function makeLink(options: Omit<PeerLinkOptions, 'session'> & { initiator: boolean }): PeerLink {
    const { initiator, ...rest } = options;
    const run = runHandshake(aliceKeys, bobKeys);
    const link = new PeerLink({ ...rest, session: initiator ? run.initiator : run.responder });
    links.push(link);
    return link;
  }

  /** Alice offers; each side's signals reach the other asynchronously, as over a network. */
  function makePair(tuning: Tuning = QUIET, numbers: [number, number] = [1, 1]) {
    const run = runHandshake(aliceKeys, bobKeys);
    const a = new PeerLink({
      localId: alice,
      peerId: bob,
      session: run.initiator,
      offerer: true,
      linkNumber: numbers[0],
      ...tuning,
    });
    const b = new PeerLink({
      localId: bob,
      peerId: alice,
      session: run.responder,
      offerer: false,
      linkNumber: numbers[1],
      ...tuning,
    });
    links.push(a, b);
    a.on('signal', (signal) => setImmediate(() => b.handleSignal(signal)));
    b.on('signal', (signal) => setImmediate(() => a.handleSignal(signal)));
    return { a, b };
  }

  async function openPair(tuning: Tuning = QUIET, numbers: [number, number] = [1, 1]) {
    const pair = makePair(tuning, numbers);
    const opened = Promise.all([
      nextEvent(pair.a, 'open', OPEN_MS),
      nextEvent(pair.b, 'open', OPEN_MS),
    ]);
    pair.b.start();
    pair.a.start();
    await opened;
    return pair;
  }

  it('opens on both sides', async () => {
    const { a, b } = makePair();
    assert.equal(a.state, 'connecting');
    assert.equal(a.offerer, true);
    assert.equal(b.offerer, false);
    const opened = Promise.all([nextEvent(a, 'open', OPEN_MS), nextEvent(b, 'open', OPEN_MS)]);
    b.start();
    a.start();
    await opened;
    assert.equal(a.state, 'open');
    assert.equal(b.state, 'open');
    assert.equal(a.peerId, bob);
    assert.equal(b.peerId, alice);
  });

  it('carries control messages both ways, in order', async () => {
    const { a, b } = await openPair();
    const atB = record(b, 'control');
    const atA = record(a, 'control');
    const sent: ControlMessage[] = [];
    for (let i = 0; i < 20; i++) {
      const message: ControlMessage = { t: 'chat-have', ids: [randomId(), randomId()] };
      sent.push(message);
      assert.equal(a.sendControl(message), true);
    }
    assert.equal(b.sendControl({ t: 'video-state', enabled: false }), true);
    await waitUntil(() => atB.length === 20 && atA.length === 1, {
      timeoutMs: EVENT_MS,
      message: 'control messages',
    });
    assert.deepEqual(
      atB.map(([message]) => message),
      sent,
    );
    assert.deepEqual(atA, [[{ t: 'video-state', enabled: false }]]);
    assert.equal(a.stats.controlSent, 20);
    assert.equal(b.stats.controlReceived, 20);
    assert.equal(b.stats.rejected, 0);
    assert.equal(a.stats.controlReceived, 1);
  });

  it('a listener that throws is logged and the link carries on', async () => {
    const logged: string[] = [];
    const logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: (message: string, fields?: Record<string, unknown>) =>
        logged.push(`${message} ${String(fields?.event)}`),
    };
    const run = runHandshake(aliceKeys, bobKeys);
    const common = { session: run.initiator, linkNumber: 1, ...QUIET };
    const a = new PeerLink({ ...common, localId: alice, peerId: bob, offerer: true, logger });
    const b = new PeerLink({
      ...common,
      session: run.responder,
      localId: bob,
      peerId: alice,
      offerer: false,
    });
    links.push(a, b);
    a.on('signal', (signal) => setImmediate(() => b.handleSignal(signal)));
    b.on('signal', (signal) => setImmediate(() => a.handleSignal(signal)));
    const opened = Promise.all([nextEvent(a, 'open', OPEN_MS), nextEvent(b, 'open', OPEN_MS)]);
    b.start();
    a.start();
    await opened;
    a.on('control', () => {
      throw new Error('a buggy subscriber');
    });
    const atA = record(a, 'control');
    b.sendControl({ t: 'video-state', enabled: false });
    b.sendControl({ t: 'video-state', enabled: true });
    await waitUntil(() => atA.length === 2, { timeoutMs: EVENT_MS, message: 'both messages' });
    assert.deepEqual(logged, ['event listener failed control', 'event listener failed control']);
    assert.equal(a.state, 'open');
    assert.equal(b.state, 'open');
  });

  it('carries media chunks as they are, both ways', async () => {
    const { a, b } = await openPair();
    const atB = record(b, 'media');
    const atA = record(a, 'media');
    const chunks = [1, 2, 3, 4, 5].map((n) => Uint8Array.from({ length: 1200 }, (_, i) => i * n));
    for (const chunk of chunks) assert.equal(a.sendMedia(chunk), true);
    assert.equal(b.sendMedia(chunks[0]!), true);
    await waitUntil(() => atB.length === chunks.length && atA.length === 1, {
      timeoutMs: EVENT_MS,
      message: 'media chunks',
    });
    // The media channel is unordered: compare as sets.
    const key = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
    assert.deepEqual(new Set(atB.map(([bytes]) => key(bytes))), new Set(chunks.map(key)));
    assert.deepEqual(atA[0]?.[0], chunks[0]);
    assert.equal(a.stats.mediaSent, 5);
    assert.equal(b.stats.mediaReceived, 5);
  });

  it('heartbeats measure the round trip and the clock offset', async () => {
    const { a, b } = await openPair({ heartbeatMs: 50 });
    assert.equal(a.stats.rttMs, null);
    assert.equal(a.clockOffsetMs, null);
    const controls = record(a, 'control');
    await waitUntil(() => a.clockOffsetMs !== null && b.clockOffsetMs !== null, {
      timeoutMs: EVENT_MS,
      message: 'first pong',
    });
    assert.ok(a.stats.rttMs !== null && a.stats.rttMs >= 0);
    // One process, one clock: the estimate can only be off by scheduling noise.
    assert.ok(Math.abs(a.clockOffsetMs ?? Infinity) < 250, `offset ${a.clockOffsetMs}`);
    assert.ok(Date.now() - b.lastHeard < 1000);
    // Pings and pongs are the link's own business, not control events.
    assert.ok(a.stats.controlReceived > 0);
    assert.equal(controls.length, 0);
  });

  it('drops unread and counts what a peer sends beyond its control budget', async () => {
    const budget = { messagesPerSecond: 1, messageBurst: 5, bytesPerSecond: 1e9, byteBurst: 1e9 };
    const { a, b } = await openPair({ ...QUIET, controlBudget: budget });
    const atB = record(b, 'control');
    const atA = record(a, 'control');
    for (let i = 0; i < 20; i++) a.sendControl({ t: 'video-state', enabled: i % 2 === 0 });
    await waitUntil(() => b.stats.controlReceived + b.stats.overBudget === 20, {
      timeoutMs: EVENT_MS,
      message: 'all 20 control messages admitted or dropped',
    });
    assert.ok(b.stats.overBudget >= 13, `dropped ${b.stats.overBudget}`);
    assert.equal(atB.length, b.stats.controlReceived);
    assert.equal(b.stats.rejected, 0, 'dropped before opening: not counted as forged');
    // Only the sender's budget is spent: the other direction still carries everything.
    assert.equal(b.sendControl({ t: 'video-state', enabled: true }), true);
    await waitUntil(() => atA.length === 1, { timeoutMs: EVENT_MS, message: 'reply' });
    assert.equal(a.stats.overBudget, 0);
    assert.equal(b.state, 'open');
  });

  it('rejects and counts control messages sealed for another link number', async () => {
    const { a, b } = await openPair(QUIET, [1, 2]);
    const atB = record(b, 'control');
    const atA = record(a, 'control');
    assert.equal(a.sendControl({ t: 'video-state', enabled: true }), true);
    assert.equal(b.sendControl({ t: 'video-state', enabled: true }), true);
    await waitUntil(() => a.stats.rejected === 1 && b.stats.rejected === 1, {
      timeoutMs: EVENT_MS,
      message: 'rejections',
    });
    assert.deepEqual(atB, []);
    assert.deepEqual(atA, []);
    assert.equal(b.stats.controlReceived, 0);
    assert.equal(b.state, 'open');
  });

  it('keyframe requests take the urgent channel; it carries nothing else', async () => {
    const { a, b } = await openPair();
    const atB = record(b, 'control');
    assert.equal(a.sendUrgent({ t: 'keyframe', stream: 2 }), true);
    await waitUntil(() => atB.length === 1, { timeoutMs: EVENT_MS, message: 'request' });
    assert.deepEqual(atB, [[{ t: 'keyframe', stream: 2 }]]);
    // A peer that puts anything else there is refused and counted; the link carries on.
    assert.equal(a.sendUrgent({ t: 'video-state', enabled: true } as never), true);
    await waitUntil(() => b.stats.rejected === 1, { timeoutMs: EVENT_MS, message: 'refusal' });
    assert.equal(atB.length, 1);
    assert.equal(b.state, 'open');
  });

  it('urgent messages are sealed per link: another link number cannot open them', async () => {
    const { a, b } = await openPair(QUIET, [1, 2]);
    const atB = record(b, 'control');
    assert.equal(a.sendUrgent({ t: 'keyframe', stream: 0 }), true);
    await waitUntil(() => b.stats.rejected === 1, { timeoutMs: EVENT_MS, message: 'rejection' });
    assert.deepEqual(atB, []);
  });

  it('gives up on a peer whose heartbeats it cannot open', async () => {
    const { a, b } = await openPair({ heartbeatMs: 50, deadAfterMs: 400 }, [3, 4]);
    const [[errorA], [errorB]] = await Promise.all([
      nextEvent(a, 'close', EVENT_MS),
      nextEvent(b, 'close', EVENT_MS),
    ]);
    // Either side may notice first; the other may then see its channel close instead.
    const codes = [errorA?.code, errorB?.code];
    assert.ok(codes.includes('ERR_HEARTBEAT_TIMEOUT'), `codes ${codes.join(', ')}`);
    assert.ok(a.stats.rejected > 0 && b.stats.rejected > 0);
  });

  it('close: idempotent, the peer sees the link close', async () => {
    const { a, b } = await openPair();
    const closes = record(a, 'close');
    const peerClosed = nextEvent(b, 'close', EVENT_MS);
    a.close();
    a.close();
    assert.equal(a.state, 'closed');
    assert.deepEqual(closes, [[null]]);
    const [error] = await peerClosed;
    assert.equal(error?.code, 'ERR_LINK_FAILED');
    assert.equal(b.state, 'closed');
    a.close();
    assert.equal(closes.length, 1);
  });

  it('hangUp: says bye, and resolves when the peer hangs up in answer', async () => {
    const { a, b } = await openPair();
    const byes = record(b, 'control');
    b.on('control', (message) => {
      if (message.t === 'bye') b.close();
    });
    const peerClosed = nextEvent(b, 'close', EVENT_MS);
    // A grace period longer than the wait: resolving in time proves the peer answered the bye.
    const first = a.hangUp(60_000);
    const second = a.hangUp(60_000);
    await withTimeout(Promise.all([first, second]), EVENT_MS, 'hang-up');
    assert.deepEqual(byes, [[{ t: 'bye' }]]);
    assert.deepEqual(await peerClosed, [null]);
    assert.equal(a.state, 'closed');
    await withTimeout(a.hangUp(), EVENT_MS, 'hang-up after close');
  });

  it('hangUp: closes after the grace period when the peer ignores the bye', async () => {
    const { a, b } = await openPair();
    const byes = record(b, 'control');
    const peerClosed = nextEvent(b, 'close', EVENT_MS);
    const closes = record(a, 'close');
    await withTimeout(a.hangUp(100), EVENT_MS, 'hang-up');
    assert.deepEqual(closes, [[null]]);
    await peerClosed;
    assert.deepEqual(byes, [[{ t: 'bye' }]]);
  });

  it('every method is harmless after close', async () => {
    const { a, b } = await openPair();
    const peerClosed = nextEvent(b, 'close', EVENT_MS);
    a.close();
    const before = { ...a.stats };
    assert.equal(a.sendControl({ t: 'bye' }), false);
    assert.equal(a.sendMedia(new Uint8Array(10)), false);
    assert.equal(a.mediaBufferedAmount, 0);
    a.handleSignal({ t: 'offer', sdp: 'v=0' });
    a.handleSignal({ t: 'answer', sdp: 'v=0' });
    a.handleSignal({ t: 'candidate', candidate: 'candidate:1', mid: '0' });
    a.start();
    await withTimeout(a.hangUp(), EVENT_MS, 'hang-up after close');
    a.close(null);
    assert.deepEqual(a.stats, before);
    assert.equal(a.state, 'closed');
    // The peer's own traffic into a closed link goes nowhere and throws nowhere.
    b.sendControl({ t: 'video-state', enabled: true });
    await peerClosed;
    assert.equal(b.sendControl({ t: 'bye' }), false);
  });

  it('closes a link that does not open in time', async () => {
    const lone = makeLink({
      localId: alice,
      peerId: bob,
      initiator: true,
      offerer: true,
      linkNumber: 1,
      heartbeatMs: 50,
      openTimeoutMs: 300,
    });
    const signals = record(lone, 'signal');
    const closed = nextEvent(lone, 'close', EVENT_MS);
    lone.start();
    const [error] = await closed;
    assert.equal(error?.code, 'ERR_LINK_FAILED');
    assert.match(error?.message ?? '', /did not open in time/);
    // The offer went out (to no one); candidates are held until an answer that never came.
    assert.deepEqual(
      signals.map(([signal]) => signal.t),
      ['offer'],
    );
  });

  it('closes on signals out of turn (an offer to the offerer, an answer to the answerer)', () => {
    const offerer = makeLink({
      localId: alice,
      peerId: bob,
      initiator: true,
      offerer: true,
      linkNumber: 1,
    });
    const answerer = makeLink({
      localId: bob,
      peerId: alice,
      initiator: false,
      offerer: false,
      linkNumber: 1,
    });
    const closes: (MeshError | null)[] = [];
    offerer.on('close', (error) => closes.push(error));
    answerer.on('close', (error) => closes.push(error));
    offerer.handleSignal({ t: 'offer', sdp: 'v=0' });
    answerer.handleSignal({ t: 'answer', sdp: 'v=0' });
    assert.deepEqual(
      closes.map((error) => [error?.code, error?.message]),
      [
        ['ERR_PROTOCOL', 'unexpected offer'],
        ['ERR_PROTOCOL', 'unexpected answer'],
      ],
    );
  });
});
