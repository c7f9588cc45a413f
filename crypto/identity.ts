import nacl from 'tweetnacl';
import { concatBytes, equalBytes, toBase64, toHex, utf8 } from './bytes.js';
import { CryptoMisuseError } from './errors.js';
import { requireKey } from './guards.js';
import { VersionedJsonReader } from './versioned-json.js';

export interface IdentityKeys {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/** One small text file (identity, known peers); I/O stays outside crypto/ so it remains pure. */
export interface TextFileIO {
  /** Resolves to null when the file does not exist. */
  read(): Promise<string | null>;
  write(text: string): Promise<void>;
}

const PUBLIC_KEY_LENGTH = nacl.sign.publicKeyLength;
const SECRET_KEY_LENGTH = nacl.sign.secretKeyLength;
const PEER_ID_LABEL = utf8('meshcall/peer-id/v1');
const PEER_ID_PATTERN = /^[0-9a-f]{32}$/;
const IDENTITY_FILE_VERSION = 1;

export function generateIdentity(): IdentityKeys {
  return nacl.sign.keyPair();
}

export function identityFromSeed(seed: Uint8Array): IdentityKeys {
  requireKey(seed, nacl.sign.seedLength, 'seed');
  return nacl.sign.keyPair.fromSeed(seed);
}

/** Checks that keys handed to us are a real pair: signing with a mismatched pair proves nothing. */
export function requireIdentity(keys: IdentityKeys): void {
  requireKey(keys.publicKey, PUBLIC_KEY_LENGTH, 'identity public key');
  requireKey(keys.secretKey, SECRET_KEY_LENGTH, 'identity secret key');
  if (!equalBytes(keys.publicKey, keys.secretKey.subarray(32))) {
    throw new CryptoMisuseError(
      'ERR_BAD_ARGUMENT',
      'identity public key does not match its secret key',
    );
  }
}

/** Hashed with a label so the id cannot be confused with any other digest of the key. */
export function peerIdFromPublicKey(publicKey: Uint8Array): string {
  requireKey(publicKey, PUBLIC_KEY_LENGTH, 'public key');
  return toHex(nacl.hash(concatBytes(PEER_ID_LABEL, publicKey)).subarray(0, 16));
}

export function isPeerId(text: string): boolean {
  return typeof text === 'string' && PEER_ID_PATTERN.test(text);
}

/** Short enough to read out; safety codes, not fingerprints, are what people compare to verify. */
export function fingerprint(publicKey: Uint8Array): string {
  requireKey(publicKey, PUBLIC_KEY_LENGTH, 'public key');
  const hex = toHex(nacl.hash(publicKey).subarray(0, 8));
  return hex.match(/.{4}/g)?.join(':') ?? hex;
}

export function serializeIdentity(keys: IdentityKeys): string {
  requireIdentity(keys);
  return JSON.stringify({
    v: IDENTITY_FILE_VERSION,
    publicKey: toBase64(keys.publicKey),
    secretKey: toBase64(keys.secretKey),
  });
}

export function parseIdentity(text: string): IdentityKeys {
  const reader: VersionedJsonReader = new VersionedJsonReader(
    'ERR_BAD_IDENTITY_FILE',
    'identity file',
  );
  const record = reader.parse(text, IDENTITY_FILE_VERSION);
  const publicKey = reader.bytes(record, 'publicKey', PUBLIC_KEY_LENGTH);
  const secretKey = reader.bytes(record, 'secretKey', SECRET_KEY_LENGTH);
  // Re-deriving from the seed also catches damage to the secret half, which a mere comparison of
  // the embedded public key would let through and which would only show up as failed handshakes.
  const derived = nacl.sign.keyPair.fromSeed(secretKey.subarray(0, 32));
  if (!equalBytes(publicKey, secretKey.subarray(32)) || !equalBytes(publicKey, derived.publicKey)) {
    reader.fail('public key does not match secret key');
  }
  return { publicKey, secretKey };
}

/**
 * A damaged identity file throws instead of being replaced: silently minting a new identity
 * would make every known peer see a key change, and the user should decide that.
 */
export async function loadOrCreateIdentity(
  io: TextFileIO,
): Promise<{ keys: IdentityKeys; created: boolean }> {
  const existing = await io.read();
  if (existing !== null) return { keys: parseIdentity(existing), created: false };
  const keys = generateIdentity();
  await io.write(serializeIdentity(keys));
  return { keys, created: true };
}
