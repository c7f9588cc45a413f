import fc from 'fast-check';
import type { OpenFailure } from '../../../crypto/index.js';
import { Opener, Sealer, peekKeyId } from '../../../crypto/index.js';
import { target, violation } from '../harness.js';
import { havocBytes } from '../havoc.js';
import { mutatedBytes } from '../mutate.js';

const KEY = new Uint8Array(32).fill(0x5c);
const KEY_IDS = [0, 7, 0xffffffff] as const;
const FAILURES: ReadonlySet<string> = new Set<OpenFailure>([
  'truncated',
  'bad-version',
  'unknown-key',
  'forged',
  'replayed',
  'stale',
]);

/** Packets sealed under one of the receiver's keys, near the start or the end of the counter space. */
const sealed = fc
  .record({
    keyId: fc.constantFrom(...KEY_IDS, 12345),
    start: fc.oneof(fc.bigInt({ min: 0n, max: 200n }), fc.constant((1n << 64n) - 1n)),
    plaintext: fc.uint8Array({ maxLength: 200 }),
  })
  .map(({ keyId, start, plaintext }) => new Sealer(KEY, keyId, start).seal(plaintext));

export const sealedTarget = target({
  name: 'sealed',
  parser: 'crypto/sealing.ts Opener.open, peekKeyId (sealed-header.ts)',
  arbitrary: fc.array(mutatedBytes(sealed, 120), { minLength: 1, maxLength: 4 }),
  havoc: (packets, rng) => {
    const out = [...packets];
    const at = rng.int(out.length);
    // Replays (a packet sent twice) matter as much as damaged packets.
    if (rng.chance(0.2)) out.push(out[at] ?? new Uint8Array(0));
    else out[at] = havocBytes(out[at] ?? new Uint8Array(0), rng);
    return out;
  },
  check(packets) {
    const opener = new Opener({ windowSize: 64 });
    for (const keyId of KEY_IDS) opener.addKey(keyId, KEY);
    let last = '';
    for (const packet of packets) {
      const peeked = peekKeyId(packet);
      if (peeked !== null && (!Number.isInteger(peeked) || peeked < 0 || peeked > 0xffffffff)) {
        violation(`peekKeyId gave ${peeked}`);
      }
      const result = opener.open(packet);
      if (result.ok) {
        if (
          !(result.plaintext instanceof Uint8Array) ||
          result.plaintext.length !== packet.length - 29
        ) {
          violation('opened plaintext of the wrong length');
        }
        last = 'ok';
      } else {
        if (!FAILURES.has(result.reason)) violation(`untyped rejection ${String(result.reason)}`);
        last = `rejected:${result.reason}`;
      }
    }
    // Every packet is counted exactly once.
    const counted = Object.values(opener.stats).reduce((a, b) => a + b, 0);
    if (counted !== packets.length) violation(`${packets.length} packets, ${counted} counted`);
    return last;
  },
});
