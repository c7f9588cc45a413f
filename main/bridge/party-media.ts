/**
 * The watch party's film for the page's `<video>`: GET /party/<party id> with HTTP Range, so
 * the browser does the decoding, A/V sync and seeking while the bytes come from the node's
 * piece store. A range whose pieces are missing waits for them (the swarm fetches them at
 * top priority); one answer carries at most MAX_ANSWER_BYTES, and the browser asks for the
 * rest as it plays, so a seek never waits for more than the window it needs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PartyMedia } from '../session-party.js';

/** The film, or (with a track index) one of the streamer's subtitle tracks as WebVTT. */
export const PARTY_PATH = /^\/party\/([0-9a-f]{32})(?:\/subtitles\/([0-3]))?$/;

/** What a request for PARTY_PATH asks for, or null when the path is not one. */
export function partyTarget(pathname: string): { party: string; subtitles: number | null } | null {
  const match = PARTY_PATH.exec(pathname);
  if (!match?.[1]) return null;
  return { party: match[1], subtitles: match[2] === undefined ? null : Number(match[2]) };
}
/** Four pieces of the smallest size: enough to start playing, small enough to come fast. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

export type RangeVerdict = { start: number; end: number } | { unsatisfiable: true };

/**
 * One `bytes=` range of a `size`-byte file (RFC 9110 §14.1.2): `a-b`, `a-` or `-n`. Several
 * ranges or any other unit are answered as the first `bytes=0-` would be (browsers' media
 * stacks only ever ask for one). `end` is exclusive and capped at MAX_ANSWER_BYTES.
 */
export function parseRange(header: string | undefined, size: number): RangeVerdict {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  let start = 0;
  let last = size - 1;
  if (match) {
    const [, from = '', to = ''] = match;
    if (from === '' && to === '') return { unsatisfiable: true };
    if (from === '') {
      start = Math.max(0, size - Number(to));
    } else {
      start = Number(from);
      if (to !== '') last = Math.min(last, Number(to));
    }
  }
  if (!Number.isSafeInteger(start) || start >= size || last < start) return { unsatisfiable: true };
  return { start, end: Math.min(last + 1, start + MAX_ANSWER_BYTES) };
}

export interface PartyAnswer {
  status: 200 | 206 | 404 | 410 | 416;
  headers: Record<string, string>;
  body: Uint8Array | null;
}

/**
 * The answer to one request for the film, for either shell (the bridge's HTTP server, the
 * Electron protocol handler); `headers` are the shell's security headers.
 */
export async function answerPartyRequest(
  method: string,
  rangeHeader: string | undefined | null,
  media: PartyMedia | null,
  headers: Record<string, string>,
  subtitles: number | null = null,
): Promise<PartyAnswer> {
  const empty = (status: PartyAnswer['status'], extra: Record<string, string> = {}) => ({
    status,
    headers: { ...headers, 'Content-Length': '0', ...extra },
    body: null,
  });
  if (!media) return empty(404);
  if (subtitles !== null) {
    const vtt = media.subtitles(subtitles);
    if (vtt === null) return empty(404);
    const body = new TextEncoder().encode(vtt);
    const type = { 'Content-Type': 'text/vtt; charset=utf-8' };
    return {
      status: 200,
      headers: { ...headers, ...type, 'Content-Length': String(body.length) },
      body,
    };
  }
  const range = parseRange(rangeHeader ?? undefined, media.size);
  if ('unsatisfiable' in range) return empty(416, { 'Content-Range': `bytes */${media.size}` });
  const common = {
    ...headers,
    'Content-Type': media.mime,
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'no-store',
  };
  if (method === 'HEAD') {
    return {
      status: 200,
      headers: { ...common, 'Content-Length': String(media.size) },
      body: null,
    };
  }
  let bytes: Uint8Array | null;
  try {
    bytes = await media.read(range.start, range.end);
  } catch {
    bytes = null;
  }
  // The party ended (or another share took over) while we waited for its pieces.
  if (!bytes) return empty(410);
  const last = range.start + bytes.byteLength - 1;
  return {
    status: 206,
    headers: {
      ...common,
      'Content-Range': `bytes ${range.start}-${last}/${media.size}`,
      'Content-Length': String(bytes.byteLength),
    },
    body: bytes,
  };
}

/** The bridge's side: answers one HTTP request, unless the browser dropped it meanwhile. */
export async function servePartyMedia(
  req: IncomingMessage,
  res: ServerResponse,
  media: PartyMedia | null,
  headers: Record<string, string>,
  subtitles: number | null,
): Promise<void> {
  // A seek makes the browser drop this request: nobody waits for its answer then.
  let gone = false;
  res.on('close', () => (gone = true));
  const method = req.method ?? 'GET';
  const answer = await answerPartyRequest(method, req.headers.range, media, headers, subtitles);
  if (gone) return;
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body ?? undefined);
}
