import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Opener, Sealer, equalBytes, toHex } from '../../crypto/index.js';

const KEY = new Uint8Array(32).fill(0x3c);
const HEADER_LENGTH = 13;

describe('crypto sealing properties', () => {
  it('never repeats a nonce across sealers that share a key under distinct key ids', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.nat({ max: 2 ** 32 - 1 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 300 }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1000n }),
        (keyIds, picks, startCounter) => {
          const sealers = keyIds.map((keyId) => new Sealer(KEY, keyId, startCounter));
          const nonces = new Set<string>();
          for (const pick of picks) {
            const packet = sealers[pick % sealers.length]!.seal(new Uint8Array(0));
            // The header is the whole varying part of the nonce: the rest is zero padding.
            const nonce = toHex(packet.subarray(0, HEADER_LENGTH));
            assert.ok(!nonces.has(nonce), `nonce ${nonce} reused`);
            nonces.add(nonce);
          }
        },
      ),
    );
  });

  it('opens exactly what was sealed', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 2000 }), { maxLength: 20 }), (messages) => {
        const sealer = new Sealer(KEY, 1);
        const opener = new Opener();
        opener.addKey(1, KEY);
        for (const message of messages) {
          const result = opener.open(sealer.seal(message));
          assert.ok(result.ok);
          assert.ok(equalBytes(result.plaintext, message));
        }
      }),
    );
  });

  it('never opens a packet with any single byte changed', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (message, position, mask) => {
          const packet = new Sealer(KEY, 9).seal(message);
          const index = position % packet.length;
          const damaged = packet.slice();
          damaged[index] = (damaged[index] ?? 0) ^ mask;
          const opener = new Opener();
          opener.addKey(9, KEY);
          assert.equal(opener.open(damaged).ok, false);
          // ...and the rejected copy left the genuine packet openable.
          assert.equal(opener.open(packet).ok, true);
        },
      ),
    );
  });
});
