/** The watch party's replicated state: last writer wins on (epoch, HLC, peer id). */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { PartyState } from '../../p2p/party/party-state.js';
import {
  HybridClock,
  compareStates,
  mergeStates,
  partyStateSchema,
  positionAt,
} from '../../p2p/party/party-state.js';

const PEERS = ['a'.repeat(32), 'b'.repeat(32), 'c'.repeat(32)];

function state(over: Partial<PartyState>): PartyState {
  return {
    party: 'f'.repeat(32),
    epoch: 0,
    streamer: PEERS[0] ?? '',
    title: 'clip.mp4',
    duration: 60,
    paused: false,
    position: 0,
    at: 1000,
    rate: 1,
    updatedBy: PEERS[0] ?? '',
    hlc: { wall: 1000, counter: 0 },
    ...over,
  };
}

/** Updates as members write them: each with its own clock, skewed, observing some others. */
const updates = fc
  .array(
    fc.record({
      by: fc.integer({ min: 0, max: 2 }),
      epoch: fc.integer({ min: 0, max: 2 }),
      wall: fc.integer({ min: 0, max: 50 }),
      paused: fc.boolean(),
      position: fc.integer({ min: 0, max: 60 }),
      observe: fc.integer({ min: -1, max: 20 }),
    }),
    { minLength: 1, maxLength: 20 },
  )
  .map((specs) => {
    const walls = [0, 0, 0];
    const clocks = PEERS.map((_, i) => new HybridClock(() => walls[i] ?? 0));
    const written: PartyState[] = [];
    for (const spec of specs) {
      walls[spec.by] = spec.wall;
      const clock = clocks[spec.by];
      assert.ok(clock);
      const seen = written[spec.observe];
      if (seen) clock.observe(seen.hlc);
      written.push(
        state({
          epoch: spec.epoch,
          paused: spec.paused,
          position: spec.position,
          updatedBy: PEERS[spec.by] ?? '',
          hlc: clock.tick(),
        }),
      );
    }
    return written;
  });

describe('party state: last writer wins', () => {
  it('any delivery order of the same updates gives the same state on every member', () => {
    fc.assert(
      fc.property(
        updates.chain((list) =>
          fc.tuple(
            fc.constant(list),
            fc.array(fc.shuffledSubarray(list, { minLength: list.length }), {
              minLength: 3,
              maxLength: 3,
            }),
          ),
        ),
        ([list, orders]) => {
          const finals = orders.map((order) =>
            order.reduce<PartyState | null>((held, update) => mergeStates(held, update), null),
          );
          const best = [...list].sort(compareStates).at(-1);
          for (const final of finals) assert.deepEqual(final, best);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('no two states written by members compare equal (the order is total)', () => {
    fc.assert(
      fc.property(updates, (list) => {
        for (let i = 0; i < list.length; i++) {
          for (let j = i + 1; j < list.length; j++) {
            const [a, b] = [list[i], list[j]] as [PartyState, PartyState];
            assert.notEqual(compareStates(a, b), 0);
            assert.equal(Math.sign(compareStates(a, b)), -Math.sign(compareStates(b, a)));
          }
        }
      }),
    );
  });

  it('a command written after seeing a state wins over it, even with a clock behind', () => {
    const ahead = new HybridClock(() => 10_000);
    const behind = new HybridClock(() => 9_000);
    const seen = state({ hlc: ahead.tick(), updatedBy: PEERS[2] ?? '' });
    behind.observe(seen.hlc);
    const answer = state({ hlc: behind.tick(), updatedBy: PEERS[0] ?? '' });
    assert.ok(compareStates(answer, seen) > 0);
    assert.equal(mergeStates(seen, answer), answer);
  });

  it('a new epoch (a takeover) wins over any state of the one before', () => {
    const old = state({ epoch: 1, hlc: { wall: 99_999, counter: 9 } });
    const next = state({ epoch: 2, hlc: { wall: 1, counter: 0 } });
    assert.equal(mergeStates(old, next), next);
    assert.equal(mergeStates(next, old), next);
  });

  it('the playhead advances at the rate while playing, stands while paused, stops at the end', () => {
    const playing = state({ position: 10, at: 5000, rate: 2 });
    assert.equal(positionAt(playing, 6000), 12);
    assert.equal(positionAt({ ...playing, paused: true }, 60_000), 10);
    assert.equal(positionAt(playing, 1_000_000), 60);
  });

  it('refuses malformed states from the wire', () => {
    assert.ok(partyStateSchema.safeParse(state({})).success);
    for (const bad of [{ position: -1 }, { rate: 40 }, { party: 'x' }, { epoch: 1.5 }]) {
      assert.equal(partyStateSchema.safeParse({ ...state({}), ...bad }).success, false);
    }
    assert.equal(partyStateSchema.safeParse({ ...state({}), extra: 1 }).success, false);
  });
});
