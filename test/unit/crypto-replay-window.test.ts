import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ReplayWindow } from '../../crypto/index.js';
import { throwsMisuse } from '../helpers/crypto-fixtures.js';

const U64_MAX = (1n << 64n) - 1n;

function acceptAll(window: ReplayWindow, counters: bigint[]): void {
  for (const counter of counters) window.accept(counter);
}

describe('crypto replay window', () => {
  it('starts empty: everything is fresh', () => {
    const window = new ReplayWindow();
    assert.equal(window.highest, null);
    assert.equal(window.check(0n), 'fresh');
    assert.equal(window.check(U64_MAX), 'fresh');
  });

  it('accepts each counter once, in order', () => {
    const window = new ReplayWindow(64);
    for (let counter = 0n; counter < 200n; counter++) {
      assert.equal(window.check(counter), 'fresh');
      window.accept(counter);
      assert.equal(window.check(counter), 'replayed');
      assert.equal(window.highest, counter);
    }
  });

  it('accepts out-of-order counters within the window exactly once', () => {
    const window = new ReplayWindow(64);
    acceptAll(window, [10n, 5n, 7n, 6n, 12n]);
    assert.equal(window.highest, 12n);
    for (const seen of [5n, 6n, 7n, 10n, 12n]) assert.equal(window.check(seen), 'replayed');
    for (const unseen of [0n, 4n, 8n, 9n, 11n, 13n]) assert.equal(window.check(unseen), 'fresh');
  });

  it('calls stale exactly the counters below highest - size + 1', () => {
    const window = new ReplayWindow(32);
    window.accept(100n);
    assert.equal(window.check(69n), 'fresh'); // highest - size + 1: oldest still tracked
    assert.equal(window.check(68n), 'stale');
    assert.equal(window.check(0n), 'stale');
    window.accept(69n);
    assert.equal(window.check(69n), 'replayed');
  });

  it('forgets what slides out and what a jump skips over', () => {
    const window = new ReplayWindow(32);
    acceptAll(window, [0n, 1n, 2n]);
    window.accept(33n); // 0 and 1 slide out; 2 stays
    assert.equal(window.check(1n), 'stale');
    assert.equal(window.check(2n), 'replayed');
    // 34 and 35 share bits with 2 and 3; after the jump 2 is out and 34 must read fresh.
    window.accept(35n);
    assert.equal(window.check(2n), 'stale');
    assert.equal(window.check(34n), 'fresh');
    assert.equal(window.check(33n), 'replayed');
  });

  it('clears everything on a jump of a whole window or more', () => {
    const window = new ReplayWindow(32);
    acceptAll(window, [0n, 1n, 2n, 3n]);
    window.accept(1000n);
    assert.equal(window.highest, 1000n);
    assert.equal(window.check(3n), 'stale');
    for (let counter = 969n; counter < 1000n; counter++) {
      assert.equal(window.check(counter), 'fresh', String(counter));
    }
    window.accept(1000n + 32n);
    assert.equal(window.check(1000n), 'stale');
    assert.equal(window.check(1001n), 'fresh');
  });

  it('handles the top of the counter space', () => {
    const window = new ReplayWindow(32);
    window.accept(U64_MAX);
    assert.equal(window.check(U64_MAX), 'replayed');
    assert.equal(window.check(U64_MAX - 31n), 'fresh');
    assert.equal(window.check(U64_MAX - 32n), 'stale');
  });

  it('never accepts a counter twice, whatever the arrival order (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: 300n }), { maxLength: 400 }), (arrivals) => {
        const window = new ReplayWindow(64);
        const accepted = new Set<bigint>();
        for (const counter of arrivals) {
          const verdict = window.check(counter);
          const highest = window.highest;
          if (highest !== null && counter <= highest - 64n) assert.equal(verdict, 'stale');
          else assert.equal(verdict, accepted.has(counter) ? 'replayed' : 'fresh');
          if (verdict === 'fresh') {
            window.accept(counter);
            accepted.add(counter);
          }
        }
      }),
    );
  });

  it('refuses bad sizes, bad counters and accepting what check refuses', () => {
    for (const size of [0, -32, 31, 33, 1.5, Number.NaN]) {
      throwsMisuse(() => new ReplayWindow(size), 'ERR_BAD_ARGUMENT');
    }
    const window = new ReplayWindow(32);
    throwsMisuse(() => window.check(-1n), 'ERR_BAD_ARGUMENT');
    throwsMisuse(() => window.check(U64_MAX + 1n), 'ERR_BAD_ARGUMENT');
    throwsMisuse(() => window.check(5 as unknown as bigint), 'ERR_BAD_ARGUMENT');
    window.accept(100n);
    throwsMisuse(() => window.accept(100n), 'ERR_BAD_ARGUMENT');
    throwsMisuse(() => window.accept(1n), 'ERR_BAD_ARGUMENT');
  });
});
