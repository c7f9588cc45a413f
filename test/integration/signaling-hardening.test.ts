import assert from 'node:assert/strict';
import net from 'node:net';
import { generateIdentity } from '../../crypto/index.js';
import type { MeshError } from '../../p2p/base/errors.js';
import { encodeFrame } from '../../p2p/signaling/framing.js';
import { SignalingConnection } from '../../p2p/signaling/connection.js';
import type { SignalingServerOptions } from '../../p2p/signaling/server.js';
import { SignalingServer } from '../../p2p/signaling/server.js';
import { LOOPBACK, nextConnection, nextMessage } from '../helpers/signaling-nodes.js';
import { withTimeout } from '../helpers/wait.js';

const CALL = 'c'.repeat(32);
const FRAME_ABORT = 3;

/** A plaintext abort frame, exactly as close() writes one during a failed key exchange. */
function abortFrame(): Buffer {
  const body = new TextEncoder().encode(JSON.stringify({ code: 'ERR_AUTH_FAILED', message: 'x' }));
  return Buffer.from(encodeFrame(Uint8Array.of(FRAME_ABORT, ...body)));
}

describe('signaling hardening (loopback)', function () {
  this.timeout(20_000);
  const servers: SignalingServer[] = [];
  const cleanups: (() => void)[] = [];

  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
    for (const server of servers.splice(0)) server.close();
  });

  async function listening(
    name: string,
    handshakeLimits?: SignalingServerOptions['handshakeLimits'],
  ): Promise<SignalingServer> {
    const server = new SignalingServer({
      identity: generateIdentity(),
      name,
      port: 0,
      host: LOOPBACK,
      ...(handshakeLimits ? { handshakeLimits } : {}),
    });
    servers.push(server);
    await server.listen();
    return server;
  }

  /** Dials with the real connection class but keeps the raw socket, to inject bytes later. */
  async function dialKeepingSocket(
    server: SignalingServer,
  ): Promise<{ socket: net.Socket; connection: SignalingConnection }> {
    const socket = net.connect({ host: LOOPBACK, port: server.port });
    await new Promise((resolve) => socket.once('connect', resolve));
    const connection = new SignalingConnection(socket, {
      role: 'initiator',
      identity: generateIdentity(),
      localName: 'injector',
      localPort: 1,
    });
    cleanups.push(() => connection.close());
    await withTimeout(
      new Promise((resolve) => connection.once('authenticated', resolve)),
      5000,
      'dialer never authenticated',
    );
    return { socket, connection };
  }

  it('ignores and counts a plaintext abort on an established connection', async () => {
    const server = await listening('bob');
    const inbound = nextConnection(server);
    const { socket, connection } = await dialKeepingSocket(server);
    const atServer = await inbound;
    let closed = false;
    atServer.once('close', () => {
      closed = true;
    });

    socket.write(abortFrame());
    // The abort travels before this sealed message on the same stream: once the message is
    // in, the abort has been handled.
    const received = nextMessage(atServer);
    connection.send({ t: 'cancel', call: CALL });
    assert.deepEqual(await received, { t: 'cancel', call: CALL });
    assert.equal(closed, false, 'the connection stays up');
    assert.equal(atServer.state, 'open');
    assert.equal(server.stats.ignoredAborts, 1);

    // And it still works the other way.
    const back = nextMessage(connection);
    atServer.send({ t: 'accept', call: CALL });
    assert.deepEqual(await back, { t: 'accept', call: CALL });
  });

  it('under load a real dialer gets in through a cookie; past its budget it is refused', async () => {
    // Load from the second hello on; each address may have 2 hellos answered.
    const server = await listening('bob', {
      load: { burst: 1, perSecond: 0.01 },
      perSource: { burst: 2, perSecond: 0.01 },
    });
    const dialer = await listening('alice');
    assert.equal((await dialer.connect(LOOPBACK, server.port)).state, 'open');
    // Both are accepted (a token is left), both fetch a cookie, only one gets the answer.
    const outcomes = await Promise.allSettled([
      dialer.connect(LOOPBACK, server.port),
      dialer.connect(LOOPBACK, server.port),
    ]);
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
    const refused = outcomes.find((o) => o.status === 'rejected');
    assert.equal((refused?.reason as MeshError).code, 'ERR_PEER_ABORTED');
    assert.match((refused?.reason as MeshError).message, /ERR_RATE_LIMITED/);
    assert.deepEqual(server.stats.handshakes, {
      hellos: 5,
      answered: 2,
      cookied: 2,
      rateLimited: 1,
      busy: 0,
    });
    // With the budget spent, the next connection is dropped on accept.
    await assert.rejects(dialer.connect(LOOPBACK, server.port));
    assert.equal(server.stats.handshakes.rateLimited, 2);
    assert.equal(server.stats.authenticated, 2);
  });
});
