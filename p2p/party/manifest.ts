import { z } from 'zod';
import type { IdentityKeys } from '../../crypto/index.js';
import {
  fromBase64,
  peerIdFromPublicKey,
  signStatement,
  toBase64,
  verifyStatement,
} from '../../crypto/index.js';
import { HEX_ID } from '../base/ids.js';

/** What a streamer vouches for about the file it shares (issue #12, "Sharing and distribution"). */
export interface PartyManifest {
  /** 32 hex, random per share. */
  party: string;
  /** Bumps on every takeover (a new share). */
  epoch: number;
  /** Peer id of the sharer. */
  streamer: string;
  title: string;
  size: number;
  /** Seconds. */
  duration: number;
  /** e.g. 'video/mp4'. */
  mime: string;
  /** e.g. 'avc1.64001f, mp4a.40.2'. */
  codecs: string;
  pieceSize: number;
  /** SHA-256 hex per piece. */
  pieces: string[];
  /** Subtitle tracks the streamer attached: WebVTT, deflated (raw), base64. */
  subtitles?: SubtitleTrack[] | undefined;
}

export interface SubtitleTrack {
  label: string;
  data: string;
}

export const MIN_PIECE_SIZE = 64 * 1024;
export const MAX_PIECE_SIZE = 16 * 1024 * 1024;
/**
 * Bounds the manifest (about 67 bytes of JSON per piece) well under a control message's
 * size; larger files get larger pieces.
 */
export const MAX_PIECES = 1024;
export const MAX_TITLE_LENGTH = 256;
/**
 * Subtitles travel inside the manifest (one control message, at most 256 KiB with its 1024
 * piece hashes): four tracks of 48 KiB of base64 each, which holds a feature film's
 * dialogue several times over once deflated.
 */
export const MAX_SUBTITLE_TRACKS = 4;
export const MAX_SUBTITLE_DATA = 48 * 1024;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const partyManifestSchema = z
  .strictObject({
    party: z.string().regex(HEX_ID),
    epoch: z.number().int().nonnegative().max(0xffffffff),
    streamer: z.string().regex(HEX_ID),
    title: z.string().max(MAX_TITLE_LENGTH),
    size: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    duration: z.number().nonnegative().max(1e7),
    mime: z.string().min(1).max(64),
    codecs: z.string().max(128),
    pieceSize: z.number().int().min(MIN_PIECE_SIZE).max(MAX_PIECE_SIZE),
    pieces: z.array(hex64).min(1).max(MAX_PIECES),
    subtitles: z
      .array(
        z.strictObject({
          label: z.string().min(1).max(64),
          data: z
            .string()
            .max(MAX_SUBTITLE_DATA)
            .regex(/^[A-Za-z0-9+/]*=*$/),
        }),
      )
      .max(MAX_SUBTITLE_TRACKS)
      .optional(),
  })
  .refine((m) => m.pieces.length === Math.ceil(m.size / m.pieceSize), 'piece count ≠ size');

export const signedManifestSchema = z.strictObject({
  manifest: partyManifestSchema,
  sig: z
    .string()
    .length(88)
    .regex(/^[A-Za-z0-9+/]+=*$/),
});
export type SignedManifest = z.infer<typeof signedManifestSchema>;

/** The smallest power of two from MIN_PIECE_SIZE that keeps the count within MAX_PIECES. */
export function pieceSizeFor(size: number): number {
  let pieceSize = MIN_PIECE_SIZE;
  while (pieceSize < MAX_PIECE_SIZE && Math.ceil(size / pieceSize) > MAX_PIECES) pieceSize *= 2;
  return pieceSize;
}

/** Every field, length-prefixed by the statement encoding, so none can shift into another. */
function fields(m: PartyManifest): string[] {
  return [
    m.party,
    String(m.epoch),
    m.streamer,
    m.title,
    String(m.size),
    String(m.duration),
    m.mime,
    m.codecs,
    String(m.pieceSize),
    m.pieces.join(','),
    // Only when there are any: manifests without subtitles sign as they always did.
    ...(m.subtitles ? ['subtitles', ...m.subtitles.flatMap((t) => [t.label, t.data])] : []),
  ];
}

export function signManifest(m: PartyManifest, identity: IdentityKeys): SignedManifest {
  const sig = toBase64(signStatement(identity, 'party-manifest', fields(m)));
  const subtitles = m.subtitles?.map((track) => ({ ...track }));
  return { manifest: { ...m, pieces: [...m.pieces], ...(subtitles ? { subtitles } : {}) }, sig };
}

/**
 * The manifest if it is well formed and signed by the streamer it names (whose key the
 * caller knows from the roster); null otherwise, never throws on input from the network.
 */
export function verifyManifest(
  s: unknown,
  publicKeyOf: (peer: string) => Uint8Array | null,
): PartyManifest | null {
  const parsed = signedManifestSchema.safeParse(s);
  if (!parsed.success) return null;
  const { manifest, sig } = parsed.data;
  const key = publicKeyOf(manifest.streamer);
  if (!key) return null;
  try {
    if (peerIdFromPublicKey(key) !== manifest.streamer) return null;
    return verifyStatement(key, 'party-manifest', fields(manifest), fromBase64(sig))
      ? manifest
      : null;
  } catch {
    // A key of the wrong size or non-canonical base64: not a valid signature.
    return null;
  }
}
