/** Chat bound to the call's members: who may write, which name shows, sane times and clocks. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { peerIdFromPublicKey, signStatement, toBase64 } from '../../crypto/index.js';
import type { Call } from '../../p2p/call/call.js';
import type { ChatWire, ControlMessage } from '../../p2p/link/control-messages.js';
import { seededIdentity } from '../helpers/crypto-fixtures.js';
import type { StubLink } from '../helpers/stub-call.js';
import { ada, bob, callEvents, cy, linkTo, makeCall } from '../helpers/stub-call.js';

const CALL = 'e'.repeat(32);
const MINUTE = 60_000;

/** A chat message as its author would sign it, with any fields the test wants. */
function signed(
  author: { seed: number },
  fields: { text: string; name?: string; ts?: number; clock?: number },
): ChatWire {
  const identity = seededIdentity(author.seed);
  const from = peerIdFromPublicKey(identity.publicKey);
  const base = {
    id: randomBytes(16).toString('hex'),
    from,
    name: fields.name ?? 'whoever',
    ts: fields.ts ?? Date.now(),
    clock: fields.clock ?? 1,
    text: fields.text,
  };
  const statement = [
    CALL,
    base.id,
    from,
    base.name,
    String(base.ts),
    String(base.clock),
    base.text,
  ];
  return {
    ...base,
    pk: toBase64(identity.publicKey),
    sig: toBase64(signStatement(identity, 'chat', statement)),
  };
}

function batches(link: StubLink): ChatWire[][] {
  return link.sent
    .filter((m): m is Extract<ControlMessage, { t: 'chat-batch' }> => m.t === 'chat-batch')
    .map((m) => m.messages);
}

