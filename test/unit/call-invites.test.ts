import assert from 'node:assert/strict';
import { silentLogger } from '../../p2p/base/logger.js';
import type { CallAgentEvents } from '../../p2p/call/call-agent.js';
import { CallAgent } from '../../p2p/call/call-agent.js';
import type { Endpoint } from '../../p2p/signaling/connection-pool.js';
import { eventsOf } from '../helpers/events.js';
import type { SignalingNode } from '../helpers/signaling-nodes.js';
import { LOOPBACK, SignalingNodes } from '../helpers/signaling-nodes.js';
import { withTimeout } from '../helpers/wait.js';

const agentEvents = eventsOf<CallAgentEvents>();
const LINK_MS = 10_000;

interface Node {
  agent: CallAgent;
  node: SignalingNode;
}

/**
 * Real call agents in this process: real signaling on loopback, real WebRTC links over
 * loopback ICE. Each finds the others through `directory`, as the peer list would tell it.
 */
describe('call agents: invites that cross', function () {
  this.timeout(30_000);
  const nodes = new SignalingNodes();
  const agents: CallAgent[] = [];
  const directory = new Map<string, Endpoint>();

  async function start(seed: number, name: string): Promise<Node> {
    let agent: CallAgent | null = null;
    const node = await nodes.make(seed, name, {
      inUse: (connection) => agent?.needs(connection) ?? false,
    });
    const created = new CallAgent({
      id: node.id,
      name,
      identity: node.identity,
      pool: node.pool,
      endpointsOf: (peerId) => {
        const endpoint = directory.get(peerId);
        return endpoint ? [{ ...endpoint }] : [];
      },
      signalingPort: () => node.port,
      logger: silentLogger,
    });
    agent = created;
    agents.push(created);
    node.pool.on('connection', (connection) => created.adopt(connection));
    directory.set(node.id, { host: LOOPBACK, port: node.port, publicKey: node.identity.publicKey });
    return { agent: created, node };
  }

  /** Resolves once `node` is in a call with `peer` (joined it, or `peer` joined ours). */
  function inCallWith(node: Node, peer: string): Promise<string> {
    return withTimeout(
      new Promise<string>((resolve) => {
        node.agent.on('call-joined', ({ call, members }) => {
          if (members.some((member) => member.id === peer)) resolve(call);
        });
        node.agent.on('member-joined', ({ call, member }) => {
          if (member.id === peer) resolve(call);
        });
      }),
      LINK_MS,
      `${node.node.name} never got into a call with ${peer}`,
    );
  }

  afterEach(async () => {
    await Promise.all(agents.splice(0).map((agent) => agent.close()));
    nodes.closeAll();
    directory.clear();
  });

  it('two peers inviting each other at the same moment end in one call', async () => {
    const a = await start(1, 'Ada');
    const b = await start(2, 'Bob');
    const endedA = agentEvents.record(a.agent, 'call-ended');
    const endedB = agentEvents.record(b.agent, 'call-ended');
    const invitesShown = [...[a, b].map((node) => agentEvents.record(node.agent, 'invite'))];
    const joinedA = inCallWith(a, b.node.id);
    const joinedB = inCallWith(b, a.node.id);
    await Promise.all([a.agent.invite(b.node.id), b.agent.invite(a.node.id)]);
    const [callA, callB] = await Promise.all([joinedA, joinedB]);
    assert.equal(callA, callB, 'one call');
    assert.equal(a.agent.call?.id, callA);
    assert.equal(b.agent.call?.id, callA);
    const merged = [...endedA, ...endedB].filter(([ended]) => ended.reason === 'merged');
    assert.equal(merged.length, 1, 'exactly one side gave up its own call');
    assert.deepEqual(
      invitesShown.map((seen) => seen.length),
      [0, 0],
      'nobody is asked: crossing invites merge on their own',
    );

    const chat = agentEvents.next(b.agent, 'chat', LINK_MS);
    a.agent.call?.sendChat('one call');
    const [message] = await chat;
    assert.equal(message.text, 'one call');
    assert.equal(message.call, callA);
  });

  it('two members inviting the same peer at once bring it into one call', async () => {
    const a = await start(1, 'Ada');
    const b = await start(2, 'Bob');
    const c = await start(3, 'Cy');
    const firstInvite = agentEvents.next(b.agent, 'invite', LINK_MS);
    const bobIn = inCallWith(a, b.node.id);
    await a.agent.invite(b.node.id);
    const [{ call }] = await firstInvite;
    assert.equal(b.agent.accept(call), 'accepted');
    assert.equal(await bobIn, call);

    const shown = agentEvents.record(c.agent, 'invite');
    const invited = agentEvents.next(c.agent, 'invite', LINK_MS);
    const cyIn = [a, b].map((node) => inCallWith(node, c.node.id));
    const cyJoined = agentEvents.next(c.agent, 'call-joined', LINK_MS);
    await Promise.all([a.agent.invite(c.node.id), b.agent.invite(c.node.id)]);
    const [invite] = await invited;
    assert.equal(invite.call, call);
    assert.equal(c.agent.accept(invite.call), 'accepted');
    const [joined] = await cyJoined;
    assert.equal(joined.call, call);
    assert.deepEqual(await Promise.all(cyIn), [call, call]);
    assert.equal(shown.length, 1, 'one invite shown for one call');
    const members = c.agent.call?.members().map((member) => member.id) ?? [];
    assert.deepEqual(members.sort(), [a.node.id, b.node.id].sort());
  });
});
