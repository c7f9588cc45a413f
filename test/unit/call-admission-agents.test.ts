import assert from 'node:assert/strict';
import { randomId } from '../../p2p/base/ids.js';
import type { CallAgentEvents } from '../../p2p/call/call-agent.js';
import type { SignalingMessage } from '../../p2p/signaling/messages.js';
import { toBase64 } from '../../crypto/index.js';
import type { AgentNode } from '../helpers/call-agents.js';
import { CallAgents, bringIn, inCallWith } from '../helpers/call-agents.js';
import { eventsOf } from '../helpers/events.js';
import { LOOPBACK } from '../helpers/signaling-nodes.js';

const agentEvents = eventsOf<CallAgentEvents>();
const MS = 10_000;
/** How long a member has to answer a join it refuses (it answers with a bye at once). */
const ANSWER_MS = 3000;

/**
 * Admission against insiders and former insiders, with real call agents in this process
 * (real signaling on loopback, real WebRTC links): old tickets, declined invites, invite
 * floods and lying rosters.
 */
describe('call agents: admission epochs and tickets', function () {
  this.timeout(40_000);
  const agents = new CallAgents();
  afterEach(() => agents.closeAll());

  /** Sends `message` from `from` to `to` and resolves with `to`'s bye for `call`. */
  async function refusedWithBye(
    from: AgentNode,
    to: AgentNode,
    message: SignalingMessage,
    call: string,
  ): Promise<void> {
    const connection = await from.node.pool.connect(to.node.id, agents.endpointsOf(to.node.id));
    const bye = from.inbox.next(to.node.id, (m) => m.t === 'bye' && m.call === call, ANSWER_MS);
    connection.send(message);
    await bye;
    assert.equal(to.agent.call?.hasMember(from.node.id), false);
  }

  it('a member that left cannot rejoin with the ticket it joined with', async () => {
    const a = await agents.start(1, 'Ada');
    const b = await agents.start(2, 'Bob');
    const c = await agents.start(3, 'Cy');
    const call = await bringIn(a, b, MS);
    const joinAtBob = b.inbox.next(c.node.id, (m) => m.t === 'join', MS);
    const cyAtBob = inCallWith(b, c.node.id, MS);
    await bringIn(a, c, MS);
    const { message: join } = await joinAtBob;
    await cyAtBob;
    const left = [a, b].map((node) => agentEvents.next(node.agent, 'member-left', MS));
    assert.equal(c.agent.leave(), true);
    await Promise.all(left);

    await refusedWithBye(c, b, join, call);
    await refusedWithBye(c, a, join, call);
    const refused = b.agent.refusals().tickets;
    assert.ok(
      (refused['stale-epoch'] ?? 0) + (refused.replayed ?? 0) >= 1,
      JSON.stringify(refused),
    );
    assert.deepEqual(
      b.agent.call?.members().map((member) => member.id),
      [a.node.id],
      'Cy is not back',
    );

    // With a ticket issued after it left, it is welcome again, at every member.
    const cyBackAtBob = inCallWith(b, c.node.id, MS);
    await bringIn(a, c, MS);
    await cyBackAtBob;
  });

  it('an invitee gets no ticket before it accepts, so declining leaves it nothing to join with', async () => {
    const a = await agents.start(1, 'Ada');
    const b = await agents.start(2, 'Bob');
    const c = await agents.start(3, 'Cy');
    const call = await bringIn(a, c, MS);
    const inviteAtBob = b.inbox.next(a.node.id, (m) => m.t === 'invite', MS);
    await a.agent.invite(b.node.id);
    const { message: invite } = await inviteAtBob;
    assert.ok(!('ticket' in invite), 'the invite carries no ticket');
    const declined = agentEvents.next(a.agent, 'invite-declined', MS);
    assert.equal(b.agent.decline(call, 'not now'), true);
    await declined;

    // Saying yes after saying no is too late; a ticket of its own making names no member.
    await refusedWithBye(b, a, { t: 'accept', call }, call);
    const own = {
      inviter: b.node.id,
      epoch: 1_000_000,
      expires: Date.now() + 30_000,
      nonce: randomId(),
      sig: toBase64(new Uint8Array(64)),
    };
    await refusedWithBye(b, c, { t: 'join', call, ticket: own }, call);
    assert.equal(
      b.inbox.entries.some(({ message }) => message.t === 'admit'),
      false,
      'no ticket reached the decliner',
    );
  });

  it('a former member cannot slip back in by inviting a member to the call', async () => {
    const a = await agents.start(1, 'Ada');
    const b = await agents.start(2, 'Bob');
    const call = await bringIn(a, b, MS);
    const c = await agents.start(3, 'Cy');
    await bringIn(a, c, MS);
    const left = agentEvents.next(a.agent, 'member-left', MS);
    c.agent.leave();
    await left;
    const connection = await c.node.pool.connect(a.node.id, agents.endpointsOf(a.node.id));
    const answer = c.inbox.next(a.node.id, (m) => m.t === 'decline', ANSWER_MS);
    connection.send({ t: 'invite', call });
    const { message } = await answer;
    assert.deepEqual(message, { t: 'decline', call, reason: 'busy' });
    assert.equal(a.agent.call?.hasMember(c.node.id), false);
  });

  it('keeps one pending invite per peer and rate-limits the rest (declined as busy, counted)', async () => {
    const b = await agents.start(2, 'Bob');
    const e = await agents.start(5, 'Eve');
    const shown = agentEvents.record(b.agent, 'invite');
    const connection = await e.node.pool.connect(b.node.id, agents.endpointsOf(b.node.id));
    const invite = (call: string): boolean => connection.send({ t: 'invite', call });
    const declined = async (call: string): Promise<string> => {
      const { message } = await e.inbox.next(
        b.node.id,
        (m) => m.t === 'decline' && m.call === call,
        ANSWER_MS,
      );
      return message.t === 'decline' ? message.reason : '';
    };
    const withdrawLast = async (): Promise<void> => {
      const cancelled = agentEvents.next(b.agent, 'invite-cancelled', MS);
      connection.send({ t: 'cancel', call: shown.at(-1)?.[0].call ?? '' });
      await cancelled;
    };
    // A burst of ten: one is shown, nine are declined (one pending invite per peer).
    const burst = Array.from({ length: 10 }, () => randomId());
    const answers = burst.slice(1).map(declined);
    burst.forEach(invite);
    const reasons = await Promise.all(answers);
    assert.deepEqual(
      shown.map(([event]) => event.call),
      [burst[0]],
    );
    // Each withdrawn invite frees the slot, until the peer's budget (3) is spent.
    for (let round = 0; round < 2; round += 1) {
      await withdrawLast();
      const call = randomId();
      const seen = agentEvents.next(b.agent, 'invite', MS);
      invite(call);
      assert.equal((await seen)[0].call, call);
    }
    await withdrawLast();
    const call = randomId();
    const answer = declined(call);
    invite(call);
    reasons.push(await answer);
    assert.equal(shown.length, 3, 'three invites shown in all');
    assert.deepEqual(new Set(reasons), new Set(['busy']));
    assert.equal(b.agent.refusals().invites, reasons.length);
  });

  it('a lying roster cannot add a member nor name one: entries need a ticket, names come from hellos', async () => {
    const a = await agents.start(1, 'Ada');
    const n = await agents.start(6, 'Nora');
    const m = await agents.start(7, 'Max');
    const b = await agents.start(2, 'Bob');
    await bringIn(a, n, MS);
    // Ada lies in her answer to Bob's accept: she lists Max, who is in no call, with the
    // ticket she made out to Nora.
    const invited = agentEvents.next(b.agent, 'invite', MS);
    await a.agent.invite(b.node.id);
    const toBob = a.node.pool.get(b.node.id);
    assert.ok(toBob);
    const send = toBob.send.bind(toBob);
    toBob.send = (message) => {
      if (message.t !== 'admit') return send(message);
      const nora = message.roster.members.find((entry) => entry.id === n.node.id);
      assert.ok(nora);
      const max = {
        id: m.node.id,
        publicKey: toBase64(m.node.identity.publicKey),
        host: LOOPBACK,
        port: m.node.port,
        ticket: nora.ticket,
      };
      return send({ ...message, roster: { ...message.roster, members: [nora, max] } });
    };
    const noraIn = inCallWith(b, n.node.id, MS);
    const [{ call }] = await invited;
    b.agent.accept(call);
    await noraIn;
    assert.equal(b.agent.call?.member(n.node.id)?.name, 'Nora', "the name from Nora's hello");
    assert.equal(b.agent.call?.hasMember(m.node.id), false, 'Max was not added');
    assert.equal(
      m.inbox.entries.some(({ message }) => message.t === 'join'),
      false,
      'Bob never asked Max in',
    );
    assert.ok((b.agent.refusals().tickets.forged ?? 0) >= 1);
  });
});