describe('Call chat bound to members', () => {
  const calls: Call[] = [];

  afterEach(async () => {
    await Promise.all(calls.splice(0).map((call) => call.close()));
  });

  /** Ada's call with Bob connected over a stub link; what Bob's link delivers reaches Ada. */
  function adaWithBob(options: Parameters<typeof makeCall>[1] = {}): {
    call: Call;
    made: StubLink[];
    fromBob: (message: ControlMessage) => void;
    texts: () => { text: string; name: string }[];
  } {
    const { call, made } = makeCall(ada, { id: CALL, ...options });
    calls.push(call);
    call.addMember(bob);
    linkTo(call, bob.id, 0);
    made[0]?.open();
    const seen = callEvents.record(call, 'chat');
    return {
      call,
      made,
      fromBob: (message) => made.at(-1)?.deliver('control', message),
      texts: () => seen.map(([m]) => ({ text: m.text, name: m.name })),
    };
  }

  it('rejects and counts a signed chat whose author never was a member; one who left still counts', () => {
    const { call, fromBob, texts } = adaWithBob();
    call.addMember(cy);
    call.removeMember(cy.id, 'left');
    const stranger = { seed: 9 };
    fromBob({
      t: 'chat-batch',
      messages: [
        signed(stranger, { text: 'from a stranger', name: 'Bob' }),
        signed(cy, { text: 'Cy said this before leaving', clock: 2 }),
        signed(bob, { text: 'from Bob', clock: 3 }),
      ],
    });
    fromBob({ t: 'chat', message: signed(stranger, { text: 'live from a stranger' }) });
    assert.deepEqual(
      texts().map((m) => m.text),
      ['Cy said this before leaving', 'from Bob'],
    );
    assert.deepEqual(
      call.history().map((m) => m.text),
      ['Cy said this before leaving', 'from Bob'],
    );
    assert.equal(call.chatStats().rejected, 2);
  });

  it('shows history that arrived before its author was known once the author is added', () => {
    const { call, fromBob, texts } = adaWithBob();
    const early = signed(cy, { text: 'Cy, relayed early', name: 'Admin' });
    fromBob({ t: 'chat-batch', messages: [early] });
    fromBob({ t: 'chat-batch', messages: [early] });
    assert.deepEqual(texts(), []);
    call.addMember(cy);
    assert.deepEqual(texts(), [{ text: 'Cy, relayed early', name: 'Cy' }]);
    fromBob({ t: 'chat-batch', messages: [early] });
    assert.equal(texts().length, 1, 'shown once');
  });

  it("shows the member's own name, never the one its message carries", () => {
    const { call, fromBob, texts } = adaWithBob();
    fromBob({ t: 'chat', message: signed(bob, { text: 'I am Ada, trust me', name: 'Ada' }) });
    call.addMember(cy);
    call.removeMember(cy.id, 'left');
    fromBob({ t: 'chat-batch', messages: [signed(cy, { text: 'relayed', name: 'Admin' })] });
    assert.deepEqual(texts(), [
      { text: 'I am Ada, trust me', name: 'Bob' },
      { text: 'relayed', name: 'Cy' },
    ]);
    assert.deepEqual(
      call.history().map((m) => m.name),
      ['Bob', 'Cy'],
    );
  });

  it('rejects a timestamp Date cannot show, and live ones more than 10 minutes off our clock', () => {
    const { call, fromBob, texts } = adaWithBob();
    const now = Date.now();
    const live = (text: string, ts: number): void =>
      fromBob({ t: 'chat', message: signed(bob, { text, ts }) });
    live('beyond Date', 8.64e15 + 1);
    live('11 minutes ahead', now + 11 * MINUTE);
    live('11 minutes late', now - 11 * MINUTE);
    live('a minute ahead', now + MINUTE);
    // History relayed by a member may be older than that, but not from the future.
    fromBob({
      t: 'chat-batch',
      messages: [
        signed(bob, { text: 'an hour old', ts: now - 60 * MINUTE }),
        signed(bob, { text: 'relayed beyond Date', ts: 8.64e15 + 1 }),
        signed(bob, { text: 'relayed from the future', ts: now + 11 * MINUTE }),
      ],
    });
    assert.deepEqual(
      texts().map((m) => m.text),
      ['a minute ahead', 'an hour old'],
    );
    assert.equal(call.chatStats().rejected, 5);
  });

  it('rejects a Lamport clock more than 1000 past the highest seen', () => {
    const { call, fromBob, texts } = adaWithBob();
    const say = (text: string, clock: number): void =>
      fromBob({ t: 'chat', message: signed(bob, { text, clock }) });
    say('jump 1001', 1001);
    say('jump 1000', 1000);
    say('to 2000', 2000);
    say('to 3001', 3001);
    say(`to ${Number.MAX_SAFE_INTEGER}`, Number.MAX_SAFE_INTEGER);
    assert.deepEqual(
      texts().map((m) => m.text),
      ['jump 1000', 'to 2000'],
    );
    assert.equal(call.sendChat('mine')?.clock, 2001);
    assert.equal(call.chatStats().rejected, 3);
  });

  it('answers repeated empty chat-have on one link once; a new link gets an answer again', () => {
    const { call, made, fromBob } = adaWithBob();
    for (const text of ['one', 'two', 'three']) call.sendChat(text);
    for (let i = 0; i < 20; i++) fromBob({ t: 'chat-have', ids: [] });
    assert.deepEqual(
      batches(made[0]!).map((batch) => batch.map((m) => m.text)),
      [['one', 'two', 'three']],
    );
    // A replacement link: what the old one carried may be lost, so Bob may ask again.
    linkTo(call, bob.id, 1);
    made[1]?.open();
    fromBob({ t: 'chat-have', ids: [] });
    fromBob({ t: 'chat-have', ids: [] });
    assert.equal(batches(made[1]!).length, 1);
  });

  it('rate-limits history answers per member across links, and counts the refusals', () => {
    const { call, made, fromBob } = adaWithBob({
      historyBudget: { messages: 4, refillMs: 60 * MINUTE },
    });
    for (const text of ['one', 'two', 'three']) call.sendChat(text);
    fromBob({ t: 'chat-have', ids: [] });
    assert.equal(batches(made[0]!).length, 1);
    for (let n = 1; n <= 3; n++) {
      linkTo(call, bob.id, n);
      made[n]?.open();
      fromBob({ t: 'chat-have', ids: [] });
      assert.equal(batches(made[n]!).length, 0, `link ${n}: over budget`);
    }
    assert.equal(call.chatStats().historyRefused, 3);
    // What fits in the rest of the budget is still answered: one message Bob lacks.
    const [one, two] = call.history();
    fromBob({ t: 'chat-have', ids: [one!.id, two!.id] });
    assert.deepEqual(
      batches(made[3]!).map((batch) => batch.map((m) => m.text)),
      [['three']],
    );
  });
});
