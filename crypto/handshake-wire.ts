import { concatBytes } from './bytes.js';

/**
 * Byte layout of the three key-exchange messages. Each starts with a version byte and a type
 * byte; lengths are fixed, so anything longer or shorter is malformed rather than ignored.
 */

export type HandshakeFailure =
  | 'malformed'
  | 'bad-version'
  | 'bad-signature'
  | 'unexpected-key'
  | 'reflected'
  | 'weak-key'
  | 'repeated-cookie';

export const AKE_VERSION = 1;
const KEY_LENGTH = 32;
const SIGNATURE_LENGTH = 64;
const PREFIX_LENGTH = 2;
/** A responder under load answers a hello with a cookie; the hello comes back carrying it. */
export const COOKIE_LENGTH = 16;

const HELLO = { type: 1, length: PREFIX_LENGTH + 2 * KEY_LENGTH } as const;
const HELLO_WITH_COOKIE = { type: 1, length: HELLO.length + COOKIE_LENGTH } as const;
const REPLY = { type: 2, length: PREFIX_LENGTH + 2 * KEY_LENGTH + SIGNATURE_LENGTH } as const;
const FINISH = { type: 3, length: PREFIX_LENGTH + SIGNATURE_LENGTH } as const;
const COOKIE = { type: 4, length: PREFIX_LENGTH + COOKIE_LENGTH } as const;
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

/** The cookie, when given, is part of the hello and so of the transcript both sides sign. */
export function encodeHello(
  identityKey: Uint8Array,
  ephemeralKey: Uint8Array,
  cookie?: Uint8Array,
): Uint8Array {
  const parts = [prefix(HELLO.type), identityKey, ephemeralKey];
  return concatBytes(...(cookie === undefined ? parts : [...parts, cookie]));
}

export function parseHello(
  message: Uint8Array,
): Parsed<{ identityKey: Uint8Array; ephemeralKey: Uint8Array; cookie: Uint8Array | null }> {
  const withCookie = message.length === HELLO_WITH_COOKIE.length;
  const reason = frameError(message, withCookie ? HELLO_WITH_COOKIE : HELLO);
  if (reason !== null) return { ok: false, reason };
  return {
    ok: true,
    identityKey: field(message, PREFIX_LENGTH, KEY_LENGTH),
    ephemeralKey: field(message, PREFIX_LENGTH + KEY_LENGTH, KEY_LENGTH),
    cookie: withCookie ? field(message, HELLO.length, COOKIE_LENGTH) : null,
  };
}

export function encodeCookie(cookie: Uint8Array): Uint8Array {
  return concatBytes(prefix(COOKIE.type), cookie);
}

/** True for a well-formed cookie message; it is the only R→I message other than the reply. */
export function isCookieMessage(message: Uint8Array): boolean {
  return frameError(message, COOKIE) === null;
}

export function parseCookie(message: Uint8Array): Parsed<{ cookie: Uint8Array }> {
  const reason = frameError(message, COOKIE);
  if (reason !== null) return { ok: false, reason };
  return { ok: true, cookie: field(message, PREFIX_LENGTH, COOKIE_LENGTH) };
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
