import assert from 'node:assert/strict';
import net from 'node:net';
import { concatBytes, generateIdentity } from '../../crypto/index.js';
import type { IdentityKeys } from '../../crypto/index.js';
import type { MeshError } from '../../p2p/base/errors.js';
import { encodeFrame } from '../../p2p/signaling/framing.js';
import { SignalingServer } from '../../p2p/signaling/server.js';
import { nextConnection, nextMessage } from '../helpers/signaling-nodes.js';
import { withTimeout } from '../helpers/wait.js';

const LOOPBACK = '127.0.0.1';
const CALL = 'c'.repeat(32);

function nextRefusal(server: SignalingServer): Promise<MeshError> {
  return withTimeout(
    new Promise((resolve) => server.once('refused', ({ error }) => resolve(error))),
    5000,
    'server did not refuse the connection',
  );
}

async function rejection(promise: Promise<unknown>): Promise<MeshError> {
  try {
    await promise;
  } catch (err) {
    return err as MeshError;
  }
  assert.fail('expected the promise to reject');
}

describe('signaling over TCP (loopback)', function () {
  this.timeout(20_000);
  const servers: SignalingServer[] = [];
  const sockets: net.Socket[] = [];

  async function startServer(
    identity: IdentityKeys,
    name: string,
    timeouts?: { handshakeMs?: number; partialFrameMs?: number },
  ): Promise<SignalingServer> {
    const server = new SignalingServer({
      identity,
      name,
      port: 0,
      host: LOOPBACK,
      ...(timeouts ? { timeouts } : {}),
    });
    servers.push(server);
    await server.listen();
    return server;
  }

  async function rawClient(port: number): Promise<net.Socket> {
    const socket = net.connect({ host: LOOPBACK, port });
    sockets.push(socket);
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    return socket;
  }

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.destroy();
    for (const server of servers.splice(0)) server.close();
  });

  it('authenticates both ends and carries sealed messages both ways', async () => {
    const alice = generateIdentity();
    const bob = generateIdentity();
    const aliceServer = await startServer(alice, 'alice');
    const bobServer = await startServer(bob, 'bob');
    const inbound = nextConnection(bobServer);
    const outbound = await aliceServer.connect(LOOPBACK, bobServer.port, bob.publicKey);
    const atBob = await inbound;
    assert.equal(outbound.peer?.name, 'bob');
    assert.equal(atBob.peer?.name, 'alice');
    assert.equal(atBob.peer?.port, aliceServer.port);
    assert.deepEqual(atBob.peer?.publicKey, alice.publicKey);

    const received = nextMessage(atBob);
    outbound.send({ t: 'invite', call: CALL });
    assert.deepEqual(await received, { t: 'invite', call: CALL });
    const back = nextMessage(outbound);
    atBob.send({ t: 'accept', call: CALL });
    assert.deepEqual(await back, { t: 'accept', call: CALL });
  });

  it('refuses a peer that presents another key than the advertised one, on both sides', async () => {
    const alice = generateIdentity();
    const bob = generateIdentity();
    const rogue = generateIdentity();
    const aliceServer = await startServer(alice, 'alice');
    const rogueServer = await startServer(rogue, 'not-bob');
    const refused = nextRefusal(rogueServer);
    const error = await rejection(aliceServer.connect(LOOPBACK, rogueServer.port, bob.publicKey));
    assert.equal(error.code, 'ERR_PEER_KEY_MISMATCH');
    const seenByRogue = await refused;
    assert.equal(seenByRogue.code, 'ERR_PEER_ABORTED');
    assert.match(seenByRogue.message, /ERR_PEER_KEY_MISMATCH/);
  });

  it("refuses a rogue that claims a peer's public key without its secret key", async () => {
    const alice = generateIdentity();
    const bob = generateIdentity();
    const rogue = generateIdentity();
    const aliceServer = await startServer(alice, 'alice');
    // Claims Bob's public key (also in the secret key's public half, as NaCl lays it out),
    // but its signing scalar comes from its own seed: it cannot sign as Bob.
    const impostor = {
      publicKey: bob.publicKey,
      secretKey: concatBytes(rogue.secretKey.subarray(0, 32), bob.publicKey),
    };
    const rogueServer = await startServer(impostor, 'bob');
    const refused = nextRefusal(rogueServer);
    const error = await rejection(aliceServer.connect(LOOPBACK, rogueServer.port, bob.publicKey));
    assert.equal(error.code, 'ERR_AUTH_FAILED');
    assert.match((await refused).message, /ERR_AUTH_FAILED/);

    // And the other direction: the impostor dialing Alice as "Bob".
    const refusedByAlice = nextRefusal(aliceServer);
    const dialError = await rejection(rogueServer.connect(LOOPBACK, aliceServer.port));
    assert.equal((await refusedByAlice).code, 'ERR_AUTH_FAILED');
    assert.equal(dialError.code, 'ERR_PEER_ABORTED');
    assert.equal(aliceServer.stats.authenticated, 0);
  });

  it('closes garbage, oversized frames and slow-loris clients while serving others', async () => {
    const alice = generateIdentity();
    const bob = generateIdentity();
    const aliceServer = await startServer(alice, 'alice');
    const bobServer = await startServer(bob, 'bob', { handshakeMs: 1500, partialFrameMs: 400 });
    const inbound = nextConnection(bobServer);
    const good = await aliceServer.connect(LOOPBACK, bobServer.port, bob.publicKey);
    const atBob = await inbound;

    const garbageRefused = nextRefusal(bobServer);
    (await rawClient(bobServer.port)).write(
      Buffer.from(encodeFrame(Buffer.from('GET / HTTP/1.1'))),
    );
    assert.equal((await garbageRefused).code, 'ERR_PROTOCOL');

    const oversizedRefused = nextRefusal(bobServer);
    (await rawClient(bobServer.port)).write(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]));
    assert.equal((await oversizedRefused).code, 'ERR_FRAME_TOO_LARGE');

    const slowRefused = nextRefusal(bobServer);
    (await rawClient(bobServer.port)).write(Buffer.from([0, 0]));
    assert.equal((await slowRefused).code, 'ERR_FRAME_TIMEOUT');

    const silentRefused = nextRefusal(bobServer);
    await rawClient(bobServer.port);
    assert.equal((await silentRefused).code, 'ERR_HANDSHAKE_TIMEOUT');

    // The authenticated connection never noticed.
    assert.equal(good.state, 'open');
    const received = nextMessage(atBob);
    good.send({ t: 'cancel', call: CALL });
    assert.deepEqual(await received, { t: 'cancel', call: CALL });
    assert.equal(bobServer.stats.refused, 4);
  });

  it('limits connections still in the key exchange per address', async () => {
    const bob = generateIdentity();
    const server = new SignalingServer({
      identity: bob,
      name: 'bob',
      port: 0,
      host: LOOPBACK,
      maxPendingPerAddress: 2,
    });
    servers.push(server);
    await server.listen();
    await rawClient(server.port);
    await rawClient(server.port);
    const third = await rawClient(server.port);
    await withTimeout(
      new Promise((resolve) => third.once('close', resolve)),
      5000,
      'third pending connection was not closed',
    );
    assert.equal(server.stats.accepted, 2);
    assert.equal(server.stats.refused, 1);
  });
});
