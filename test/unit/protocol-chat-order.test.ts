/** Chat display order (protocol/chat-order.ts): the same list whatever the arrival order. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ChatOrderKey } from '../../protocol/chat-order.js';
import { compareMessages, mergeMessages } from '../../protocol/chat-order.js';

interface Message extends ChatOrderKey {
  readonly text: string;
}

// Few distinct clocks and authors, so ties on the first keys are common.
const messagesArb = fc.uniqueArray(
  fc.record({
    clock: fc.integer({ min: 1, max: 4 }),
    from: fc.constantFrom('a'.repeat(32), 'b'.repeat(32), 'c'.repeat(32)),
    id: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 1, maxLength: 4 }),
    text: fc.string({ maxLength: 5 }),
  }),
  { selector: (message) => message.id, maxLength: 30 },
);

/** Delivers `messages` in a random order, in random batches, with random repeats. */
const arrivalArb = (messages: Message[]): fc.Arbitrary<Message[][]> =>
  fc
    .tuple(
      fc.shuffledSubarray(messages, { minLength: messages.length }),
      fc.array(fc.nat(), { maxLength: 10 }),
      fc.array(fc.nat({ max: 40 }), { maxLength: 8 }),
    )
    .map(([order, repeats, cuts]) => {
      const stream = [...order];
      for (const pick of repeats) {
        const repeated = order[pick % Math.max(order.length, 1)];
        if (repeated) stream.splice(pick % (stream.length + 1), 0, repeated);
      }
      const batches: Message[][] = [];
      let start = 0;
      for (const cut of [...cuts].sort((a, b) => a - b)) {
        if (cut <= start || cut >= stream.length) continue;
        batches.push(stream.slice(start, cut));
        start = cut;
      }
      batches.push(stream.slice(start));
      return batches;
    });

function receive(arrivals: Message[][]): readonly Message[] {
  let shown: readonly Message[] = [];
  for (const batch of arrivals) shown = mergeMessages(shown, batch).messages;
  return shown;
}

describe('protocol: chat order', () => {
  it('orders by clock, then author, then id', () => {
    const m = (clock: number, from: string, id: string): Message => ({ clock, from, id, text: '' });
    const sorted = [m(2, 'a', 'z'), m(1, 'b', 'a'), m(1, 'a', 'y'), m(1, 'a', 'x')].sort(
      compareMessages,
    );
    assert.deepEqual(
      sorted.map((message) => `${message.clock}${message.from}${message.id}`),
      ['1ax', '1ay', '1ba', '2az'],
    );
    assert.equal(compareMessages(m(1, 'a', 'x'), m(1, 'a', 'x')), 0);
  });

  it('shows the same list whatever the arrival order, batching and duplicates', () => {
    fc.assert(
      fc.property(
        messagesArb.chain((messages) =>
          fc.tuple(fc.constant(messages), arrivalArb(messages), arrivalArb(messages)),
        ),
        ([messages, first, second]) => {
          const expected = [...messages].sort(compareMessages);
          const one = receive(first);
          assert.deepEqual(one, expected);
          assert.deepEqual(receive(second), one);
          for (let i = 1; i < one.length; i++) {
            const [before, after] = [one[i - 1], one[i]];
            assert.ok(before && after && compareMessages(before, after) < 0);
          }
        },
      ),
    );
  });

  it('reports only new messages and keeps the same list when nothing is new', () => {
    const a: Message = { clock: 1, from: 'a', id: '1', text: 'x' };
    const b: Message = { clock: 1, from: 'b', id: '2', text: 'y' };
    const first = mergeMessages([], [b, a, b]);
    assert.deepEqual(first.messages, [a, b]);
    assert.deepEqual(first.added, [b, a]);
    const again = mergeMessages(first.messages, [a]);
    assert.equal(again.messages, first.messages);
    assert.deepEqual(again.added, []);
  });
});
