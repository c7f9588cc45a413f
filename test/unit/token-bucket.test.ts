import assert from 'node:assert/strict';
import { TokenBucket } from '../../p2p/base/token-bucket.js';

describe('TokenBucket', () => {
  it('gives a burst up to its capacity, then refills in proportion to the time passed', () => {
    let now = 1000;
    const bucket = new TokenBucket({ burst: 10, perSecond: 10 }, () => now);
    assert.equal(bucket.take(10), true);
    assert.equal(bucket.take(1), false);
    now += 500;
    assert.equal(bucket.take(6), false, 'half the refill time gives half the tokens');
    assert.equal(bucket.take(5), true);
    now += 60_000;
    assert.equal(bucket.take(11), false, 'never more than the capacity');
    assert.equal(bucket.take(10), true);
  });
});
