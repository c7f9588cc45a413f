/**
 * Subtitles a viewer picks from their own disk (SRT, WebVTT and the other formats subsrt-ts
 * reads), shown only in this page: parsed here into cues that the page adds to its own text
 * track, moved by the viewer's subtitle delay. Nothing of them leaves the page.
 */
import { detect, parse } from 'subsrt-ts';

export interface SubtitleCue {
  /** Seconds into the film, before the viewer's delay. */
  start: number;
  end: number;
  text: string;
}

/** Above this a "subtitle" file is something else; reading it would only stall the page. */
export const MAX_SUBTITLE_BYTES = 4 * 1024 * 1024;
const MAX_CUES = 20_000;

export type SubtitleResult = { ok: true; cues: SubtitleCue[] } | { ok: false; reason: string };

export function parseSubtitles(content: string): SubtitleResult {
  if (content.length > MAX_SUBTITLE_BYTES) return { ok: false, reason: 'tooLarge' };
  const text = content.replace(/^\uFEFF/, '');
  let format: string;
  try {
    format = detect(text);
  } catch {
    format = '';
  }
  if (!format) return { ok: false, reason: 'unknownFormat' };
  let captions;
  try {
    captions = parse(text, { format });
  } catch {
    return { ok: false, reason: 'unreadable' };
  }
  const cues: SubtitleCue[] = [];
  for (const caption of captions) {
    if (caption.type !== 'caption') continue;
    const start = caption.start / 1000;
    const end = caption.end / 1000;
    if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start || start < 0) continue;
    const words = caption.text.trim();
    if (words) cues.push({ start, end, text: words });
    if (cues.length >= MAX_CUES) break;
  }
  return cues.length > 0 ? { ok: true, cues } : { ok: false, reason: 'noCues' };
}
