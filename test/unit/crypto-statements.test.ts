import assert from 'node:assert/strict';
import { identityFromSeed, signStatement, toHex, verifyStatement } from '../../crypto/index.js';
import { throwsMisuse } from '../helpers/crypto-fixtures.js';

const alice = identityFromSeed(new Uint8Array(32).fill(1));
const mallory = identityFromSeed(new Uint8Array(32).fill(2));
const FIELDS = ['call-id', 'invitee-key'];

describe('crypto: signed statements', () => {
  it('pins the signature of a known statement (Ed25519 is deterministic)', () => {
    const signature = signStatement(alice, 'join-ticket', FIELDS);
    // Pins the statement encoding (label, then u32 length + UTF-8 bytes per field); the value
    // was cross-checked against an independent encoding signed with tweetnacl directly.
    assert.equal(
      toHex(signature),
      '5d44a40920dba17720053b0813ff07ac75916bdcfa8dc2ed5ba1970fb486ff9a' +
        '27842a953194d79e626b12517d0e960cbf5b7e3a35d9bc245898643586722305',
    );
    assert.equal(signature.length, 64);
    assert.ok(verifyStatement(alice.publicKey, 'join-ticket', FIELDS, signature));
  });

  it('rejects a wrong key, another kind, shifted or altered fields, and bad signatures', () => {
    const signature = signStatement(alice, 'join-ticket', FIELDS);
    assert.equal(verifyStatement(mallory.publicKey, 'join-ticket', FIELDS, signature), false);
    assert.equal(verifyStatement(alice.publicKey, 'chat', FIELDS, signature), false);
    assert.equal(
      verifyStatement(alice.publicKey, 'join-ticket', ['call-idi', 'nvitee-key'], signature),
      false,
    );
    assert.equal(verifyStatement(alice.publicKey, 'join-ticket', ['call-id'], signature), false);
    const tampered = signature.slice();
    tampered[10] = (tampered[10] ?? 0) ^ 1;
    assert.equal(verifyStatement(alice.publicKey, 'join-ticket', FIELDS, tampered), false);
    assert.equal(
      verifyStatement(alice.publicKey, 'join-ticket', FIELDS, signature.subarray(0, 63)),
      false,
    );
    assert.equal(verifyStatement(alice.publicKey, 'join-ticket', FIELDS, new Uint8Array(0)), false);
  });

  it('treats a malformed key from our own code as misuse', () => {
    throwsMisuse(
      () => verifyStatement(new Uint8Array(31), 'chat', FIELDS, new Uint8Array(64)),
      'ERR_KEY_LENGTH',
    );
    throwsMisuse(
      () =>
        signStatement({ publicKey: mallory.publicKey, secretKey: alice.secretKey }, 'chat', FIELDS),
      'ERR_BAD_ARGUMENT',
    );
  });
});
