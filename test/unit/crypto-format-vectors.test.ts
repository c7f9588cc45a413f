/*
 * Known answers for meshcall's own formats. These values pin the wire and file formats: two
 * builds that disagree here cannot talk to each other or read each other's files. They were
 * computed once and cross-checked against an independent implementation of the spec on Node's
 * crypto module. Change them only together with a protocol version bump.
 */
import assert from 'node:assert/strict';
import {
  Sealer,
  deriveKey,
  fingerprint,
  identityFromSeed,
  peerIdFromPublicKey,
  safetyCode,
  toHex,
  utf8,
} from '../../crypto/index.js';
import { fixedRandom, runHandshake, seededIdentity } from '../helpers/crypto-fixtures.js';

describe('crypto format vectors', () => {
  it('identity, peer id and fingerprint of the all-zero seed', () => {
    const keys = identityFromSeed(new Uint8Array(32));
    assert.equal(
      toHex(keys.publicKey),
      '3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29',
    );
    assert.equal(peerIdFromPublicKey(keys.publicKey), 'b288e3a67c19b2619313c1111bce6307');
    assert.equal(fingerprint(keys.publicKey), '7dd5:cfc6:79ab:6342');
  });

  it('safety code of the identities seeded with 0x01 and 0x02', () => {
    const a = seededIdentity(1).publicKey;
    const b = seededIdentity(2).publicKey;
    assert.equal(safetyCode(a, b), '03767 99002 80495 90673 89942 79963');
  });

  it('deriveKey', () => {
    assert.equal(
      toHex(deriveKey(new Uint8Array(32).fill(7), 'media')),
      '3c55f70c0a23f4368b16888d3cca038122da07b60a181d5927533908c76b8458',
    );
  });

  it('sealed packet: header, counter and secretbox layout', () => {
    const sealer = new Sealer(new Uint8Array(32).fill(9), 7);
    sealer.seal(utf8('first'));
    assert.equal(
      toHex(sealer.seal(utf8('hello'))),
      '01' + '00000007' + '0000000000000001' + 'd478e6f69507544b73ba4c7a6a060d9ee0da2f0f72',
    );
  });

  it('full handshake with fixed identities and ephemerals', () => {
    const initiatorKeys = seededIdentity(1);
    const responderKeys = seededIdentity(2);
    const run = runHandshake(initiatorKeys, responderKeys, {
      initiator: { random: fixedRandom(0x11), expectedPeerKey: responderKeys.publicKey },
      responderRandom: fixedRandom(0x22),
    });
    assert.equal(
      toHex(run.hello),
      '0101' +
        '8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c' +
        '7b4e909bbe7ffe44c465a220037d608ee35897d31ef972f07f74892cb0f73f13',
    );
    assert.equal(
      toHex(run.reply),
      '0102' +
        '8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394' +
        '0faa684ed28867b97f4a6a2dee5df8ce974e76b7018e3f22a1c4cf2678570f20' +
        '173fc67ef196f2b922f7e26a6935bc817be9f49515c22de1891e07d2eba0600d' +
        '7ef974f7acb181977ad62aeaa8773fa033451c4771ffef5d1d2208aa4fad0b0b',
    );
    assert.equal(
      toHex(run.finish),
      '0103' +
        '0cf6638c14c61baa2a62d191dc12bf5066c6c9fe4cd44f0a5f0e5cd96c76c226' +
        '915d8fa7db89651908ec89b4a8e0c8a731e65d57336e35ef28b1d9c11bb0870d',
    );
    const initiatorToResponder = '79798a1187ec91c29b12137d66cd572ebb50e529f9ecbe618e3376495e9d2656';
    const responderToInitiator = 'b2fa1a44bfd4d911d501e4b6ca611e3960ca4dcd8e75efddf4da3bf5016930d5';
    assert.equal(toHex(run.initiator.sendKey), initiatorToResponder);
    assert.equal(toHex(run.initiator.receiveKey), responderToInitiator);
    assert.equal(toHex(run.responder.receiveKey), initiatorToResponder);
    assert.equal(toHex(run.responder.sendKey), responderToInitiator);
    assert.equal(toHex(run.initiator.sessionId), 'e194207009c3438fbc1b70990de5980b');
    assert.equal(toHex(run.responder.sessionId), 'e194207009c3438fbc1b70990de5980b');
    assert.equal(run.initiator.peerId, '1621cded4c0baedbb1f14a0dc4ab0a54');
    assert.equal(run.responder.peerId, 'f6f8d2b20c408c2309abedf129b5e7d5');
  });
});
