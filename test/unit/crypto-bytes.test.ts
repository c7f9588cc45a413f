import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  compareBytes,
  concatBytes,
  equalBytes,
  fromBase64,
  fromHex,
  fromUtf8,
  readU32BE,
  readU64BE,
  toBase64,
  toHex,
  utf8,
  writeU32BE,
  writeU64BE,
} from '../../crypto/index.js';
import { throwsMisuse } from '../helpers/crypto-fixtures.js';

describe('crypto bytes', () => {
  it('concatenates in order', () => {
    const joined = concatBytes(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3));
    assert.deepEqual([...joined], [1, 2, 3]);
    assert.equal(concatBytes().length, 0);
  });

  it('compares for equality, false on different lengths', () => {
    assert.ok(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2)));
    assert.ok(!equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3)));
    assert.ok(!equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 0)));
    assert.ok(equalBytes(new Uint8Array(0), new Uint8Array(0)));
  });

  it('orders lexicographically with prefixes first', () => {
    assert.equal(compareBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3)), -1);
    assert.equal(compareBytes(Uint8Array.of(2), Uint8Array.of(1, 255)), 1);
    assert.equal(compareBytes(Uint8Array.of(1), Uint8Array.of(1, 0)), -1);
    assert.equal(compareBytes(Uint8Array.of(1, 0), Uint8Array.of(1, 0)), 0);
  });

  describe('hex', () => {
    it('round trips', () => {
      fc.assert(fc.property(fc.uint8Array(), (bytes) => equalBytes(fromHex(toHex(bytes)), bytes)));
      assert.equal(toHex(Uint8Array.of(0, 15, 255)), '000fff');
    });

    it('rejects odd length, uppercase and non-hex', () => {
      for (const bad of ['abc', 'AB', 'zz', '0x00', ' 00', '0g']) {
        throwsMisuse(() => fromHex(bad), 'ERR_BAD_ENCODING');
      }
    });
  });

  describe('base64', () => {
    it('matches RFC 4648 examples', () => {
      const examples: [string, string][] = [
        ['', ''],
        ['f', 'Zg=='],
        ['fo', 'Zm8='],
        ['foo', 'Zm9v'],
        ['foob', 'Zm9vYg=='],
        ['fooba', 'Zm9vYmE='],
        ['foobar', 'Zm9vYmFy'],
      ];
      for (const [plain, encoded] of examples) {
        assert.equal(toBase64(utf8(plain)), encoded);
        assert.equal(fromUtf8(fromBase64(encoded)), plain);
      }
      assert.equal(toBase64(Uint8Array.of(0xfb, 0xff)), '+/8=');
    });

    it('round trips', () => {
      fc.assert(
        fc.property(fc.uint8Array(), (bytes) => equalBytes(fromBase64(toBase64(bytes)), bytes)),
      );
    });

    it('rejects anything but canonical padded standard base64', () => {
      for (const bad of [
        'Zg', // missing padding
        'Zg=', // short padding
        'Zh==', // non-zero unused bits
        'Zm9=', // non-zero unused bits
        'Z===',
        '=Zg=',
        'Zg==Zg==', // padding in the middle
        'Zm 9v',
        'Zm9v\n',
        '-_8=', // URL-safe alphabet
        'Zm9v=',
      ]) {
        throwsMisuse(() => fromBase64(bad), 'ERR_BAD_ENCODING');
      }
    });
  });

  describe('utf8', () => {
    it('round trips, keeping a leading byte-order mark', () => {
      for (const text of ['', 'héllo', '\u{1f600}', '\ufeffx']) {
        assert.equal(fromUtf8(utf8(text)), text);
      }
    });

    it('rejects invalid UTF-8', () => {
      throwsMisuse(() => fromUtf8(Uint8Array.of(0xc3)), 'ERR_BAD_ENCODING');
      throwsMisuse(() => fromUtf8(Uint8Array.of(0xff)), 'ERR_BAD_ENCODING');
    });
  });

  describe('big-endian integers', () => {
    it('writes and reads u64 at an offset', () => {
      const out = new Uint8Array(10);
      writeU64BE(0x0102030405060708n, out, 1);
      assert.equal(toHex(out), '00010203040506070800');
      assert.equal(readU64BE(out, 1), 0x0102030405060708n);
      writeU64BE((1n << 64n) - 1n, out, 2);
      assert.equal(readU64BE(out, 2), (1n << 64n) - 1n);
    });

    it('writes and reads u32 in a subarray', () => {
      const backing = new Uint8Array(8);
      const view = backing.subarray(2, 6);
      writeU32BE(0xdeadbeef, view, 0);
      assert.equal(toHex(backing), '0000deadbeef0000');
      assert.equal(readU32BE(view, 0), 0xdeadbeef);
    });

    it('refuses values out of range and offsets past the end', () => {
      const out = new Uint8Array(8);
      throwsMisuse(() => writeU64BE(-1n, out, 0), 'ERR_BAD_ARGUMENT');
      throwsMisuse(() => writeU64BE(1n << 64n, out, 0), 'ERR_BAD_ARGUMENT');
      throwsMisuse(() => writeU64BE(1n, out, 1), 'ERR_BAD_ARGUMENT');
      throwsMisuse(() => writeU32BE(2 ** 32, out, 0), 'ERR_BAD_ARGUMENT');
      throwsMisuse(() => writeU32BE(1.5, out, 0), 'ERR_BAD_ARGUMENT');
      throwsMisuse(() => writeU32BE(1, out, 5), 'ERR_BAD_ARGUMENT');
      throwsMisuse(() => readU32BE(out, -1), 'ERR_BAD_ARGUMENT');
      throwsMisuse(() => readU64BE(out, 1), 'ERR_BAD_ARGUMENT');
    });
  });
});
