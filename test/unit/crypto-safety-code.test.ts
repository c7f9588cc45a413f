import assert from 'node:assert/strict';
import { safetyCode } from '../../crypto/index.js';
import { seededIdentity, throwsMisuse } from '../helpers/crypto-fixtures.js';

const FORMAT = /^\d{5}( \d{5}){5}$/;

describe('crypto safety code', () => {
  const a = seededIdentity(1).publicKey;
  const b = seededIdentity(2).publicKey;
  const c = seededIdentity(3).publicKey;

  it('is six groups of five digits', () => {
    assert.match(safetyCode(a, b), FORMAT);
    for (let seed = 10; seed < 40; seed++) {
      assert.match(safetyCode(a, seededIdentity(seed).publicKey), FORMAT);
    }
  });

  it('is the same on both screens', () => {
    assert.equal(safetyCode(a, b), safetyCode(b, a));
  });

  it('changes when either key changes', () => {
    const code = safetyCode(a, b);
    assert.notEqual(safetyCode(c, b), code);
    assert.notEqual(safetyCode(a, c), code);
    const tampered = b.slice();
    tampered[31] = (tampered[31] ?? 0) ^ 0x80;
    assert.notEqual(safetyCode(a, tampered), code);
  });

  it('refuses keys that are not 32 bytes', () => {
    throwsMisuse(() => safetyCode(a, new Uint8Array(31)), 'ERR_KEY_LENGTH');
    throwsMisuse(() => safetyCode(new Uint8Array(64), b), 'ERR_KEY_LENGTH');
  });
});
