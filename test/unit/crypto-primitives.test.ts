/*
 * Published known-answer vectors for the primitives everything else stands on: if tweetnacl or
 * our HMAC ever drifts from the standards, these fail before anything subtler does.
 */
import assert from 'node:assert/strict';
import nacl from 'tweetnacl';
import { deriveKey, fromHex, hmacSha512, toHex, utf8 } from '../../crypto/index.js';
import { throwsMisuse } from '../helpers/crypto-fixtures.js';

describe('crypto primitives: known answers', () => {
  it('SHA-512("abc") matches FIPS 180-2', () => {
    assert.equal(
      toHex(nacl.hash(utf8('abc'))),
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a' +
        '2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    );
  });

  describe('HMAC-SHA-512 (RFC 4231)', () => {
    it('test case 1', () => {
      const mac = hmacSha512(new Uint8Array(20).fill(0x0b), utf8('Hi There'));
      assert.equal(
        toHex(mac),
        '87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde' +
          'daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854',
      );
    });

    it('test case 2 (short key)', () => {
      const mac = hmacSha512(utf8('Jefe'), utf8('what do ya want for nothing?'));
      assert.equal(
        toHex(mac),
        '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554' +
          '9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
      );
    });

    it('test case 6 (key longer than the block is hashed first)', () => {
      const mac = hmacSha512(
        new Uint8Array(131).fill(0xaa),
        utf8('Test Using Larger Than Block-Size Key - Hash Key First'),
      );
      assert.equal(
        toHex(mac),
        '80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352' +
          '6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598',
      );
    });
  });

  it('Ed25519 matches RFC 8032 test 1', () => {
    const seed = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
    const keys = nacl.sign.keyPair.fromSeed(seed);
    assert.equal(
      toHex(keys.publicKey),
      'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    );
    const signature = nacl.sign.detached(new Uint8Array(0), keys.secretKey);
    assert.equal(
      toHex(signature),
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155' +
        '5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
    assert.ok(nacl.sign.detached.verify(new Uint8Array(0), signature, keys.publicKey));
  });

  it('X25519 matches RFC 7748 section 6.1', () => {
    const alice = fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
    const bob = fromHex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
    const alicePublic = nacl.scalarMult.base(alice);
    const bobPublic = nacl.scalarMult.base(bob);
    assert.equal(
      toHex(alicePublic),
      '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
    );
    assert.equal(
      toHex(bobPublic),
      'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f',
    );
    const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
    assert.equal(toHex(nacl.scalarMult(alice, bobPublic)), shared);
    assert.equal(toHex(nacl.scalarMult(bob, alicePublic)), shared);
  });

  describe('deriveKey', () => {
    it('separates labels and returns 32 bytes', () => {
      const root = new Uint8Array(32).fill(7);
      const media = deriveKey(root, 'media');
      assert.equal(media.length, 32);
      assert.notEqual(toHex(media), toHex(deriveKey(root, 'chat')));
    });

    it('refuses roots that are not 32 bytes', () => {
      throwsMisuse(() => deriveKey(new Uint8Array(31), 'media'), 'ERR_KEY_LENGTH');
      throwsMisuse(() => deriveKey(new Uint8Array(64), 'media'), 'ERR_KEY_LENGTH');
    });
  });
});
