import {
  HandshakeInitiator,
  HandshakeResponder,
  identityFromSeed,
  type IdentityKeys,
  type RandomSource,
} from '../../../crypto/index.js';

/**
 * Fixed keys and transcripts the generators start from. Built once per process (lazily: a
 * key pair costs milliseconds in tweetnacl) and deterministic, so a reported input replays.
 */

const identities = new Map<number, IdentityKeys>();

/** Identity whose seed is 32 copies of `byte`. */
export function identity(byte: number): IdentityKeys {
  let keys = identities.get(byte);
  if (keys === undefined) {
    keys = identityFromSeed(new Uint8Array(32).fill(byte));
    identities.set(byte, keys);
  }
  return keys;
}

export function fixedRandom(byte: number): RandomSource {
  return (length) => new Uint8Array(length).fill(byte);
}

export const INITIATOR = 1;
export const RESPONDER = 2;

export interface Transcript {
  hello: Uint8Array;
  reply: Uint8Array;
  finish: Uint8Array;
}

let transcript: Transcript | null = null;

/** One complete key exchange with fixed ephemerals: fresh parties with the same randomness accept it. */
export function handshakeTranscript(): Transcript {
  if (transcript === null) {
    const initiator = newInitiator();
    const responder = newResponder();
    const hello = initiator.start();
    const replied = responder.receiveHello(hello);
    if (!replied.ok) throw new Error(`fixture handshake failed: ${replied.reason}`);
    const finished = initiator.receiveReply(replied.reply);
    if (!finished.ok) throw new Error(`fixture handshake failed: ${finished.reason}`);
    transcript = { hello, reply: replied.reply, finish: finished.finish };
  }
  return transcript;
}

export function newInitiator(): HandshakeInitiator {
  return new HandshakeInitiator(identity(INITIATOR), {
    expectedPeerKey: identity(RESPONDER).publicKey,
    random: fixedRandom(0x11),
  });
}

export function newResponder(): HandshakeResponder {
  return new HandshakeResponder(identity(RESPONDER), { random: fixedRandom(0x22) });
}
