/**
 * STAND-IN, TO REMOVE when H-swarm's branch (pswarm) is merged: the manifest
 * (p2p/party/manifest.ts) and the Swarm (p2p/party/swarm.ts) as the shared design fixes
 * their interfaces, reduced to what the party state needs. The Swarm here moves no pieces:
 * the streamer holds everything, the others nothing. Importers: call-party.ts,
 * control-messages.ts, main/party/share-stand-in.ts, main/session-party.ts.
 */
import { z } from 'zod';
import { fromBase64, toBase64 } from '../../crypto/index.js';
import type { IdentityKeys } from '../../crypto/index.js';
import { signDetached, verifyDetached } from '../../crypto/primitives.js';
import { utf8 } from '../../crypto/bytes.js';
import { HEX_ID } from '../base/ids.js';
import type { Logger } from '../base/logger.js';
import { TypedEmitter } from '../base/typed-emitter.js';
import type { CallLink } from '../call/call-link.js';

const hexId = z.string().regex(HEX_ID);

export const partyManifestSchema = z.strictObject({
  party: hexId,
  epoch: z.number().int().nonnegative(),
  streamer: hexId,
  title: z.string().max(256),
  size: z.number().int().nonnegative(),
  duration: z.number().nonnegative().max(864_000),
  mime: z.string().max(64),
  codecs: z.string().max(128),
  pieceSize: z.number().int().positive(),
  pieces: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(100_000),
});
export type PartyManifest = z.infer<typeof partyManifestSchema>;

export const signedManifestSchema = z.strictObject({
  manifest: partyManifestSchema,
  sig: z.string().max(100),
});
export type SignedManifest = z.infer<typeof signedManifestSchema>;

const LABEL = 'meshcall/party-manifest/stand-in/';

export function signManifest(m: PartyManifest, identity: IdentityKeys): SignedManifest {
  const sig = signDetached(utf8(LABEL + JSON.stringify(m)), identity.secretKey);
  return { manifest: m, sig: toBase64(sig) };
}

export function verifyManifest(
  s: SignedManifest,
  publicKeyOf: (peer: string) => Uint8Array | null,
): PartyManifest | null {
  const key = publicKeyOf(s.manifest.streamer);
  if (!key) return null;
  try {
    const sig = fromBase64(s.sig);
    return verifyDetached(utf8(LABEL + JSON.stringify(s.manifest)), sig, key) ? s.manifest : null;
  } catch {
    return null;
  }
}

export interface SwarmEvents {
  progress: [{ have: number; total: number; received: Record<string, number>; uploaded: number }];
  complete: [{ sha256: string; path: string }];
  'bad-piece': [{ from: string; index: number }];
}

export class Swarm extends TypedEmitter<SwarmEvents> {
  readonly #manifest: PartyManifest;
  readonly #localId: string;
  readonly #holds: boolean;
  readonly #peers = new Set<string>();

  constructor(o: {
    manifest: PartyManifest;
    dir: string;
    localId: string;
    sourcePath?: string;
    logger: Logger;
  }) {
    super({ logger: o.logger, name: 'swarm' });
    this.#manifest = o.manifest;
    this.#localId = o.localId;
    this.#holds = o.sourcePath !== undefined;
  }

  addPeer(id: string, _link: CallLink): void {
    this.#peers.add(id);
  }

  removePeer(id: string): void {
    this.#peers.delete(id);
  }

  handle(_from: string, _message: unknown): void {}

  setPlayhead(_byteOffset: number): void {}

  holdsAll(): boolean {
    return this.#holds;
  }

  /** Only what we hold is known here: the stand-in exchanges no haves. */
  holders(): Map<number, Set<string>> {
    const map = new Map<number, Set<string>>();
    this.#manifest.pieces.forEach((_, i) =>
      map.set(i, new Set(this.#holds ? [this.#localId] : [])),
    );
    return map;
  }

  close(): void {
    this.removeAllListeners();
  }
}
