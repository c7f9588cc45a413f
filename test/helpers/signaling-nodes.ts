import net from 'node:net';
import type { IdentityKeys } from '../../crypto/index.js';
import { peerIdFromPublicKey } from '../../crypto/index.js';
import type { SignalingConnection } from '../../p2p/signaling/connection.js';
import { ConnectionPool } from '../../p2p/signaling/connection-pool.js';
import type { SignalingMessage } from '../../p2p/signaling/messages.js';
import { SignalingServer } from '../../p2p/signaling/server.js';
import { withTimeout } from './wait.js';
import { seededIdentity } from './crypto-fixtures.js';

const LOOPBACK_HANDSHAKE_LIMITS = {
  perSource: { burst: 1000, perSecond: 1000 },
  global: { burst: 1000, perSecond: 1000 },
  load: { burst: 1000, perSecond: 1000 },
};

export const LOOPBACK = '127.0.0.1';

/** One node's signaling half, in this process, listening on a free loopback port. */
export interface SignalingNode {
  readonly identity: IdentityKeys;
  readonly id: string;
  readonly name: string;
  readonly server: SignalingServer;
  readonly pool: ConnectionPool;
  readonly port: number;
}

/**
 * Makes nodes and closes every one of them in `closeAll` (call it from afterEach), whatever
 * state a failed test left them in.
 */
export class SignalingNodes {
  readonly #nodes: SignalingNode[] = [];

  async make(
    seed: number,
    name: string,
    options: { idleMs?: number; inUse?: (connection: SignalingConnection) => boolean } = {},
  ): Promise<SignalingNode> {
    const identity = seededIdentity(seed);
    // Every node here dials from 127.0.0.1, so the per-address hello budget (made for one
    // peer per address) would refuse tests that meet many peers at once; the budgets have
    // their own tests (handshake-gate.test.ts, handshake-flood.test.ts).
    const server = new SignalingServer({
      identity,
      name,
      port: 0,
      host: LOOPBACK,
      handshakeLimits: LOOPBACK_HANDSHAKE_LIMITS,
    });
    const pool = new ConnectionPool({
      server,
      inUse: options.inUse ?? (() => false),
      ...(options.idleMs === undefined ? {} : { idleMs: options.idleMs }),
    });
    const node = {
      identity,
      id: peerIdFromPublicKey(identity.publicKey),
      name,
      server,
      pool,
      port: 0,
    };
    this.#nodes.push(node);
    node.port = await server.listen();
    return node;
  }

  closeAll(): void {
    for (const node of this.#nodes.splice(0)) {
      node.pool.close();
      node.server.close();
    }
  }
}

/** A loopback port nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The next connection `server` authenticates (5 s at most). */
export function nextConnection(server: SignalingServer): Promise<SignalingConnection> {
  return withTimeout(
    new Promise((resolve) => server.once('connection', resolve)),
    5000,
    'no authenticated connection',
  );
}

/** The next message `connection` receives (5 s at most). */
export function nextMessage(connection: SignalingConnection): Promise<SignalingMessage> {
  return withTimeout(
    new Promise((resolve) => connection.once('message', resolve)),
    5000,
    'no message',
  );
}
