import assert from 'node:assert/strict';
import { randomId } from '../../p2p/base/ids.js';
import type { CallAgentEvents } from '../../p2p/call/call-agent.js';
import { CallAgents, bringIn, inCallWith } from '../helpers/call-agents.js';
import { eventsOf } from '../helpers/events.js';

const agentEvents = eventsOf<CallAgentEvents>();
const MS = 10_000;

/**
 * Call waiting with real call agents in this process (real signaling on loopback, real
 * WebRTC links): an invite that arrives while we are in a call waits for our answer instead
 * of being declined as busy; the caller can take it back; it names who is in the call.
 */
describe('call agents: call waiting', function () {
  this.timeout(40_000);
  const agents = new CallAgents();
  afterEach(() => agents.closeAll());

  it('an invite in a call waits, names the members, and accepting leaves the call to join it', async () => {
    const [ada, bob, cy, dan] = await Promise.all([
      agents.start(1, 'Ada'),
      agents.start(2, 'Bob'),
      agents.start(3, 'Cy'),
      agents.start(4, 'Dan'),
    ]);
    const first = await bringIn(ada, bob, MS);
    const second = await bringIn(cy, dan, MS);

    const waiting = agentEvents.next(ada.agent, 'invite', MS);
    await cy.agent.invite(ada.node.id);
    const [invite] = await waiting;
    assert.equal(invite.call, second);
    assert.equal(invite.from.id, cy.node.id);
    assert.deepEqual(invite.members, ['Dan'], 'the other member, by name');
    assert.equal(ada.agent.call?.id, first, 'still in the first call meanwhile');
    assert.ok(ada.agent.call?.hasMember(bob.node.id));

    const bobSawAdaGo = agentEvents.next(bob.agent, 'member-left', MS);
    const adaEnded = agentEvents.next(ada.agent, 'call-ended', MS);
    const withCy = inCallWith(ada, cy.node.id, MS);
    const withDan = inCallWith(ada, dan.node.id, MS);
    assert.equal(ada.agent.accept(second), 'accepted');
    const [ended] = await adaEnded;
    assert.deepEqual(ended, { call: first, reason: 'left' });
    const [left] = await bobSawAdaGo;
    assert.equal(left.member.id, ada.node.id);
    assert.equal(left.reason, 'left', 'Bob got a bye, not a lost link');
    assert.deepEqual(await Promise.all([withCy, withDan]), [second, second]);
    assert.equal(ada.agent.call?.id, second);
  });

  it('only the caller can take a waiting invite back; floods are still declined as busy', async () => {
    const [ada, bob, cy, eve] = await Promise.all([
      agents.start(1, 'Ada'),
      agents.start(2, 'Bob'),
      agents.start(3, 'Cy'),
      agents.start(5, 'Eve'),
    ]);
    const first = await bringIn(ada, bob, MS);
    const shown = agentEvents.record(ada.agent, 'invite');
    const cancelled = agentEvents.record(ada.agent, 'invite-cancelled');
    const fromCy = agentEvents.next(ada.agent, 'invite', MS);
    await cy.agent.invite(ada.node.id);
    const [{ call, members }] = await fromCy;
    assert.deepEqual(members, [], 'Cy is alone in the call: no names');

    // Eve cancels Cy's invite on her own connection, then invites twice: her cancel was
    // read before her first invite (one connection keeps order), and did nothing.
    const toAda = await eve.node.pool.connect(ada.node.id, agents.endpointsOf(ada.node.id));
    const eveInvite = agentEvents.next(ada.agent, 'invite', MS);
    const second = randomId();
    const busy = eve.inbox.next(ada.node.id, (m) => m.t === 'decline' && m.call === second, MS);
    toAda.send({ t: 'cancel', call });
    toAda.send({ t: 'invite', call: randomId() });
    toAda.send({ t: 'invite', call: second });
    await eveInvite;
    const { message } = await busy;
    assert.deepEqual(message, { t: 'decline', call: second, reason: 'busy' });
    assert.deepEqual(ada.agent.invitersOf(call), [cy.node.id], "Cy's invite still waits");
    assert.equal(cancelled.length, 0);

    const cyEnded = agentEvents.next(cy.agent, 'call-ended', MS);
    const withdrawn = agentEvents.next(ada.agent, 'invite-cancelled', MS);
    assert.equal(cy.agent.cancelInvite(ada.node.id), call);
    assert.deepEqual((await withdrawn)[0], { call, from: cy.node.id });
    assert.deepEqual((await cyEnded)[0], { call, reason: 'left' }, 'nobody else was invited');
    assert.equal(cy.agent.cancelInvite(ada.node.id), null, 'nothing left to cancel');
    assert.equal(ada.agent.accept(call), 'no-invite');
    assert.equal(ada.agent.call?.id, first, 'Ada stays in her call');
    assert.equal(shown.length, 2, "Cy's and Eve's first invite");
  });

  it('declining a waiting invite tells the caller and keeps the call', async () => {
    const [ada, bob, cy] = await Promise.all([
      agents.start(1, 'Ada'),
      agents.start(2, 'Bob'),
      agents.start(3, 'Cy'),
    ]);
    const first = await bringIn(ada, bob, MS);
    const fromCy = agentEvents.next(ada.agent, 'invite', MS);
    await cy.agent.invite(ada.node.id);
    const [{ call }] = await fromCy;
    const declined = agentEvents.next(cy.agent, 'invite-declined', MS);
    assert.equal(ada.agent.decline(call, 'declined'), true);
    const [answer] = await declined;
    assert.deepEqual(answer, { call, peer: ada.node.id, reason: 'declined' });
    assert.equal(ada.agent.call?.id, first);
    assert.ok(ada.agent.call?.hasMember(bob.node.id));
  });
});
