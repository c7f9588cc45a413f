/**
 * The streamer's subtitle files for the manifest: each read (SRT, WebVTT, ASS/SSA, SBV, SUB),
 * converted to WebVTT, deflated and base64'd within the manifest's bounds; and a member's way
 * back from a manifest track to the WebVTT its page shows.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { MAX_SUBTITLE_BYTES, buildWebVtt, parseSubtitles } from '../../protocol/subtitles.js';
import type { SubtitleTrack } from '../../p2p/party/manifest.js';
import { MAX_SUBTITLE_DATA, MAX_SUBTITLE_TRACKS } from '../../p2p/party/manifest.js';

/** What a track may inflate to: a bound against a deflate bomb in a peer's manifest. */
const MAX_VTT_BYTES = 4 * 1024 * 1024;

/** Throws an Error that says which file and why. */
export async function readSubtitleTracks(files: readonly string[]): Promise<SubtitleTrack[]> {
  if (files.length > MAX_SUBTITLE_TRACKS) {
    throw new Error(`at most ${MAX_SUBTITLE_TRACKS} subtitle files`);
  }
  const tracks: SubtitleTrack[] = [];
  for (const file of files) {
    const name = path.basename(file);
    if ((await stat(file)).size > MAX_SUBTITLE_BYTES) {
      throw new Error(`subtitles ${name}: larger than ${MAX_SUBTITLE_BYTES} bytes`);
    }
    const parsed = parseSubtitles(await readFile(file, 'utf8'));
    if (!parsed.ok) throw new Error(`subtitles ${name}: ${parsed.reason}`);
    const data = deflateRawSync(Buffer.from(buildWebVtt(parsed.cues)), { level: 9 });
    const encoded = data.toString('base64');
    if (encoded.length > MAX_SUBTITLE_DATA) {
      throw new Error(`subtitles ${name}: too long for the manifest even compressed`);
    }
    tracks.push({ label: name.replace(/\.[^.]+$/, '').slice(0, 64) || 'subtitles', data: encoded });
  }
  return tracks;
}

/** The WebVTT of a track from a (verified) manifest, or null if it does not inflate to one. */
export function trackWebVtt(track: SubtitleTrack): string | null {
  try {
    const text = inflateRawSync(Buffer.from(track.data, 'base64'), {
      maxOutputLength: MAX_VTT_BYTES,
    }).toString('utf8');
    return parseSubtitles(text).ok ? text : null;
  } catch {
    return null;
  }
}
