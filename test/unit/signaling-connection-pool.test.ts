import assert from 'node:assert/strict';
import net from 'node:net';
import { MeshError } from '../../p2p/base/errors.js';
import type {
  SignalingConnection,
  SignalingConnectionEvents,
} from '../../p2p/signaling/connection.js';
import type { ConnectionPoolEvents } from '../../p2p/signaling/connection-pool.js';
import { eventsOf } from '../helpers/events.js';
import { LOOPBACK, SignalingNodes, closedPort } from '../helpers/signaling-nodes.js';

const EVENT_MS = 5_000;
const poolEvents = eventsOf<ConnectionPoolEvents>();
const connectionEvents = eventsOf<SignalingConnectionEvents>();

async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<MeshError> {
  let caught: unknown = null;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof MeshError, `expected a MeshError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}

describe('ConnectionPool (real signaling servers on loopback)', function () {
  this.timeout(20_000);
  const nodes = new SignalingNodes();
  afterEach(() => nodes.closeAll());

  it('connects to a peer by endpoint; both pools hold the authenticated connection', async () => {
    const alice = await nodes.make(1, 'alice');
    const bob = await nodes.make(2, 'bob');
    const inbound = poolEvents.next(bob.pool, 'connection', EVENT_MS);
    const outbound = poolEvents.next(alice.pool, 'connection', EVENT_MS);
    const connection = await alice.pool.connect(bob.id, [{ host: LOOPBACK, port: bob.port }]);
    assert.equal(connection.state, 'open');
    assert.equal(connection.role, 'initiator');
    assert.equal(connection.peer?.id, bob.id);
    assert.equal(connection.peer?.name, 'bob');
    assert.equal(connection.peer?.port, bob.port);
    assert.equal((await outbound)[0], connection);
    const [theirs] = await inbound;
    assert.equal(theirs.role, 'responder');
    assert.equal(theirs.peer?.id, alice.id);
    assert.equal(bob.pool.get(alice.id), theirs);
    assert.equal(alice.pool.get(bob.id), connection);
    assert.equal(alice.pool.get(alice.id), null);
  });

  it('reuses an open connection, and concurrent connects share one dial', async () => {
    const alice = await nodes.make(1, 'alice');
    const bob = await nodes.make(2, 'bob');
    const endpoints = [{ host: LOOPBACK, port: bob.port }];
    const [first, second] = await Promise.all([
      alice.pool.connect(bob.id, endpoints),
      alice.pool.connect(bob.id, endpoints),
    ]);
    assert.equal(first, second);
    assert.equal(await alice.pool.connect(bob.id, endpoints), first);
    // Even with no endpoints at all: the open connection is enough.
    assert.equal(await alice.pool.connect(bob.id, []), first);
    assert.equal(bob.server.stats.accepted, 1);
  });

  it('dialAddress makes a fresh connection; get() returns the newest', async () => {
    const alice = await nodes.make(1, 'alice');
    const bob = await nodes.make(2, 'bob');
    const old = await alice.pool.connect(bob.id, [{ host: LOOPBACK, port: bob.port }]);
    const fresh = await alice.pool.dialAddress({ host: LOOPBACK, port: bob.port });
    assert.notEqual(fresh, old);
    assert.equal(alice.pool.get(bob.id), fresh);
    const closed = connectionEvents.next(fresh, 'close', EVENT_MS);
    fresh.close();
    await closed;
    assert.equal(alice.pool.get(bob.id), old);
    const oldClosed = connectionEvents.next(old, 'close', EVENT_MS);
    old.close();
    await oldClosed;
    assert.equal(alice.pool.get(bob.id), null);
  });

  it('reports a dial to a closed port with ERR_CONNECT, and tries the next endpoint', async () => {
    const alice = await nodes.make(1, 'alice');
    const bob = await nodes.make(2, 'bob');
    const dead = { host: LOOPBACK, port: await closedPort() };
    const failures = poolEvents.record(alice.pool, 'dial-failed');

    await rejectsWithCode(alice.pool.connect(bob.id, [dead]), 'ERR_CONNECT');
    assert.equal(failures.length, 1);
    const [failure] = failures[0]!;
    assert.equal(failure.peerId, bob.id);
    assert.deepEqual(failure.endpoint, dead);
    assert.equal(failure.error.code, 'ERR_CONNECT');

    const connection = await alice.pool.connect(bob.id, [dead, { host: LOOPBACK, port: bob.port }]);
    assert.equal(connection.peer?.id, bob.id);
    assert.equal(failures.length, 2);
  });

  it('dials candidates in parallel: a silent first endpoint does not delay the second', async () => {
    const alice = await nodes.make(1, 'alice');
    const bob = await nodes.make(2, 'bob');
    // Accepts TCP and never speaks: a dial there waits out the whole key-exchange timeout.
    const silent = net.createServer((socket) => sockets.push(socket));
    const sockets: net.Socket[] = [];
    await new Promise<void>((resolve) => silent.listen(0, LOOPBACK, resolve));
    try {
      const address = silent.address();
      assert.ok(address && typeof address === 'object');
      const started = Date.now();
      const connection = await alice.pool.connect(bob.id, [
        { host: LOOPBACK, port: address.port, publicKey: bob.identity.publicKey },
        { host: LOOPBACK, port: bob.port, publicKey: bob.identity.publicKey },
      ]);
      const elapsed = Date.now() - started;
      assert.equal(connection.peer?.id, bob.id);
      assert.ok(elapsed < 1500, `the live endpoint waited ${elapsed} ms for the silent one`);
      assert.equal(alice.pool.get(bob.id), connection);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it('fails with no endpoints, and refuses an address that answers as another peer', async () => {
    const alice = await nodes.make(1, 'alice');
    const bob = await nodes.make(2, 'bob');
    const carol = await nodes.make(3, 'carol');
    await rejectsWithCode(alice.pool.connect(bob.id, []), 'ERR_CONNECT');
    // Carol's address, no key pinned: the connection is made, then dropped as the wrong peer.
    await rejectsWithCode(
      alice.pool.connect(bob.id, [{ host: LOOPBACK, port: carol.port }]),
      'ERR_PEER_KEY_MISMATCH',
    );
    assert.equal(alice.pool.get(bob.id), null);
    // Carol's address with Bob's advertised key: refused during the key exchange.
    const failures = poolEvents.record(alice.pool, 'dial-failed');
    await rejectsWithCode(
      alice.pool.connect(bob.id, [
        { host: LOOPBACK, port: carol.port, publicKey: bob.identity.publicKey },
      ]),
      'ERR_PEER_KEY_MISMATCH',
    );
    assert.equal(failures.length, 1);
    assert.equal(alice.pool.get(bob.id), null);
  });

  it('close cascades to every connection, and the peers see them close', async () => {
    const alice = await nodes.make(1, 'alice');
    const bob = await nodes.make(2, 'bob');
    const carol = await nodes.make(3, 'carol');
    const toBob = await alice.pool.connect(bob.id, [{ host: LOOPBACK, port: bob.port }]);
    const fromCarol = poolEvents.next(alice.pool, 'connection', EVENT_MS);
    await carol.pool.connect(alice.id, [{ host: LOOPBACK, port: alice.port }]);
    const [toCarol] = await fromCarol;
    const bobSide = bob.pool.get(alice.id);
    assert.ok(bobSide);
    const closes = [toBob, toCarol].map((c) => connectionEvents.next(c, 'close', EVENT_MS));
    const bobSideClosed = connectionEvents.next(bobSide, 'close', EVENT_MS);

    alice.pool.close();
    alice.pool.close();
    for (const [error] of await Promise.all(closes)) assert.equal(error?.code, 'ERR_CLOSED');
    assert.equal((await bobSideClosed)[0]?.code, 'ERR_CONNECTION_LOST');
    assert.equal(bob.pool.get(alice.id), null);
    assert.equal(alice.pool.get(bob.id), null);
    // A closed pool refuses to hand out new connections (its server still listens).
    await rejectsWithCode(
      alice.pool.connect(bob.id, [{ host: LOOPBACK, port: bob.port }]),
      'ERR_CLOSED',
    );
    assert.equal(alice.pool.get(bob.id), null);
  });

  it("closing the server closes the pool's connections", async () => {
    const alice = await nodes.make(1, 'alice');
    const bob = await nodes.make(2, 'bob');
    const connection = await alice.pool.connect(bob.id, [{ host: LOOPBACK, port: bob.port }]);
    const closed = connectionEvents.next(connection, 'close', EVENT_MS);
    alice.server.close();
    assert.equal((await closed)[0]?.code, 'ERR_CLOSED');
    assert.equal(alice.pool.get(bob.id), null);
    await rejectsWithCode(alice.pool.dialAddress({ host: LOOPBACK, port: bob.port }), 'ERR_CLOSED');
  });

  it('closes idle connections the owner does not need, and keeps those it does', async () => {
    let needed: SignalingConnection | null = null;
    const alice = await nodes.make(1, 'alice', {
      idleMs: 150,
      inUse: (connection) => connection === needed,
    });
    const bob = await nodes.make(2, 'bob');
    const carol = await nodes.make(3, 'carol');
    // The needed one is the older: the sweep that drops the other would have dropped it too.
    needed = await alice.pool.connect(bob.id, [{ host: LOOPBACK, port: bob.port }]);
    const idle = await alice.pool.connect(carol.id, [{ host: LOOPBACK, port: carol.port }]);
    const [error] = await connectionEvents.next(idle, 'close', EVENT_MS);
    assert.equal(error?.code, 'ERR_IDLE');
    assert.equal(needed.state, 'open');
    assert.equal(alice.pool.get(bob.id), needed);
    assert.equal(alice.pool.get(carol.id), null);
  });
});
