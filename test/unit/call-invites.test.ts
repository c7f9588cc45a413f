import assert from 'node:assert/strict';
import type { CallAgentEvents } from '../../p2p/call/call-agent.js';
import { CallAgents, inCallWith as inCall } from '../helpers/call-agents.js';
import type { AgentNode } from '../helpers/call-agents.js';
import { eventsOf } from '../helpers/events.js';

const agentEvents = eventsOf<CallAgentEvents>();
const LINK_MS = 10_000;

/**
 * Real call agents in this process: real signaling on loopback, real WebRTC links over
 * loopback ICE. Each finds the others through a directory, as the peer list would tell it.
 */
describe('call agents: invites that cross', function () {
  this.timeout(30_000);
  const agents = new CallAgents();
  const start = (seed: number, name: string): Promise<AgentNode> => agents.start(seed, name);
  const inCallWith = (node: AgentNode, peer: string): Promise<string> =>
    inCall(node, peer, LINK_MS);

  afterEach(() => agents.closeAll());

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
