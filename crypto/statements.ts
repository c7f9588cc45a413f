import { concatBytes, utf8, writeU32BE } from './bytes.js';
import type { IdentityKeys } from './identity.js';
import { requireIdentity } from './identity.js';
import { signDetached, verifyDetached } from './primitives.js';

/**
 * Signed statements: what one member vouches for to others (a join ticket, a chat message
 * that others relay, a watch party's manifest). Each kind has its own label and every field is length-prefixed, so
 * no statement can be read as another kind or with its fields shifted.
 */
export type StatementKind = 'join-ticket' | 'chat' | 'party-manifest';

function encodeStatement(kind: StatementKind, fields: readonly string[]): Uint8Array {
  const parts: Uint8Array[] = [utf8(`meshcall/statement/v1/${kind}`)];
  for (const field of fields) {
    const bytes = utf8(field);
    const length = new Uint8Array(4);
    writeU32BE(bytes.length, length, 0);
    parts.push(length, bytes);
  }
  return concatBytes(...parts);
}

/** Throws CryptoMisuseError on a malformed identity (misuse). */
export function signStatement(
  identity: IdentityKeys,
  kind: StatementKind,
  fields: readonly string[],
): Uint8Array {
  requireIdentity(identity);
  return signDetached(encodeStatement(kind, fields), identity.secretKey);
}

/**
 * False for a forged, altered or truncated signature (input from the network never
 * throws); throws only when our own code passes a public key of the wrong size.
 */
export function verifyStatement(
  publicKey: Uint8Array,
  kind: StatementKind,
  fields: readonly string[],
  signature: Uint8Array,
): boolean {
  return verifyDetached(encodeStatement(kind, fields), signature, publicKey);
}
