import assert from 'node:assert/strict';
import fc from 'fast-check';
import { equalBytes, peerIdFromPublicKey, signStatement, toBase64 } from '../../crypto/index.js';
import type { IdentityKeys } from '../../crypto/index.js';
import type { ChatAuthor, ChatAuthorName } from '../../p2p/chat/chat-log.js';
import { ChatLog } from '../../p2p/chat/chat-log.js';
import type { ChatWire } from '../../p2p/link/control-messages.js';
import { seededIdentity } from '../helpers/crypto-fixtures.js';

const CALL = '0123456789abcdef0123456789abcdef';
const OTHER_CALL = 'fedcba9876543210fedcba9876543210';

function author(identity: IdentityKeys, name: string): ChatAuthor {
  return {
    id: peerIdFromPublicKey(identity.publicKey),
    name,
    publicKey: identity.publicKey,
    sign: (fields) => signStatement(identity, 'chat', fields),
  };
}

// Signing is the slow part of every test here: one set of authors for the whole file.
const alice = author(seededIdentity(1), 'alice');
const bob = author(seededIdentity(2), 'bob');
const carol = author(seededIdentity(3), 'carol');
const authors = [alice, bob, carol];
/** The call's members as every log here knows them; dave never was one. */
const roster: ChatAuthorName = (id, key) =>
  authors.find((a) => a.id === id && equalBytes(a.publicKey, key))?.name ?? null;
const dave = author(seededIdentity(4), 'dave');

function orderedIds(log: ChatLog): string[] {
  return log.ordered().map((message) => message.id);
}

function acceptNew(log: ChatLog, wire: ChatWire): void {
  const result = log.accept(wire);
  assert.equal(result.status, 'new', `expected ${wire.id} to be new`);
}

