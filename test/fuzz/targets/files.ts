import fc from 'fast-check';
import {
  CryptoMisuseError,
  KnownPeers,
  parseIdentity,
  peerIdFromPublicKey,
  serializeIdentity,
  toBase64,
  type CryptoMisuseCode,
} from '../../../crypto/index.js';
import { target, violation } from '../harness.js';
import { havocText } from '../havoc.js';
import { mutatedJsonText } from '../mutate.js';
import { identity } from './fixtures.js';
import { KEY_SEEDS, realPublicKey } from './wire-values.js';

/** Runs `parse`; the file's own error code is the documented rejection, anything else a crash. */
async function typed<T>(code: CryptoMisuseCode, parse: () => T | Promise<T>): Promise<T | string> {
  try {
    return await parse();
  } catch (error) {
    if (error instanceof CryptoMisuseError && error.code === code) return 'rejected';
    throw error;
  }
}

const knownPeersFile = fc
  .array(
    fc.record({
      publicKey: realPublicKey,
      name: fc.string({ maxLength: 70 }),
      firstSeen: fc.nat(),
      lastSeen: fc.nat(),
      verified: fc.boolean(),
    }),
    { maxLength: 6 },
  )
  .map((peers) => ({
    v: 1,
    peers: peers.map(({ publicKey, ...rest }) => ({
      id: peerIdFromPublicKey(publicKey),
      publicKey: toBase64(publicKey),
      ...rest,
    })),
  }));

export const knownPeersTarget = target({
  name: 'known-peers',
  parser: 'crypto/known-peers.ts KnownPeers.load',
  arbitrary: mutatedJsonText(knownPeersFile),
  havoc: havocText,
  async check(text) {
    const io = { read: () => Promise.resolve(text), write: () => Promise.resolve() };
    const loaded = await typed('ERR_BAD_KNOWN_PEERS_FILE', () => KnownPeers.load(io));
    if (typeof loaded === 'string') return loaded;
    for (const peer of loaded.list()) {
      if (peer.id !== peerIdFromPublicKey(Buffer.from(peer.publicKey, 'base64'))) {
        violation('loaded a peer whose id is not its key');
      }
    }
    return 'ok';
  },
});

/**
 * parseIdentity re-derives the key pair from the seed (milliseconds in tweetnacl) once both
 * keys have the right length: ~1 input in 250 starts from a real identity file, the rest
 * from one whose secret key has the wrong length, so the other checks get the volume.
 */
const identityFile = fc.oneof(
  {
    arbitrary: fc
      .constantFrom(...KEY_SEEDS)
      .map((seed) => JSON.parse(serializeIdentity(identity(seed))) as unknown),
    weight: 1,
  },
  {
    arbitrary: fc
      .record({
        seed: fc.constantFrom(...KEY_SEEDS),
        secret: fc.uint8Array({ minLength: 1, maxLength: 80 }).filter((b) => b.length !== 64),
      })
      .map(({ seed, secret }) => ({
        v: 1,
        publicKey: toBase64(identity(seed).publicKey),
        secretKey: toBase64(secret),
      })),
    weight: 249,
  },
);

export const identityTarget = target({
  name: 'identity',
  parser: 'crypto/identity.ts parseIdentity',
  arbitrary: mutatedJsonText(identityFile),
  havoc: havocText,
  async check(text) {
    const keys = await typed('ERR_BAD_IDENTITY_FILE', () => parseIdentity(text));
    if (typeof keys === 'string') return keys;
    if (keys.publicKey.length !== 32 || keys.secretKey.length !== 64)
      violation('keys of the wrong length');
    return 'ok';
  },
});
