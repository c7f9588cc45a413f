import assert from 'node:assert/strict';
import {
  equalBytes,
  fingerprint,
  fromBase64,
  generateIdentity,
  identityFromSeed,
  isPeerId,
  loadOrCreateIdentity,
  parseIdentity,
  peerIdFromPublicKey,
  serializeIdentity,
  toBase64,
} from '../../crypto/index.js';
import {
  memoryFile,
  rejectsMisuse,
  seededIdentity,
  throwsMisuse,
} from '../helpers/crypto-fixtures.js';

describe('crypto identity', () => {
  it('generates distinct Ed25519 identities', () => {
    const a = generateIdentity();
    const b = generateIdentity();
    assert.equal(a.publicKey.length, 32);
    assert.equal(a.secretKey.length, 64);
    assert.ok(!equalBytes(a.publicKey, b.publicKey));
  });

  it('derives identities from a 32-byte seed only', () => {
    assert.ok(equalBytes(seededIdentity(5).publicKey, seededIdentity(5).publicKey));
    throwsMisuse(() => identityFromSeed(new Uint8Array(31)), 'ERR_KEY_LENGTH');
  });

  it('derives 32-hex-digit peer ids and recognises them', () => {
    const id = peerIdFromPublicKey(seededIdentity(1).publicKey);
    assert.ok(isPeerId(id));
    assert.notEqual(id, peerIdFromPublicKey(seededIdentity(2).publicKey));
    for (const bad of ['', id.toUpperCase(), id.slice(1), id + '0', 'g'.repeat(32)]) {
      assert.ok(!isPeerId(bad), bad);
    }
    throwsMisuse(() => peerIdFromPublicKey(new Uint8Array(33)), 'ERR_KEY_LENGTH');
  });

  it('formats fingerprints as four groups of four hex digits', () => {
    assert.match(fingerprint(seededIdentity(1).publicKey), /^[0-9a-f]{4}(:[0-9a-f]{4}){3}$/);
    throwsMisuse(() => fingerprint(new Uint8Array(31)), 'ERR_KEY_LENGTH');
  });

  describe('identity file', () => {
    const keys = seededIdentity(3);
    const valid = JSON.parse(serializeIdentity(keys)) as Record<string, unknown>;

    it('round trips', () => {
      assert.deepEqual(Object.keys(valid), ['v', 'publicKey', 'secretKey']);
      const parsed = parseIdentity(serializeIdentity(keys));
      assert.ok(equalBytes(parsed.publicKey, keys.publicKey));
      assert.ok(equalBytes(parsed.secretKey, keys.secretKey));
    });

    it('rejects every kind of corruption', () => {
      const flipped = (base64: string, index: number): string => {
        const bytes = fromBase64(base64);
        bytes[index] = (bytes[index] ?? 0) ^ 1;
        return toBase64(bytes);
      };
      const other = seededIdentity(4);
      const corruptions: string[] = [
        '',
        'not json',
        'null',
        '[]',
        JSON.stringify({ ...valid, v: 2 }),
        JSON.stringify({ ...valid, v: undefined }),
        JSON.stringify({ ...valid, publicKey: undefined }),
        JSON.stringify({ ...valid, secretKey: 42 }),
        JSON.stringify({ ...valid, publicKey: 'not base64!' }),
        JSON.stringify({ ...valid, publicKey: toBase64(keys.publicKey.subarray(1)) }),
        JSON.stringify({ ...valid, secretKey: toBase64(keys.secretKey.subarray(0, 32)) }),
        JSON.stringify({ ...valid, publicKey: toBase64(other.publicKey) }),
        JSON.stringify({ ...valid, secretKey: flipped(valid['secretKey'] as string, 40) }),
        // Damage to the seed half leaves publicKey = secretKey[32..] intact.
        JSON.stringify({ ...valid, secretKey: flipped(valid['secretKey'] as string, 0) }),
      ];
      for (const text of corruptions) {
        throwsMisuse(() => parseIdentity(text), 'ERR_BAD_IDENTITY_FILE');
      }
    });

    it('refuses a version nested too deep to print with its typed error (found by npm run fuzz)', () => {
      const deep = `{"v":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
      throwsMisuse(() => parseIdentity(deep), 'ERR_BAD_IDENTITY_FILE');
    });

    it('refuses to serialize keys that are not a pair', () => {
      const mismatched = { publicKey: seededIdentity(4).publicKey, secretKey: keys.secretKey };
      throwsMisuse(() => serializeIdentity(mismatched), 'ERR_BAD_ARGUMENT');
      throwsMisuse(
        () => serializeIdentity({ publicKey: new Uint8Array(32), secretKey: new Uint8Array(32) }),
        'ERR_KEY_LENGTH',
      );
    });
  });

  describe('loadOrCreateIdentity', () => {
    it('creates once, then loads the same keys', async () => {
      const file = memoryFile();
      const first = await loadOrCreateIdentity(file);
      assert.equal(first.created, true);
      assert.equal(file.writes, 1);
      const second = await loadOrCreateIdentity(file);
      assert.equal(second.created, false);
      assert.equal(file.writes, 1);
      assert.ok(equalBytes(second.keys.publicKey, first.keys.publicKey));
      assert.ok(equalBytes(second.keys.secretKey, first.keys.secretKey));
    });

    it('throws on a damaged file instead of replacing the identity', async () => {
      const file = memoryFile('{"v":1}');
      await rejectsMisuse(() => loadOrCreateIdentity(file), 'ERR_BAD_IDENTITY_FILE');
      assert.equal(file.writes, 0);
      assert.equal(file.text, '{"v":1}');
    });
  });
});
