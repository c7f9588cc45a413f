import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peerIdFromPublicKey } from '../../crypto/index.js';
import { silentLogger } from '../../p2p/base/logger.js';
import type { CallLink } from '../../p2p/call/call-link.js';
import type { ControlMessage, PieceMessage } from '../../p2p/link/control-messages.js';
import type { PartyManifest } from '../../p2p/party/manifest.js';
import { pieceSizeFor } from '../../p2p/party/manifest.js';
import { hashPieces } from '../../p2p/party/piece-store.js';
import { Swarm } from '../../p2p/party/swarm.js';
import { seededIdentity } from './crypto-fixtures.js';

/** Watch party test helpers: members' ids, a shared file's manifest, swarms, link wiring. */

export const memberId = (seed: number): string =>
  peerIdFromPublicKey(seededIdentity(seed).publicKey);

export function tempDir(label: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `meshcall-${label}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A file of random bytes (incompressible, like a video) in `dir`. */
export function randomFile(dir: string, size: number): string {
  const path = join(dir, 'source.bin');
  writeFileSync(path, randomBytes(size));
  return path;
}

export async function manifestOf(path: string, streamer: string): Promise<PartyManifest> {
  const { size } = await import('node:fs').then((fs) => fs.statSync(path));
  const pieceSize = pieceSizeFor(size);
  const { pieces } = await hashPieces(path, pieceSize);
  return {
    party: randomBytes(16).toString('hex'),
    epoch: 1,
    streamer,
    title: 'clip',
    size,
    duration: 20,
    mime: 'video/mp4',
    codecs: 'avc1.64001f, mp4a.40.2',
    pieceSize,
    pieces,
  };
}

export function makeSwarm(
  manifest: PartyManifest,
  root: string,
  localId: string,
  sourcePath?: string,
): Swarm {
  return new Swarm({
    manifest,
    dir: join(root, `cache-${localId}`, manifest.party),
    localId,
    sourcePath,
    logger: silentLogger,
  });
}

export const isPieceMessage = (message: ControlMessage): message is PieceMessage =>
  message.t.startsWith('piece-');

/** Flips a byte in every block sent: a member that serves corrupted pieces. */
export function corrupting(link: CallLink): CallLink {
  return new Proxy(link, {
    get(target, key, receiver) {
      if (key === 'sendBulk') {
        return (frame: Uint8Array): boolean => {
          const bad = frame.slice();
          const at = bad.length - 1;
          bad[at] = (bad[at] ?? 0) ^ 0xff;
          return target.sendBulk?.(bad) ?? false;
        };
      }
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}

/**
 * An in-memory link from one swarm to another: control messages and bulk frames arrive
 * asynchronously, as over a network; the bulk buffer is never full.
 */
export function memoryLink(from: string, to: () => Swarm, o: { deaf?: boolean } = {}): CallLink {
  const link = {
    peerId: '',
    sendControl(message: ControlMessage): boolean {
      // A deaf link loses what we send: the peer behind it never hears our requests.
      if (isPieceMessage(message) && !o.deaf) setImmediate(() => to().handle(from, message));
      return true;
    },
    sendBulk(frame: Uint8Array): boolean {
      const copy = frame.slice();
      setImmediate(() => to().handleBulk(from, copy));
      return true;
    },
  };
  return link as unknown as CallLink;
}
