import assert from 'node:assert/strict';
import { MAX_ANSWER_BYTES, parseRange } from '../../main/bridge/party-media.js';

describe("the party film's Range header (main/bridge/party-media.ts)", () => {
  const size = 10 * MAX_ANSWER_BYTES;

  it('reads a-b, a- and -n, with an exclusive end capped at one answer', () => {
    assert.deepEqual(parseRange('bytes=0-99', size), { start: 0, end: 100 });
    assert.deepEqual(parseRange('bytes=100-', size), { start: 100, end: 100 + MAX_ANSWER_BYTES });
    assert.deepEqual(parseRange('bytes=-500', size), { start: size - 500, end: size });
    assert.deepEqual(parseRange('bytes=5-5', size), { start: 5, end: 6 });
  });

  it('treats a missing or foreign header as the start of the file', () => {
    assert.deepEqual(parseRange(undefined, size), { start: 0, end: MAX_ANSWER_BYTES });
    assert.deepEqual(parseRange('items=0-4', size), { start: 0, end: MAX_ANSWER_BYTES });
    assert.deepEqual(parseRange('bytes=0-1,5-9', size), { start: 0, end: MAX_ANSWER_BYTES });
  });

  it('clamps an end past the file and refuses what lies outside it', () => {
    assert.deepEqual(parseRange('bytes=0-999999999', 1000), { start: 0, end: 1000 });
    for (const header of ['bytes=1000-', 'bytes=7-3', 'bytes=-', 'bytes=99999999999999999999-']) {
      assert.deepEqual(parseRange(header, 1000), { unsatisfiable: true }, header);
    }
  });
});
