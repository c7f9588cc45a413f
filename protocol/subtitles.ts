/**
 * Watch party subtitles, runtime-neutral: a streamer's files (the node converts them to
 * WebVTT for the manifest) and a file a viewer picks from their own disk (parsed in the page,
 * never sent) are read here with subsrt-ts (SRT, WebVTT, ASS/SSA, SBV, SUB) into cues.
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

function vttTime(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const two = (n: number): string => String(n).padStart(2, '0');
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  return `${two(h)}:${two(m)}:${two(s)}.${String(ms % 1000).padStart(3, '0')}`;
}

/** WebVTT of the cues; a cue's text cannot end it early (blank lines and "-->" are dropped). */
export function buildWebVtt(cues: readonly SubtitleCue[]): string {
  const blocks = cues.map((cue) => {
    const text = cue.text
      .replace(/\r/g, '')
      .replace(/\n{2,}/g, '\n')
      .replace(/-->/g, '→');
    return `${vttTime(cue.start)} --> ${vttTime(cue.end)}\n${text}`;
  });
  return `WEBVTT\n\n${blocks.join('\n\n')}\n`;
}
