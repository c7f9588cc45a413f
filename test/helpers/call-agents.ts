import assert from 'node:assert/strict';
import { silentLogger } from '../../p2p/base/logger.js';
import type { CallAgentOptions } from '../../p2p/call/call-agent.js';
import { CallAgent } from '../../p2p/call/call-agent.js';
import type { Endpoint } from '../../p2p/signaling/connection-pool.js';
import type { SignalingConnection } from '../../p2p/signaling/connection.js';
import type { SignalingMessage } from '../../p2p/signaling/messages.js';
import type { SignalingNode } from './signaling-nodes.js';
import { LOOPBACK, SignalingNodes } from './signaling-nodes.js';
import type { CallAgentEvents } from '../../p2p/call/call-agent.js';
import { eventsOf } from './events.js';
import { withTimeout } from './wait.js';

/** One signaling message an agent's node received, and the connection it came on. */
export interface Received {
  from: string;
  message: SignalingMessage;
  connection: SignalingConnection;
}

/** Every signaling message a node received, in order (for replaying what a peer said). */
export class Inbox {
  readonly entries: Received[] = [];
  readonly #waiters = new Set<(entry: Received) => void>();

  push(entry: Received): void {
    this.entries.push(entry);
    for (const waiter of [...this.#waiters]) waiter(entry);
  }

  /** The next message from `peer` that `match` accepts, arriving from now on. */
  next(peer: string, match: (message: SignalingMessage) => boolean, ms: number): Promise<Received> {
    let waiter: (entry: Received) => void = () => undefined;
    const found = new Promise<Received>((resolve) => {
      waiter = (entry) => {
        if (entry.from === peer && match(entry.message)) resolve(entry);
      };
      this.#waiters.add(waiter);
    });
    return withTimeout(found, ms, `no such message from ${peer}`).finally(() =>
      this.#waiters.delete(waiter),
    );
  }
}

export interface AgentNode {
  agent: CallAgent;
  node: SignalingNode;
  inbox: Inbox;
}

/**
 * Real call agents in this process: real signaling on loopback, real WebRTC links over
 * loopback ICE. Each finds the others through a shared directory, as the peer list would
 * tell it. `closeAll` (from afterEach) ends every agent and node.
 */
export class CallAgents {
  readonly #nodes = new SignalingNodes();
  readonly #agents: CallAgent[] = [];
  readonly #directory = new Map<string, Endpoint>();

  async start(
    seed: number,
    name: string,
    options: Partial<Pick<CallAgentOptions, 'inviteTimeoutMs' | 'logger'>> = {},
  ): Promise<AgentNode> {
    let agent: CallAgent | null = null;
    const node = await this.#nodes.make(seed, name, {
      inUse: (connection) => agent?.needs(connection) ?? false,
    });
    const created = new CallAgent({
      id: node.id,
      name,
      identity: node.identity,
      pool: node.pool,
      endpointsOf: (peerId) => this.endpointsOf(peerId),
      signalingPort: () => node.port,
      logger: options.logger ?? silentLogger,
      inviteTimeoutMs: options.inviteTimeoutMs,
    });
    agent = created;
    this.#agents.push(created);
    const inbox = new Inbox();
    node.pool.on('connection', (connection) => {
      created.adopt(connection);
      const from = connection.peer?.id ?? '';
      connection.on('message', (message) => inbox.push({ from, message, connection }));
    });
    this.#directory.set(node.id, {
      host: LOOPBACK,
      port: node.port,
      publicKey: node.identity.publicKey,
    });
    return { agent: created, node, inbox };
  }

  endpointsOf(peerId: string): Endpoint[] {
    const endpoint = this.#directory.get(peerId);
    return endpoint ? [{ ...endpoint }] : [];
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.#agents.splice(0).map((agent) => agent.close()));
    this.#nodes.closeAll();
    this.#directory.clear();
  }
}

/** Resolves once `node` is in a call with `peer` (joined it, or `peer` joined ours). */
export function inCallWith(node: AgentNode, peer: string, ms: number): Promise<string> {
  return withTimeout(
    new Promise<string>((resolve) => {
      node.agent.on('call-joined', ({ call, members }) => {
        if (members.some((member) => member.id === peer)) resolve(call);
      });
      node.agent.on('member-joined', ({ call, member }) => {
        if (member.id === peer) resolve(call);
      });
    }),
    ms,
    `${node.node.name} never got into a call with ${peer}`,
  );
}

/**
 * `inviter` invites `invitee`, which accepts; resolves with the call once the inviter is in
 * it with the invitee (with `bothEnds`, once the invitee is in it with the inviter too).
 */
export async function bringIn(
  inviter: AgentNode,
  invitee: AgentNode,
  ms: number,
  options: { bothEnds?: boolean } = {},
): Promise<string> {
  const invited = eventsOf<CallAgentEvents>().next(invitee.agent, 'invite', ms);
  const joined = inCallWith(inviter, invitee.node.id, ms);
  const linked = options.bothEnds ? inCallWith(invitee, inviter.node.id, ms) : null;
  await inviter.agent.invite(invitee.node.id);
  const [{ call }] = await invited;
  assert.equal(invitee.agent.accept(call), 'accepted');
  await Promise.all([joined, linked]);
  return call;
}
