import assert from 'node:assert/strict';
import {
  Opener,
  SEAL_OVERHEAD,
  Sealer,
  peekKeyId,
  utf8,
  type OpenFailure,
  type OpenResult,
} from '../../crypto/index.js';
import { throwsMisuse } from '../helpers/crypto-fixtures.js';

const KEY = new Uint8Array(32).fill(0x5a);
const OTHER_KEY = new Uint8Array(32).fill(0xa5);
const KEY_ID = 7;

function openerFor(key = KEY, keyId = KEY_ID, windowSize?: number): Opener {
  const opener = new Opener({ windowSize });
  opener.addKey(keyId, key);
  return opener;
}

function reasonOf(result: OpenResult): OpenFailure | 'opened' {
  return result.ok ? 'opened' : result.reason;
}

function flipped(packet: Uint8Array, index: number): Uint8Array {
  const copy = packet.slice();
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}

describe('crypto sealing', () => {
  it('round trips and reports key id and counter', () => {
    const sealer = new Sealer(KEY, KEY_ID);
    const opener = openerFor();
    for (const [index, text] of ['', 'a', 'hello, mesh'].entries()) {
      const packet = sealer.seal(utf8(text));
      assert.equal(packet.length, text.length + SEAL_OVERHEAD);
      const result = opener.open(packet);
      assert.ok(result.ok);
      assert.deepEqual(result.plaintext, utf8(text));
      assert.equal(result.keyId, KEY_ID);
      assert.equal(result.counter, BigInt(index));
    }
    assert.equal(sealer.sent, 3n);
  });

  it('rejects a change to any byte of the packet', () => {
    const packet = new Sealer(KEY, KEY_ID).seal(utf8('attack at dawn'));
    for (let index = 0; index < packet.length; index++) {
      const verdict = reasonOf(openerFor().open(flipped(packet, index)));
      if (index === 0) assert.equal(verdict, 'bad-version');
      else if (index < 5) assert.equal(verdict, 'unknown-key', `keyId byte ${index}`);
      else assert.equal(verdict, 'forged', `byte ${index}`);
    }
  });

  it('calls a key-id change that lands on another registered key forged', () => {
    const packet = new Sealer(KEY, KEY_ID).seal(utf8('x'));
    const opener = openerFor();
    opener.addKey(KEY_ID ^ 1, OTHER_KEY);
    assert.equal(reasonOf(opener.open(flipped(packet, 4))), 'forged');
  });

  it('rejects replays', () => {
    const packet = new Sealer(KEY, KEY_ID).seal(utf8('once'));
    const opener = openerFor();
    assert.ok(opener.open(packet).ok);
    assert.equal(reasonOf(opener.open(packet)), 'replayed');
    assert.equal(reasonOf(opener.open(packet.slice())), 'replayed');
  });

  it('rejects packets shorter than header and tag as truncated', () => {
    const packet = new Sealer(KEY, KEY_ID).seal(new Uint8Array(0));
    assert.equal(packet.length, SEAL_OVERHEAD);
    for (let length = 0; length < SEAL_OVERHEAD; length++) {
      assert.equal(reasonOf(openerFor().open(packet.subarray(0, length))), 'truncated');
    }
    assert.equal(reasonOf(openerFor().open(packet)), 'opened');
  });

  it('rejects the wrong key, unknown key ids and other versions', () => {
    const packet = new Sealer(KEY, KEY_ID).seal(utf8('x'));
    assert.equal(reasonOf(openerFor(OTHER_KEY).open(packet)), 'forged');
    assert.equal(reasonOf(openerFor(KEY, KEY_ID + 1).open(packet)), 'unknown-key');
    const version2 = packet.slice();
    version2[0] = 2;
    assert.equal(reasonOf(openerFor().open(version2)), 'bad-version');
  });

  it('accepts out-of-order packets within the window once each, and old ones as stale', () => {
    const sealer = new Sealer(KEY, KEY_ID);
    const packets = Array.from({ length: 100 }, (_, index) => sealer.seal(utf8(String(index))));
    const opener = openerFor(KEY, KEY_ID, 32);
    for (const index of [5, 3, 4, 0, 1, 2]) {
      assert.equal(reasonOf(opener.open(packets[index]!)), 'opened', String(index));
    }
    assert.equal(reasonOf(opener.open(packets[3]!)), 'replayed');
    assert.equal(reasonOf(opener.open(packets[99]!)), 'opened');
    assert.equal(reasonOf(opener.open(packets[68]!)), 'opened'); // 99 - 32 + 1: oldest tracked
    assert.equal(reasonOf(opener.open(packets[67]!)), 'stale');
    assert.equal(reasonOf(opener.open(packets[6]!)), 'stale');
  });

  it('does not let a forged packet with a high counter advance the window', () => {
    const genuine = new Sealer(KEY, KEY_ID);
    const opener = openerFor(KEY, KEY_ID, 32);
    const forged = new Sealer(OTHER_KEY, KEY_ID, 1_000_000n).seal(utf8('push them out'));
    assert.equal(reasonOf(opener.open(forged)), 'forged');
    assert.equal(reasonOf(opener.open(genuine.seal(utf8('still here')))), 'opened');
    // Had the forgery been recorded, its counter would now read as replayed, not forged.
    assert.equal(reasonOf(opener.open(forged)), 'forged');
  });

  it('counts every outcome', () => {
    const sealer = new Sealer(KEY, KEY_ID);
    const opener = openerFor(KEY, KEY_ID, 32);
    const first = sealer.seal(utf8('1'));
    const packets = Array.from({ length: 40 }, () => sealer.seal(utf8('n')));
    opener.open(first);
    opener.open(first);
    opener.open(new Uint8Array(3));
    opener.open(flipped(first, 0));
    opener.open(flipped(first, 1));
    opener.open(flipped(packets[0]!, 20));
    for (const packet of packets) opener.open(packet);
    opener.open(sealer.seal(new Uint8Array(0)).subarray(0, SEAL_OVERHEAD - 1));
    const stale = new Sealer(KEY, KEY_ID).seal(utf8('old'));
    opener.open(stale);
    assert.deepEqual(opener.stats, {
      opened: 41,
      truncated: 2,
      'bad-version': 1,
      'unknown-key': 1,
      forged: 1,
      replayed: 1,
      stale: 1,
    });
  });

  it('returns a snapshot of the stats that callers cannot alter', () => {
    const opener = openerFor();
    const before = opener.stats as Record<string, number>;
    before['opened'] = 99;
    assert.equal(opener.stats.opened, 0);
  });

  it('opens packets from several sealers that share a key under distinct key ids', () => {
    const opener = new Opener();
    opener.addKey(1, KEY);
    opener.addKey(2, KEY);
    const one = new Sealer(KEY, 1).seal(utf8('one'));
    const two = new Sealer(KEY, 2).seal(utf8('two'));
    assert.ok(opener.open(one).ok);
    assert.ok(opener.open(two).ok);
  });

  it('manages keys', () => {
    const opener = openerFor();
    const packet = new Sealer(KEY, KEY_ID).seal(utf8('x'));
    assert.ok(opener.hasKey(KEY_ID));
    throwsMisuse(() => opener.addKey(KEY_ID, OTHER_KEY), 'ERR_BAD_ARGUMENT');
    opener.removeKey(KEY_ID);
    assert.ok(!opener.hasKey(KEY_ID));
    opener.removeKey(KEY_ID);
    assert.equal(reasonOf(opener.open(packet)), 'unknown-key');
  });

  it('keeps its own copy of keys', () => {
    const key = KEY.slice();
    const sealer = new Sealer(key, KEY_ID);
    const opener = openerFor(key);
    key.fill(0);
    assert.ok(opener.open(sealer.seal(utf8('x'))).ok);
  });

  it('peeks at the key id of well-formed packets only', () => {
    const packet = new Sealer(KEY, 0xfedcba98).seal(utf8('x'));
    assert.equal(peekKeyId(packet), 0xfedcba98);
    assert.equal(peekKeyId(packet.subarray(0, SEAL_OVERHEAD - 1)), null);
    assert.equal(peekKeyId(flipped(packet, 0)), null);
  });

  it('throws once the counter space is used up', () => {
    const last = (1n << 64n) - 1n;
    const sealer = new Sealer(KEY, KEY_ID, last);
    const packet = sealer.seal(utf8('last'));
    const result = openerFor().open(packet);
    assert.ok(result.ok);
    assert.equal(result.counter, last);
    throwsMisuse(() => sealer.seal(utf8('one too many')), 'ERR_COUNTER_EXHAUSTED');
    throwsMisuse(() => sealer.seal(utf8('still none')), 'ERR_COUNTER_EXHAUSTED');
    assert.equal(sealer.sent, 1n);
  });

  it('refuses bad keys, key ids, counters, window sizes and non-byte input', () => {
    throwsMisuse(() => new Sealer(new Uint8Array(31), KEY_ID), 'ERR_KEY_LENGTH');
    throwsMisuse(() => new Sealer(new Uint8Array(33), KEY_ID), 'ERR_KEY_LENGTH');
    for (const keyId of [-1, 2 ** 32, 1.5, Number.NaN]) {
      throwsMisuse(() => new Sealer(KEY, keyId), 'ERR_BAD_ARGUMENT');
      throwsMisuse(() => new Opener().addKey(keyId, KEY), 'ERR_BAD_ARGUMENT');
    }
    throwsMisuse(() => new Sealer(KEY, KEY_ID, -1n), 'ERR_BAD_ARGUMENT');
    throwsMisuse(() => new Sealer(KEY, KEY_ID, 1n << 64n), 'ERR_BAD_ARGUMENT');
    throwsMisuse(() => new Opener().addKey(1, new Uint8Array(16)), 'ERR_KEY_LENGTH');
    throwsMisuse(() => new Opener({ windowSize: 100 }), 'ERR_BAD_ARGUMENT');
    const notBytes = 'packet' as unknown as Uint8Array;
    throwsMisuse(() => new Sealer(KEY, KEY_ID).seal(notBytes), 'ERR_BAD_ARGUMENT');
    throwsMisuse(() => openerFor().open(notBytes), 'ERR_BAD_ARGUMENT');
    throwsMisuse(() => peekKeyId(notBytes), 'ERR_BAD_ARGUMENT');
  });
});
