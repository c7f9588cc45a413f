import type { Msg, Translator } from '../i18n/catalog.js';
import { msg } from '../i18n/catalog.js';

/** Up to two initials for an avatar: "Ada Lovelace" → "AL", "bob" → "B". */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.slice(0, 2).map((word) => Array.from(word)[0] ?? '');
  return letters.join('').toUpperCase() || '?';
}

/** A stable hue (0-359) per id, for avatar colours. */
export function hueOf(id: string): number {
  let hash = 0;
  for (let i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) >>> 0;
  return hash % 360;
}

// Units by Intl's rules for the locale (decimal comma, spacing); the symbols are the same
// in all six languages.
const unit = (name: string, digits: number): Intl.NumberFormatOptions => ({
  style: 'unit',
  unit: name,
  unitDisplay: 'short',
  minimumFractionDigits: digits,
  maximumFractionDigits: digits,
});

export function formatMs(i18n: Translator, value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  return i18n.number(value, unit('millisecond', value < 10 ? 1 : 0));
}

export function formatKbps(i18n: Translator, value: number): string {
  return value >= 1000
    ? i18n.number(value / 1000, unit('megabit-per-second', 1))
    : i18n.number(value, unit('kilobit-per-second', 0));
}

export function formatFps(i18n: Translator, value: number): string {
  return i18n.t('unit.fps', { value: Math.round(value) });
}

/** The safety code in groups for reading aloud (it arrives as space-separated digits). */
export function codeGroups(code: string): string[] {
  const groups = code.trim().split(/\s+/).filter(Boolean);
  return groups.length > 0 ? groups : ['—'];
}

/** "pattern" / "camera:0" / "file:/x.avi" → what the settings form shows. */
export type SourceKind = 'pattern' | 'camera' | 'file';

export function parseSource(source: string): { kind: SourceKind; camera: number; path: string } {
  if (source.startsWith('camera:')) {
    const index = Number(source.slice('camera:'.length));
    return { kind: 'camera', camera: Number.isInteger(index) ? index : 0, path: '' };
  }
  if (source.startsWith('file:')) return { kind: 'file', camera: 0, path: source.slice(5) };
  return { kind: 'pattern', camera: 0, path: '' };
}

export function describeSource(source: string): Msg {
  const parsed = parseSource(source);
  switch (parsed.kind) {
    case 'camera':
      return msg('source.camera.number', { number: parsed.camera });
    case 'file':
      return msg('source.file.path', { path: parsed.path });
    case 'pattern':
      return msg('source.pattern');
  }
}

/** h:mm:ss from the first hour on; below it m:ss, or mm:ss with `padMinutes`. */
function clock(totalSeconds: number, padMinutes: boolean): string {
  const total = Number.isFinite(totalSeconds) ? Math.max(0, Math.floor(totalSeconds)) : 0;
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor(total / 60) % 60;
  const two = (n: number): string => String(n).padStart(2, '0');
  if (hours > 0) return `${hours}:${two(minutes)}:${two(total % 60)}`;
  return `${padMinutes ? two(minutes) : minutes}:${two(total % 60)}`;
}

/** A film position or length: "4:07", then "1:02:09". */
export function formatClock(seconds: number): string {
  return clock(seconds, false);
}

/** A call's running time: "04:07", then "1:02:09" from the first hour on. */
export function formatDuration(ms: number): string {
  return clock(ms / 1000, true);
}
