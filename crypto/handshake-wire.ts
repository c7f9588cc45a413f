import { concatBytes } from './bytes.js';

/**
 * Byte layout of the three key-exchange messages. Each starts with a version byte and a type
 * byte; lengths are fixed, so anything longer or shorter is malformed rather than ignored.
 */

export type HandshakeFailure =
  'malformed' | 'bad-version' | 'bad-signature' | 'unexpected-key' | 'reflected' | 'weak-key';

export const AKE_VERSION = 1;
const KEY_LENGTH = 32;
const SIGNATURE_LENGTH = 64;
const PREFIX_LENGTH = 2;

const HELLO = { type: 1, length: PREFIX_LENGTH + 2 * KEY_LENGTH } as const;
const REPLY = { type: 2, length: PREFIX_LENGTH + 2 * KEY_LENGTH + SIGNATURE_LENGTH } as const;
const FINISH = { type: 3, length: PREFIX_LENGTH + SIGNATURE_LENGTH } as const;
/** The part of the reply its own signature covers: everything before the signature. */
export const REPLY_SIGNED_LENGTH = REPLY.length - SIGNATURE_LENGTH;

type Parsed<T> = ({ ok: true } & T) | { ok: false; reason: HandshakeFailure };

function frameError(
  message: Uint8Array,
  expected: { type: number; length: number },
): HandshakeFailure | null {
  if (message.length < PREFIX_LENGTH) return 'malformed';
  if (message[0] !== AKE_VERSION) return 'bad-version';
  if (message[1] !== expected.type || message.length !== expected.length) return 'malformed';
  return null;
}

function prefix(type: number): Uint8Array {
  return Uint8Array.of(AKE_VERSION, type);
}

/** Views, not copies: callers hand in a private copy of the message they received. */
function field(message: Uint8Array, start: number, length: number): Uint8Array {
  return message.subarray(start, start + length);
}

export function encodeHello(identityKey: Uint8Array, ephemeralKey: Uint8Array): Uint8Array {
  return concatBytes(prefix(HELLO.type), identityKey, ephemeralKey);
}

export function parseHello(
  message: Uint8Array,
): Parsed<{ identityKey: Uint8Array; ephemeralKey: Uint8Array }> {
  const reason = frameError(message, HELLO);
  if (reason !== null) return { ok: false, reason };
  return {
    ok: true,
    identityKey: field(message, PREFIX_LENGTH, KEY_LENGTH),
    ephemeralKey: field(message, PREFIX_LENGTH + KEY_LENGTH, KEY_LENGTH),
  };
}

export function encodeReplySignedPart(
  identityKey: Uint8Array,
  ephemeralKey: Uint8Array,
): Uint8Array {
  return concatBytes(prefix(REPLY.type), identityKey, ephemeralKey);
}

export function encodeReply(signedPart: Uint8Array, signature: Uint8Array): Uint8Array {
  return concatBytes(signedPart, signature);
}

export function parseReply(message: Uint8Array): Parsed<{
  identityKey: Uint8Array;
  ephemeralKey: Uint8Array;
  signedPart: Uint8Array;
  signature: Uint8Array;
}> {
  const reason = frameError(message, REPLY);
  if (reason !== null) return { ok: false, reason };
  return {
    ok: true,
    identityKey: field(message, PREFIX_LENGTH, KEY_LENGTH),
    ephemeralKey: field(message, PREFIX_LENGTH + KEY_LENGTH, KEY_LENGTH),
    signedPart: field(message, 0, REPLY_SIGNED_LENGTH),
    signature: field(message, REPLY_SIGNED_LENGTH, SIGNATURE_LENGTH),
  };
}

export function encodeFinish(signature: Uint8Array): Uint8Array {
  return concatBytes(prefix(FINISH.type), signature);
}

export function parseFinish(message: Uint8Array): Parsed<{ signature: Uint8Array }> {
  const reason = frameError(message, FINISH);
  if (reason !== null) return { ok: false, reason };
  return { ok: true, signature: field(message, PREFIX_LENGTH, SIGNATURE_LENGTH) };
}
