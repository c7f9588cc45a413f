import assert from 'node:assert/strict';
import type { GestureEvents } from '../../p2p/call/call-gestures.js';
import { CallGestures, REACTION_RATE } from '../../p2p/call/call-gestures.js';
import type { CallAgentEvents } from '../../p2p/call/call-agent.js';
import { controlMessageSchema } from '../../p2p/link/control-messages.js';
import { commandSchema, sessionEventSchema } from '../../protocol/api.js';
import { REACTION_EMOJI } from '../../protocol/gesture-api.js';
import { CallAgents, bringIn } from '../helpers/call-agents.js';
import { eventsOf } from '../helpers/events.js';
import { ada, bob, cy, StubLink } from '../helpers/stub-call.js';

const gestureEvents = eventsOf<GestureEvents>();
const agentEvents = eventsOf<CallAgentEvents>();
const LINK_MS = 10_000;

describe('raise hand and reactions', () => {
  describe('schemas', () => {
    it('control messages: a hand as a boolean, a reaction only from the allow-list', () => {
      assert.ok(controlMessageSchema.safeParse({ t: 'hand', raised: true }).success);
      for (const emoji of REACTION_EMOJI) {
        assert.ok(controlMessageSchema.safeParse({ t: 'reaction', emoji }).success, emoji);
      }
      const refused = [
        { t: 'hand', raised: 'yes' },
        { t: 'hand' },
        { t: 'hand', raised: true, name: 'Mallory' },
        { t: 'reaction', emoji: '💩' },
        { t: 'reaction', emoji: '👍👍' },
        { t: 'reaction', emoji: '<img src=x>' },
        { t: 'reaction', emoji: '👍', text: 'extra' },
      ];
      for (const message of refused) {
        assert.equal(
          controlMessageSchema.safeParse(message).success,
          false,
          JSON.stringify(message),
        );
      }
    });

    it('API: the hand and react commands, the hand and reaction events', () => {
      assert.deepEqual(commandSchema.parse({ cmd: 'hand', raised: true }), {
        cmd: 'hand',
        raised: true,
      });
      assert.deepEqual(commandSchema.parse({ cmd: 'react', emoji: '👍' }), {
        cmd: 'react',
        emoji: '👍',
      });
      assert.equal(commandSchema.safeParse({ cmd: 'react', emoji: 'x' }).success, false);
      assert.equal(commandSchema.safeParse({ cmd: 'hand' }).success, false);
      assert.equal(commandSchema.safeParse({ cmd: 'hand', raised: 1 }).success, false);
      const peer = 'a'.repeat(32);
      assert.ok(sessionEventSchema.safeParse({ event: 'hand', peer, raised: false }).success);
      assert.ok(sessionEventSchema.safeParse({ event: 'reaction', peer, emoji: '🎉' }).success);
      assert.equal(
        sessionEventSchema.safeParse({ event: 'reaction', peer, emoji: '🙃' }).success,
        false,
      );
    });
  });

  describe('CallGestures', () => {
    /** Gestures of a call whose members are Bob and Cy, with one open stub link, on a fake clock. */
    function setUp(): { gestures: CallGestures; link: StubLink; clock: { now: number } } {
      const clock = { now: 1_000_000 };
      const members = new Set([bob.id, cy.id]);
      const link = new StubLink(bob.id);
      link.state = 'open';
      const gestures = new CallGestures(
        { hasMember: (id) => members.has(id) },
        () => [link],
        () => clock.now,
      );
      return { gestures, link, clock };
    }

    it("rate-limits each member's reactions: a burst, then one a second; the rest dropped and counted", () => {
      const { gestures, clock } = setUp();
      const seen = gestureEvents.record(gestures, 'reaction');
      for (let i = 0; i < REACTION_RATE.burst + 3; i++) {
        gestures.handle(bob.id, { t: 'reaction', emoji: '👏' });
      }
      assert.equal(seen.length, REACTION_RATE.burst);
      assert.equal(gestures.dropped(bob.id), 3);
      // Another member has a bucket of its own.
      gestures.handle(cy.id, { t: 'reaction', emoji: '🎉' });
      assert.deepEqual(seen.at(-1)?.[0], { peer: cy.id, emoji: '🎉' });
      clock.now += 1000 / REACTION_RATE.perSecond;
      gestures.handle(bob.id, { t: 'reaction', emoji: '👍' });
      gestures.handle(bob.id, { t: 'reaction', emoji: '👍' });
      assert.equal(seen.length, REACTION_RATE.burst + 2);
      assert.equal(gestures.dropped(bob.id), 4);
      assert.equal(gestures.dropped(cy.id), 0);
    });

    it('ignores gestures of anyone who is not a member', () => {
      const { gestures } = setUp();
      const hands = gestureEvents.record(gestures, 'hand');
      const reactions = gestureEvents.record(gestures, 'reaction');
      gestures.handle(ada.id, { t: 'hand', raised: true });
      gestures.handle(ada.id, { t: 'reaction', emoji: '👍' });
      assert.equal(hands.length + reactions.length, 0);
      assert.deepEqual(gestures.hands(), []);
    });

    it('reports a hand on change only, and lowers it when its member leaves', () => {
      const { gestures } = setUp();
      const hands = gestureEvents.record(gestures, 'hand');
      gestures.handle(bob.id, { t: 'hand', raised: false });
      gestures.handle(bob.id, { t: 'hand', raised: true });
      gestures.handle(bob.id, { t: 'hand', raised: true });
      gestures.handle(cy.id, { t: 'hand', raised: true });
      assert.deepEqual(gestures.hands(), [bob.id, cy.id]);
      gestures.memberLeft(bob.id);
      gestures.memberLeft(bob.id);
      assert.deepEqual(
        hands.map(([hand]) => hand),
        [
          { peer: bob.id, raised: true },
          { peer: cy.id, raised: true },
          { peer: bob.id, raised: false },
        ],
      );
      assert.deepEqual(gestures.hands(), [cy.id]);
    });

    it('sends our hand on change and on every link open, and our reactions within our own rate', () => {
      const { gestures, link } = setUp();
      gestures.setHand(true);
      gestures.setHand(true);
      const late = new StubLink(cy.id);
      late.state = 'open';
      gestures.linkOpened(late);
      assert.deepEqual(late.sent, [{ t: 'hand', raised: true }]);
      gestures.setHand(false);
      let sent = 0;
      while (gestures.react('❤️')) sent++;
      assert.equal(sent, REACTION_RATE.burst, 'over our own rate nothing leaves');
      assert.deepEqual(link.sent, [
        { t: 'hand', raised: true },
        { t: 'hand', raised: false },
        ...Array.from({ length: sent }, () => ({ t: 'reaction', emoji: '❤️' })),
      ]);
    });
  });

  describe('between call agents over real links', function () {
    this.timeout(60_000);
    const agents = new CallAgents();
    afterEach(() => agents.closeAll());

    it('a hand and a reaction travel; a late joiner learns the hand; leaving lowers it', async () => {
      const a = await agents.start(1, 'Ada');
      const b = await agents.start(2, 'Bob');
      const c = await agents.start(3, 'Cy');
      await bringIn(a, b, LINK_MS, { bothEnds: true });
      const handAtB = agentEvents.next(b.agent, 'hand', LINK_MS);
      a.agent.call?.gestures.setHand(true);
      assert.deepEqual((await handAtB)[0], { peer: a.node.id, raised: true });

      const reactionAtA = agentEvents.next(a.agent, 'reaction', LINK_MS);
      assert.equal(b.agent.call?.gestures.react('🎉'), true);
      assert.deepEqual((await reactionAtA)[0], { peer: b.node.id, emoji: '🎉' });

      // Cy comes in after the hand went up: his link to Ada tells him.
      const handAtC = agentEvents.next(c.agent, 'hand', LINK_MS);
      await bringIn(b, c, LINK_MS, { bothEnds: true });
      assert.deepEqual((await handAtC)[0], { peer: a.node.id, raised: true });
      assert.deepEqual(c.agent.call?.gestures.hands(), [a.node.id]);

      const loweredAtB = agentEvents.next(b.agent, 'hand', LINK_MS);
      a.agent.leave();
      assert.deepEqual((await loweredAtB)[0], { peer: a.node.id, raised: false });
      assert.deepEqual(b.agent.call?.gestures.hands(), []);
    });
  });
});