describe('ChatLog', () => {
  it('composes signed messages with increasing clocks and keeps them in order', () => {
    const log = new ChatLog(CALL, alice, roster);
    const first = log.compose('hello', 1000);
    const second = log.compose('again', 2000);
    assert.equal(first.message.clock, 1);
    assert.equal(second.message.clock, 2);
    assert.equal(first.message.call, CALL);
    assert.equal(first.message.from, alice.id);
    assert.equal(first.message.ts, 1000);
    assert.equal(first.wire.pk, toBase64(alice.publicKey));
    assert.equal(first.wire.text, 'hello');
    assert.equal(log.size, 2);
    assert.deepEqual(orderedIds(log), [first.message.id, second.message.id]);
    assert.deepEqual(new Set(log.ids()), new Set([first.message.id, second.message.id]));
  });

  it("accepts another member's message once and reports the copy as a duplicate", () => {
    const sender = new ChatLog(CALL, alice, roster);
    const receiver = new ChatLog(CALL, bob, roster);
    const { message, wire } = sender.compose('hi bob');
    const result = receiver.accept(wire);
    assert.deepEqual(result, { status: 'new', message });
    assert.deepEqual(receiver.accept(wire), { status: 'duplicate' });
    assert.deepEqual(receiver.accept({ ...wire }), { status: 'duplicate' });
    assert.equal(receiver.size, 1);
    assert.equal(receiver.rejected, 0);
  });

  it('moves its Lamport clock past every clock it accepts', () => {
    const sender = new ChatLog(CALL, alice, roster);
    const receiver = new ChatLog(CALL, bob, roster);
    const first = sender.compose('one');
    let last = first;
    for (let i = 0; i < 4; i++) last = sender.compose(`more ${i}`);
    assert.equal(last.message.clock, 5);
    acceptNew(receiver, last.wire);
    const reply = receiver.compose('reply');
    assert.equal(reply.message.clock, 6);
    // An older clock does not move it back.
    acceptNew(receiver, first.wire);
    assert.equal(receiver.compose('later').message.clock, 7);
  });

  describe('rejects, counts and never stores', () => {
    const sender = new ChatLog(CALL, alice, roster);
    const { wire } = sender.compose('the original');

    const cases: { name: string; wire: () => ChatWire; reason: string }[] = [
      { name: 'altered text', wire: () => ({ ...wire, text: 'forged' }), reason: 'bad signature' },
      { name: 'altered clock', wire: () => ({ ...wire, clock: 99 }), reason: 'bad signature' },
      { name: 'altered name', wire: () => ({ ...wire, name: 'mallory' }), reason: 'bad signature' },
      {
        name: "a signature by someone else's key",
        wire: () => ({ ...wire, sig: toBase64(bob.sign(['x'])) }),
        reason: 'bad signature',
      },
      {
        name: 'an author id that does not belong to the key',
        wire: () => ({ ...wire, from: bob.id }),
        reason: 'author id does not match its key',
      },
      {
        name: "another key claiming the author's id",
        wire: () => ({ ...wire, pk: toBase64(bob.publicKey) }),
        reason: 'author id does not match its key',
      },
      {
        name: 'an author who never was a member',
        wire: () => new ChatLog(CALL, dave, roster).compose('let me in').wire,
        reason: 'author is not a member of the call',
      },
      {
        name: 'a key of the wrong length',
        wire: () => ({ ...wire, pk: toBase64(new Uint8Array(16)) }),
        reason: 'author id does not match its key',
      },
    ];
    for (const { name, wire: make, reason } of cases) {
      it(name, () => {
        const receiver = new ChatLog(CALL, bob, roster);
        assert.deepEqual(receiver.accept(make()), { status: 'rejected', reason });
        assert.equal(receiver.rejected, 1);
        assert.equal(receiver.size, 0);
        // The genuine message still goes through afterwards: a forgery does not poison its id.
        acceptNew(receiver, wire);
      });
    }

    it('a message signed for another call', () => {
      const elsewhere = new ChatLog(OTHER_CALL, carol, roster);
      assert.deepEqual(elsewhere.accept(wire), { status: 'rejected', reason: 'bad signature' });
      assert.equal(elsewhere.rejected, 1);
      assert.equal(elsewhere.size, 0);
    });
  });

  it("a stranger's message held under an id does not keep a member's message with that id out", () => {
    const genuine = new ChatLog(CALL, alice, roster).compose('mine').wire;
    const fields = [CALL, genuine.id, dave.id, 'dave', String(genuine.ts), '1', 'squatting'];
    const squatter: ChatWire = {
      ...genuine,
      from: dave.id,
      name: 'dave',
      clock: 1,
      text: 'squatting',
      pk: toBase64(dave.publicKey),
      sig: toBase64(dave.sign(fields)),
    };
    const receiver = new ChatLog(CALL, bob, roster);
    assert.equal(receiver.accept(squatter).status, 'rejected');
    acceptNew(receiver, genuine);
    assert.deepEqual(receiver.acceptHeld(dave.id), []);
  });

  it('missingFor lists what the other side lacks, in display order', () => {
    const a = new ChatLog(CALL, alice, roster);
    const b = new ChatLog(CALL, bob, roster);
    const m1 = a.compose('one');
    const m2 = a.compose('two');
    const m3 = a.compose('three');
    acceptNew(b, m2.wire);
    const missing = a.missingFor(new Set(b.ids()));
    assert.deepEqual(
      missing.map((wire) => wire.id),
      [m1.message.id, m3.message.id],
    );
    assert.deepEqual(missing[0], m1.wire);
    for (const wire of missing) acceptNew(b, wire);
    assert.deepEqual(orderedIds(b), orderedIds(a));
    assert.deepEqual(a.missingFor(new Set(b.ids())), []);
    // b holds nothing a lacks.
    assert.deepEqual(b.missingFor(new Set(a.ids())), []);
  });

  it('property: any exchange, then a full anti-entropy round, gives one order everywhere', () => {
    type Step = { kind: 'say'; who: number } | { kind: 'sync'; from: number; to: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant('say' as const), who: fc.nat(2) }),
      fc.record({ kind: fc.constant('sync' as const), from: fc.nat(2), to: fc.nat(2) }),
    );
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
        (steps, shuffleKeys) => {
          const logs = authors.map((who) => new ChatLog(CALL, who, roster));
          // For causality: what each message's author had seen when composing it.
          const seenBefore = new Map<string, string[]>();
          let texts = 0;
          for (const s of steps) {
            if (s.kind === 'say') {
              const log = logs[s.who]!;
              const before = log.ids();
              const { message } = log.compose(`text ${texts++}`);
              seenBefore.set(message.id, before);
            } else if (s.from !== s.to) {
              const to = logs[s.to]!;
              for (const wire of logs[s.from]!.missingFor(new Set(to.ids()))) acceptNew(to, wire);
            }
          }
          // Anti-entropy between every pair.
          for (const from of logs) {
            for (const to of logs) {
              if (from === to) continue;
              for (const wire of from.missingFor(new Set(to.ids()))) to.accept(wire);
            }
          }
          // An observer that receives every message in an arbitrary order.
          const all = logs[0]!.missingFor(new Set());
          const shuffled = all
            .map((wire, i) => ({ wire, key: shuffleKeys[i % shuffleKeys.length]! * 31 + i }))
            .sort((x, y) => x.key - y.key)
            .map((entry) => entry.wire);
          const observer = new ChatLog(CALL, carol, roster);
          for (const wire of shuffled) acceptNew(observer, wire);

          const reference = orderedIds(logs[0]!);
          assert.equal(reference.length, texts);
          for (const log of [...logs, observer]) assert.deepEqual(orderedIds(log), reference);
          // Everything an author had seen comes before what it then wrote.
          const position = new Map(reference.map((id, i) => [id, i]));
          for (const [id, before] of seenBefore) {
            for (const earlier of before) assert.ok(position.get(earlier)! < position.get(id)!);
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});
