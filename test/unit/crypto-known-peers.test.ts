import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  KnownPeers,
  namesConfusable,
  peerIdFromPublicKey,
  toBase64,
  type KnownPeer,
} from '../../crypto/index.js';
import {
  memoryFile,
  rejectsMisuse,
  seededIdentity,
  throwsMisuse,
} from '../helpers/crypto-fixtures.js';

const aliceKey = seededIdentity(1).publicKey;
const aliceNewKey = seededIdentity(2).publicKey;
const bobKey = seededIdentity(3).publicKey;

/** A clock that moves one tick per reading, so firstSeen and lastSeen are distinguishable. */
function ticking(start = 1000): () => number {
  let now = start;
  return () => now++;
}

describe('crypto known peers', () => {
  it('goes from new to known once remembered', async () => {
    const peers = await KnownPeers.load(memoryFile(), ticking());
    assert.deepEqual(peers.check('Alice', aliceKey), { status: 'new' });
    const remembered = await peers.remember('Alice', aliceKey);
    const expected: KnownPeer = {
      id: peerIdFromPublicKey(aliceKey),
      publicKey: toBase64(aliceKey),
      name: 'Alice',
      firstSeen: 1000,
      lastSeen: 1000,
      verified: false,
    };
    assert.deepEqual(remembered, expected);
    assert.deepEqual(peers.check('Alice', aliceKey), { status: 'known', peer: expected });
    assert.deepEqual(peers.check('someone else', aliceKey), { status: 'known', peer: expected });
    assert.deepEqual(peers.get(expected.id), expected);
    assert.deepEqual(peers.list(), [expected]);
  });

  it('flags a known name with a new key, ignoring case and spaces', async () => {
    const peers = await KnownPeers.load(memoryFile(), ticking());
    const alice = await peers.remember('Alice', aliceKey);
    for (const name of ['Alice', 'alice', '  ALICE ']) {
      assert.deepEqual(peers.check(name, aliceNewKey), { status: 'key-changed', previous: alice });
    }
    assert.deepEqual(peers.check('Bob', aliceNewKey), { status: 'new' });
  });

  it('keeps the old key when the new one is remembered after a change', async () => {
    const peers = await KnownPeers.load(memoryFile(), ticking());
    await peers.remember('Alice', aliceKey);
    await peers.remember('Alice', aliceNewKey);
    assert.equal(peers.list().length, 2);
    assert.equal(peers.check('Alice', aliceKey).status, 'known');
    assert.equal(peers.check('Alice', aliceNewKey).status, 'known');
    const third = seededIdentity(9).publicKey;
    const verdict = peers.check('alice', third);
    assert.equal(verdict.status, 'key-changed');
    // The most recently seen entry is the one to show as "previous".
    assert.equal(
      verdict.status === 'key-changed' && verdict.previous.publicKey,
      toBase64(aliceNewKey),
    );
  });

  it('refreshes name and lastSeen but keeps firstSeen and verification', async () => {
    const peers = await KnownPeers.load(memoryFile(), ticking());
    const first = await peers.remember('Alice', aliceKey);
    await peers.markVerified(first.id, true);
    const again = await peers.remember('Alice (laptop)', aliceKey);
    assert.deepEqual(again, {
      ...first,
      name: 'Alice (laptop)',
      lastSeen: first.lastSeen + 1,
      verified: true,
    });
    await peers.markVerified(first.id, false);
    assert.equal(peers.get(first.id)?.verified, false);
  });

  it('persists and reloads', async () => {
    const file = memoryFile();
    const peers = await KnownPeers.load(file, ticking());
    const alice = await peers.remember('Alice', aliceKey);
    await peers.remember('Bob', bobKey);
    await peers.markVerified(alice.id, true);
    assert.equal(file.writes, 3);
    const parsed = JSON.parse(file.text ?? '') as { v: number; peers: unknown[] };
    assert.equal(parsed.v, 1);
    assert.equal(parsed.peers.length, 2);
    const reloaded = await KnownPeers.load(file);
    assert.deepEqual(reloaded.list(), peers.list());
    assert.equal(reloaded.check('Alice', aliceKey).status, 'known');
    assert.equal(reloaded.check('BOB', aliceNewKey).status, 'key-changed');
  });

  it('writes the latest state even when saves overlap', async () => {
    const file = memoryFile();
    const peers = await KnownPeers.load(file, ticking());
    await Promise.all([peers.remember('Alice', aliceKey), peers.remember('Bob', bobKey)]);
    const reloaded = await KnownPeers.load(file);
    assert.equal(reloaded.list().length, 2);
  });

  it('writes a burst of 1,000 changes once', async () => {
    const file = memoryFile();
    const peers = await KnownPeers.load(file, ticking());
    // Any 32 bytes will do as a key here, and cost nothing to make.
    const keys = Array.from({ length: 1000 }, () => new Uint8Array(randomBytes(32)));
    await Promise.all(keys.map((key, i) => peers.remember(`peer ${i}`, key)));
    assert.equal(file.writes, 1);
    assert.equal((await KnownPeers.load(file)).list().length, 1000);
    // flush() writes what waits at once, and is a no-op with nothing waiting.
    const saved = peers.remember('one more', aliceKey);
    await peers.flush();
    assert.equal(file.writes, 2);
    await saved;
    await peers.flush();
    assert.equal(file.writes, 2);
  });

  it('caps the list, dropping the least recently seen unverified peer first', async () => {
    const peers = await KnownPeers.load(memoryFile(), ticking(), { maxPeers: 2, writeDelayMs: 0 });
    const alice = await peers.remember('Alice', aliceKey);
    await peers.markVerified(alice.id, true);
    const bob = await peers.remember('Bob', bobKey);
    const carol = await peers.remember('Carol', aliceNewKey);
    assert.deepEqual(
      peers
        .list()
        .map((peer) => peer.name)
        .sort(),
      ['Alice', 'Carol'],
    );
    assert.equal(peers.get(bob.id), undefined);
    // With only verified peers left to drop, the least recently seen of them goes.
    await peers.markVerified(carol.id, true);
    const dave = await peers.remember('Dave', bobKey);
    assert.deepEqual(
      peers
        .list()
        .map((peer) => peer.name)
        .sort(),
      ['Carol', 'Dave'],
    );
    assert.ok(peers.get(dave.id));
  });

  it('flags look-alike names with a new key (UTS #39 confusables)', async () => {
    const peers = await KnownPeers.load(memoryFile(), ticking(), { writeDelayMs: 0 });
    await peers.remember('Alice', aliceKey);
    await peers.remember('Bill', bobKey);
    const other = seededIdentity(9).publicKey;
    // Cyrillic А, Greek Α, fullwidth letters, a zero-width space, "I" for "l".
    for (const name of ['\u0410lice', '\u0391LICE', '\uff21lice', 'Al\u200bice', '  ALICE ']) {
      assert.equal(peers.check(name, other).status, 'key-changed', name);
    }
    assert.equal(peers.check('BiII', other).status, 'key-changed');
    assert.equal(peers.check('Alicia', other).status, 'new');
    assert.equal(peers.check('Bob', other).status, 'new');
    assert.equal(namesConfusable('\u0410lice', 'alice'), true);
    assert.equal(namesConfusable('Alice', 'Alina'), false);
  });

  it('treats a missing file as empty', async () => {
    const file = memoryFile(null);
    const peers = await KnownPeers.load(file);
    assert.deepEqual(peers.list(), []);
    assert.equal(file.writes, 0);
  });

  it('throws on a damaged file', async () => {
    const file = memoryFile();
    const peers = await KnownPeers.load(file, ticking());
    await peers.remember('Alice', aliceKey);
    const good = JSON.parse(file.text ?? '') as { v: number; peers: Record<string, unknown>[] };
    const entry = good.peers[0] ?? {};
    const withEntry = (patch: Record<string, unknown>): string =>
      JSON.stringify({ v: 1, peers: [{ ...entry, ...patch }] });
    const corruptions = [
      '',
      '{',
      'null',
      '[]',
      JSON.stringify({ v: 2, peers: [] }),
      JSON.stringify({ v: 1 }),
      JSON.stringify({ v: 1, peers: {} }),
      JSON.stringify({ v: 1, peers: [null] }),
      JSON.stringify({ v: 1, peers: [entry, entry] }),
      withEntry({ id: 'nope' }),
      withEntry({ id: peerIdFromPublicKey(bobKey) }),
      withEntry({ publicKey: 'AAAA' }),
      withEntry({ publicKey: 'not base64' }),
      withEntry({ name: 7 }),
      withEntry({ firstSeen: 'yesterday' }),
      withEntry({ lastSeen: null }),
      withEntry({ verified: 'yes' }),
    ];
    for (const text of corruptions) {
      await rejectsMisuse(() => KnownPeers.load(memoryFile(text)), 'ERR_BAD_KNOWN_PEERS_FILE');
    }
  });

  it('refuses a version nested too deep to print with its typed error (found by npm run fuzz)', async () => {
    const deep = `{"v":${'['.repeat(20_000)}${']'.repeat(20_000)},"peers":[]}`;
    await rejectsMisuse(() => KnownPeers.load(memoryFile(deep)), 'ERR_BAD_KNOWN_PEERS_FILE');
  });

  it('refuses misuse', async () => {
    const peers = await KnownPeers.load(memoryFile());
    throwsMisuse(() => peers.check('Alice', new Uint8Array(31)), 'ERR_KEY_LENGTH');
    await rejectsMisuse(() => peers.remember('Alice', new Uint8Array(64)), 'ERR_KEY_LENGTH');
    await rejectsMisuse(() => peers.markVerified('0'.repeat(32), true), 'ERR_BAD_ARGUMENT');
  });
});
