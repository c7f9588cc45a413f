/*
 * Both implementations of the public-key primitives (tweetnacl, and node:crypto as the node
 * installs it) must give the same answers: on the published vectors, on meshcall's pinned
 * formats, and on every kind of bad input (misuse throws, forgery is false).
 */
import assert from 'node:assert/strict';
import {
  HandshakeResponder,
  concatBytes,
  currentPrimitives,
  fromHex,
  identityFromSeed,
  naclPrimitives,
  setPrimitives,
  signDetached,
  signStatement,
  toHex,
  utf8,
  verifyDetached,
  verifyStatement,
  x25519,
  x25519Base,
  type Primitives,
} from '../../crypto/index.js';
import { nativePrimitives } from '../../p2p/base/native-primitives.js';
import {
  LOW_ORDER_POINTS,
  fixedRandom,
  runHandshake,
  seededIdentity,
  throwsMisuse,
} from '../helpers/crypto-fixtures.js';

/** RFC 8032 section 7.1, tests 1–3: seed, public key, message, signature. */
const ED25519_VECTORS = [
  [
    '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    '',
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  ],
  [
    '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    '72',
    '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  ],
  [
    'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    'af82',
    '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  ],
] as const;

const IMPLEMENTATIONS: readonly Primitives[] = [naclPrimitives, nativePrimitives];

/** Runs `body` with `primitives` installed, then puts back what was there. */
function under<T>(primitives: Primitives, body: () => T): T {
  const before = currentPrimitives();
  setPrimitives(primitives);
  try {
    return body();
  } finally {
    setPrimitives(before);
  }
}

/** The same computation under both implementations; returns both results. */
function both<T>(body: () => T): [T, T] {
  return [under(naclPrimitives, body), under(nativePrimitives, body)];
}

describe('crypto primitives: tweetnacl and node:crypto agree', function () {
  // tweetnacl is slow on a loaded 2-core machine; the work is bounded, the default 2 s is not.
  this.timeout(30_000);
  for (const primitives of IMPLEMENTATIONS) {
    describe(primitives.name, () => {
      it('Ed25519 signs and verifies RFC 8032 tests 1–3', () => {
        for (const [seed, publicKey, message, signature] of ED25519_VECTORS) {
          const keys = identityFromSeed(fromHex(seed));
          assert.equal(toHex(keys.publicKey), publicKey);
          const signed = under(primitives, () => signDetached(fromHex(message), keys.secretKey));
          assert.equal(toHex(signed), signature);
          assert.ok(
            under(primitives, () => verifyDetached(fromHex(message), signed, keys.publicKey)),
          );
        }
      });

      it('X25519 matches RFC 7748 section 6.1', () => {
        const alice = fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
        const bob = fromHex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
        under(primitives, () => {
          const alicePublic = x25519Base(alice);
          assert.equal(
            toHex(alicePublic),
            '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
          );
          const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
          assert.equal(toHex(x25519(alice, x25519Base(bob))), shared);
          assert.equal(toHex(x25519(bob, alicePublic)), shared);
        });
      });

      it('X25519 of a small-order point is all zeros, so the handshake refuses it', () => {
        const alice = seededIdentity(0xa1);
        for (const point of LOW_ORDER_POINTS) {
          under(primitives, () => {
            assert.equal(toHex(x25519(new Uint8Array(32).fill(5), point)), '00'.repeat(32));
            const weak = concatBytes(Uint8Array.of(1, 1), alice.publicKey, point);
            assert.deepEqual(new HandshakeResponder(seededIdentity(0xb2)).receiveHello(weak), {
              ok: false,
              reason: 'weak-key',
            });
          });
        }
      });

      it('refuses a bad signature, a wrong key and a wrong message as forgeries (false)', () => {
        const keys = seededIdentity(1);
        const other = seededIdentity(2);
        const message = utf8('meshcall');
        under(primitives, () => {
          const signature = signDetached(message, keys.secretKey);
          for (let byte = 0; byte < 64; byte += 7) {
            const tampered = signature.slice();
            tampered[byte] = (tampered[byte] ?? 0) ^ 0x10;
            assert.equal(verifyDetached(message, tampered, keys.publicKey), false, `byte ${byte}`);
          }
          assert.equal(verifyDetached(message, signature, other.publicKey), false);
          assert.equal(verifyDetached(utf8('meshcalL'), signature, keys.publicKey), false);
          assert.equal(verifyDetached(message, signature.subarray(0, 63), keys.publicKey), false);
          assert.equal(
            verifyDetached(message, concatBytes(signature, Uint8Array.of(0)), keys.publicKey),
            false,
          );
          assert.equal(verifyDetached(message, new Uint8Array(64), keys.publicKey), false);
          // Not a point on the curve: proves nothing, never a throw.
          assert.equal(verifyDetached(message, signature, new Uint8Array(32).fill(0xff)), false);
        });
      });

      it('throws misuse for keys and scalars of the wrong size, like tweetnacl', () => {
        const keys = seededIdentity(1);
        const message = utf8('meshcall');
        under(primitives, () => {
          const signature = signDetached(message, keys.secretKey);
          throwsMisuse(
            () => verifyDetached(message, signature, keys.publicKey.subarray(0, 31)),
            'ERR_KEY_LENGTH',
          );
          throwsMisuse(
            () => signDetached(message, keys.secretKey.subarray(0, 32)),
            'ERR_KEY_LENGTH',
          );
          throwsMisuse(() => x25519(new Uint8Array(31), new Uint8Array(32)), 'ERR_KEY_LENGTH');
          throwsMisuse(() => x25519Base(new Uint8Array(33)), 'ERR_KEY_LENGTH');
          throwsMisuse(
            () => verifyStatement(keys.publicKey.subarray(1), 'chat', ['x'], signature),
            'ERR_KEY_LENGTH',
          );
        });
      });
    });
  }

  it("gives meshcall's pinned statement and handshake bytes under both", () => {
    const [naclSig, nativeSig] = both(() =>
      toHex(signStatement(seededIdentity(1), 'join-ticket', ['call-id', 'invitee-key'])),
    );
    assert.equal(nativeSig, naclSig);
    assert.equal(
      naclSig,
      '5d44a40920dba17720053b0813ff07ac75916bdcfa8dc2ed5ba1970fb486ff9a' +
        '27842a953194d79e626b12517d0e960cbf5b7e3a35d9bc245898643586722305',
    );
    const [naclRun, nativeRun] = both(() => {
      const run = runHandshake(seededIdentity(1), seededIdentity(2), {
        initiator: { random: fixedRandom(0x11), expectedPeerKey: seededIdentity(2).publicKey },
        responderRandom: fixedRandom(0x22),
      });
      return [run.hello, run.reply, run.finish, run.initiator.sendKey, run.responder.sessionId].map(
        toHex,
      );
    });
    assert.deepEqual(nativeRun, naclRun);
  });

  it('each verifies what the other signed, for random keys and messages', () => {
    for (let i = 0; i < 20; i++) {
      const keys = identityFromSeed(crypto.getRandomValues(new Uint8Array(32)));
      const message = crypto.getRandomValues(new Uint8Array(i * 13));
      const [fromNacl, fromNative] = both(() => signDetached(message, keys.secretKey));
      assert.equal(toHex(fromNative), toHex(fromNacl));
      assert.ok(under(nativePrimitives, () => verifyDetached(message, fromNacl, keys.publicKey)));
      const scalar = crypto.getRandomValues(new Uint8Array(32));
      const point = x25519Base(crypto.getRandomValues(new Uint8Array(32)));
      const [a, b] = both(() => toHex(x25519(scalar, point)));
      assert.equal(b, a);
    }
  });

  it('differ only where RFC 8032 is stricter: node:crypto refuses an unreduced S', () => {
    const keys = seededIdentity(1);
    const message = utf8('meshcall');
    const signature = signDetached(message, keys.secretKey);
    // S + L (L the group order, little-endian): the same point equation, not canonical.
    const order = fromHex('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010');
    const malleated = signature.slice();
    let carry = 0;
    for (let i = 0; i < 32; i++) {
      const sum = (signature[32 + i] ?? 0) + (order[i] ?? 0) + carry;
      malleated[32 + i] = sum & 0xff;
      carry = sum >> 8;
    }
    assert.equal(carry, 0, 'S + L still fits in 32 bytes for this signature');
    assert.ok(under(naclPrimitives, () => verifyDetached(message, malleated, keys.publicKey)));
    assert.equal(
      under(nativePrimitives, () => verifyDetached(message, malleated, keys.publicKey)),
      false,
    );
  });
});
