import fc from 'fast-check';
import type { z } from 'zod';
import { decodeJson } from '../../../p2p/base/json-codec.js';
import { controlMessageSchema } from '../../../p2p/link/control-messages.js';
import { PeerMediaKeys } from '../../../p2p/media/keys.js';
import { abortSchema, signalingMessageSchema } from '../../../p2p/signaling/messages.js';
import { target, violation } from '../harness.js';
import { havocBytes } from '../havoc.js';
import { mutatedJsonBytes } from '../mutate.js';
import { arbitraryFor } from '../zod-arbitrary.js';
import { keyText, memberOf, publicKeyText, signatureText } from './wire-values.js';

/** decodeJson's contract: a typed result, and a value that really satisfies the schema. */
export function decodeChecked<S extends z.ZodType>(
  bytes: Uint8Array,
  schema: S,
): z.infer<S> | string {
  const result = decodeJson(bytes, schema);
  if (result.ok) {
    if (!schema.safeParse(result.value).success) violation('decoded value fails its own schema');
    return result.value;
  }
  if (typeof result.error !== 'string' || result.error.length === 0)
    violation('untyped decode error');
  return `rejected:${result.error.startsWith('not UTF-8') ? 'json' : 'schema'}`;
}

const signalingValues = fc.oneof(
  {
    arbitrary: arbitraryFor(signalingMessageSchema, {
      publicKey: publicKeyText,
      ticket: signatureText,
    }),
    weight: 5,
  },
  {
    arbitrary: fc.record({
      t: fc.constant('invite'),
      call: fc.constant('0123456789abcdef0123456789abcdef'),
      members: fc.array(memberOf, { maxLength: 16 }),
      ticket: signatureText,
    }),
    weight: 1,
  },
);

export const signalingTarget = target({
  name: 'signaling-messages',
  parser: 'p2p/signaling/messages.ts via json-codec decodeJson (messages and abort)',
  arbitrary: fc.record({
    bytes: mutatedJsonBytes(
      fc.oneof({ arbitrary: signalingValues, weight: 5 }, arbitraryFor(abortSchema)),
    ),
    abort: fc.boolean(),
  }),
  havoc: (input, rng) => ({ ...input, bytes: havocBytes(input.bytes, rng) }),
  check({ bytes, abort }) {
    const value = decodeChecked(bytes, abort ? abortSchema : signalingMessageSchema);
    return typeof value === 'string' ? value : 'ok';
  },
});

const controlValues = arbitraryFor(controlMessageSchema, {
  pk: publicKeyText,
  sig: signatureText,
  key: keyText,
  members: fc.array(memberOf, { maxLength: 16 }),
});

export const controlTarget = target({
  name: 'control-messages',
  parser: 'p2p/link/control-messages.ts via decodeJson; media-key → PeerMediaKeys.add',
  arbitrary: mutatedJsonBytes(controlValues),
  havoc: havocBytes,
  check(bytes) {
    const value = decodeChecked(bytes, controlMessageSchema);
    if (typeof value === 'string') return value;
    if (value.t === 'media-key') {
      // What a receiver does with an announced key: keep it, or refuse it without throwing.
      const added = new PeerMediaKeys().add({ keyId: value.keyId, key: value.key });
      if (typeof added !== 'boolean') violation('PeerMediaKeys.add gave no boolean');
      return added ? 'ok:media-key' : 'rejected:media-key';
    }
    return `ok`;
  },
});
