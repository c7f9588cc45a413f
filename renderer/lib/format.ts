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

/** The time of day of a timestamp; "—" for one Date cannot hold (never throws). */
export function formatTime(ts: number): string {
  const date = new Date(ts);
  if (Number.isNaN(date.getTime())) return '—';
  return date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  return value < 10 ? `${value.toFixed(1)} ms` : `${Math.round(value)} ms`;
}

export function formatKbps(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(1)} Mb/s` : `${Math.round(value)} kb/s`;
}

export function formatFps(value: number): string {
  return `${Math.round(value)} fps`;
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

export function describeSource(source: string): string {
  const parsed = parseSource(source);
  switch (parsed.kind) {
    case 'camera':
      return `Camera ${parsed.camera}`;
    case 'file':
      return `File ${parsed.path}`;
    case 'pattern':
      return 'Test pattern';
  }
}

/** A default file name for exporting the chat, e.g. meshcall-chat-2026-11-21-1530.md. */
export function defaultExportName(now: Date, format: 'markdown' | 'text' = 'markdown'): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const day = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  const extension = format === 'markdown' ? 'md' : 'txt';
  return `meshcall-chat-${day}-${pad(now.getHours())}${pad(now.getMinutes())}.${extension}`;
}
