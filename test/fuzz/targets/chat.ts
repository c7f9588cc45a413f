import fc from 'fast-check';
import { peerIdFromPublicKey, signStatement, toBase64 } from '../../../crypto/index.js';
import { ChatLog } from '../../../p2p/chat/chat-log.js';
import type { ChatWire } from '../../../p2p/link/control-messages.js';
import { controlMessageSchema } from '../../../p2p/link/control-messages.js';
import { target, violation } from '../harness.js';
import { havocBytes } from '../havoc.js';
import { mutatedJsonBytes } from '../mutate.js';
import { identity } from './fixtures.js';
import { decodeChecked } from './messages.js';
import { KEY_SEEDS } from './wire-values.js';

const CALL = 'c0ffee00c0ffee00c0ffee00c0ffee00';
const POOL_SIZE = 12;
let pool: ChatWire[] | null = null;

/** Genuinely signed messages by several authors (signing costs ms: made once). */
function signedPool(): ChatWire[] {
  if (pool === null) {
    pool = Array.from({ length: POOL_SIZE }, (_, i) => {
      const keys = identity(KEY_SEEDS[i % KEY_SEEDS.length] ?? 3);
      const base = {
        id: (i + 1).toString(16).padStart(32, 'a'),
        from: peerIdFromPublicKey(keys.publicKey),
        name: ['Alice', 'Bob', 'Зоя', '😀'][i % 4] ?? 'x',
        ts: 1_700_000_000_000 + i,
        clock: i + 1,
        text: i % 3 === 0 ? 'x'.repeat(4000) : `hello ${i}`,
      };
      const fields = [
        CALL,
        base.id,
        base.from,
        base.name,
        String(base.ts),
        String(base.clock),
        base.text,
      ];
      return {
        ...base,
        pk: toBase64(keys.publicKey),
        sig: toBase64(signStatement(keys, 'chat', fields)),
      };
    });
  }
  return pool;
}

const pooled = fc.nat(POOL_SIZE - 1).map((i) => signedPool()[i] as ChatWire);

/** Altered after signing but still claiming the same author: reaches signature verification. */
const forged = fc
  .record({
    wire: pooled,
    field: fc.constantFrom('name', 'text', 'ts', 'clock', 'id'),
    n: fc.nat(1000),
  })
  .map(({ wire, field, n }) => {
    switch (field) {
      case 'name':
      case 'text':
        return { ...wire, [field]: `${wire[field].slice(0, 60)}${n}` };
      case 'ts':
      case 'clock':
        return { ...wire, [field]: wire[field] + n + 1 };
      case 'id':
        return { ...wire, id: n.toString(16).padStart(32, '0') };
    }
  });

/** An author that does not match its key: refused before any signature work. */
const misattributed = fc
  .record({ wire: pooled, other: fc.nat(POOL_SIZE - 1) })
  .map(({ wire, other }) => {
    const impostor = signedPool()[other] as ChatWire;
    return impostor.pk === wire.pk
      ? { ...wire, from: 'f'.repeat(32) }
      : { ...wire, pk: impostor.pk };
  });

const batch = fc
  .record({
    // ~1 input in 250 carries messages that reach Ed25519 verification (ms each in tweetnacl).
    deep: fc.nat(249).map((n) => n === 0),
    cheap: fc.array(misattributed, { maxLength: 4 }),
    costly: fc.array(fc.oneof(pooled, forged), { minLength: 1, maxLength: 3 }),
  })
  .map(({ deep, cheap, costly }) => ({
    t: 'chat-batch',
    messages: deep ? [...costly, ...cheap] : cheap,
  }));

export const chatTarget = target({
  name: 'chat-batch',
  parser: 'chat-batch via decodeJson → p2p/chat/chat-log.ts ChatLog.accept',
  arbitrary: mutatedJsonBytes(batch),
  havoc: havocBytes,
  check(bytes) {
    const value = decodeChecked(bytes, controlMessageSchema);
    if (typeof value === 'string') return value;
    if (value.t !== 'chat-batch') return 'ok:other';
    // Every author counts as a member here, so each message reaches the signature check.
    const log = new ChatLog(
      CALL,
      {
        id: '0'.repeat(32),
        name: 'me',
        publicKey: new Uint8Array(32),
        sign: () => new Uint8Array(64),
      },
      () => 'member',
    );
    let added = 0;
    let rejected = 0;
    for (const wire of value.messages) {
      const result = log.accept(wire);
      switch (result.status) {
        case 'new':
          added++;
          if (
            result.message.id !== wire.id ||
            result.message.text !== wire.text ||
            result.message.call !== CALL
          ) {
            violation('accepted message differs from the wire');
          }
          break;
        case 'duplicate':
          break;
        case 'rejected':
          rejected++;
          if (typeof result.reason !== 'string') violation('untyped rejection');
          break;
        default:
          violation(`unknown status ${String((result as { status: unknown }).status)}`);
      }
      if (log.size !== added || log.rejected !== rejected)
        violation('a rejected message changed the log');
    }
    return added > 0 ? 'ok:new' : rejected > 0 ? 'rejected:message' : 'ok:empty';
  },
});
