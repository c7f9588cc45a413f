/**
 * The call stage's pure layout logic (issue #13): how many columns and rows a grid of n tiles
 * takes in a given box, which member is the big tile of speaker view, which corner the self
 * view snaps to, and a member's connection quality. No DOM here, so it is unit-tested under
 * Node (test/ui/stage-logic.test.ts).
 */

export type StageView = 'grid' | 'speaker';
export type Corner = 'top-left' | 'top-right' | 'bottom-right' | 'bottom-left';
/** Clockwise, so the keyboard's "move self view" goes round the stage. */
export const CORNERS: readonly Corner[] = ['top-left', 'top-right', 'bottom-right', 'bottom-left'];

export interface GridShape {
  cols: number;
  rows: number;
}

/**
 * The columns and rows that make n tiles of `tileAspect` (width / height) as large as they can
 * be in a `width` × `height` box with `gap` between them; ties go to fewer empty cells. A
 * short last row is centred by the stage's CSS, so three tiles in a 2 × 2 shape leave no
 * empty quarter.
 */
export function gridShape(
  count: number,
  width: number,
  height: number,
  tileAspect = 4 / 3,
  gap = 12,
): GridShape {
  if (count <= 1 || width <= 0 || height <= 0) return { cols: 1, rows: Math.max(count, 1) };
  let best: GridShape & { tile: number; empty: number } = {
    cols: 1,
    rows: count,
    tile: -1,
    empty: 0,
  };
  for (let cols = 1; cols <= count; cols++) {
    const rows = Math.ceil(count / cols);
    const byWidth = (width - (cols - 1) * gap) / cols;
    const byHeight = ((height - (rows - 1) * gap) / rows) * tileAspect;
    const tile = Math.min(byWidth, byHeight);
    const empty = cols * rows - count;
    // Half a pixel is no difference anyone sees; prefer the fuller grid then.
    const better =
      tile > best.tile + 0.5 || (Math.abs(tile - best.tile) <= 0.5 && empty < best.empty);
    if (better) best = { cols, rows, tile, empty };
  }
  return { cols: best.cols, rows: best.rows };
}

/** How long a new speaker must wait before taking the big tile from the previous one. */
export const SPEAKER_HOLD_MS = 1500;

export interface SpeakerState {
  /** The member speaker view shows (the last one who held the floor), null before anyone. */
  speaker: string | null;
  /** When `speaker` took the floor. */
  since: number;
  /** When each member now speaking started (the longest speaking challenges first). */
  startedAt: Readonly<Record<string, number>>;
}

export const NO_SPEAKER: SpeakerState = { speaker: null, since: 0, startedAt: {} };

/**
 * The next speaker state for who speaks at `now`. The speaker keeps the floor while speaking
 * and for SPEAKER_HOLD_MS after taking it, so a short "yes" from someone else does not flip
 * the big tile; when silent it stays (the last speaker) until someone else speaks.
 * `recheckAt` is when the answer may change with no new input (the hold running out).
 */
export function nextSpeaker(
  previous: SpeakerState,
  input: { now: number; members: readonly string[]; speaking: ReadonlySet<string> },
  holdMs = SPEAKER_HOLD_MS,
): SpeakerState & { recheckAt: number | null } {
  const { now, members, speaking } = input;
  const startedAt: Record<string, number> = {};
  for (const member of members) {
    if (speaking.has(member)) startedAt[member] = previous.startedAt[member] ?? now;
  }
  const challengers = members
    .filter((member) => speaking.has(member))
    .sort((a, b) => (startedAt[a] ?? now) - (startedAt[b] ?? now));
  const current = previous.speaker !== null && members.includes(previous.speaker);
  if (!current) {
    // Nobody to hold the floor for: the first to speak (or nobody yet) takes it now.
    const speaker = challengers[0] ?? null;
    return { speaker, since: speaker === null ? 0 : now, startedAt, recheckAt: null };
  }
  const speaker = previous.speaker as string;
  const challenger = challengers.find((member) => member !== speaker);
  if (speaking.has(speaker) || challenger === undefined) {
    return { speaker, since: previous.since, startedAt, recheckAt: null };
  }
  const free = previous.since + holdMs;
  if (now < free) return { speaker, since: previous.since, startedAt, recheckAt: free };
  return { speaker: challenger, since: now, startedAt, recheckAt: null };
}

/** The big tile: a pinned member first, then the speaker (current or last), then the first. */
export function featuredMember(
  members: readonly string[],
  pinned: string | null,
  speaker: string | null,
): string | null {
  if (pinned !== null && members.includes(pinned)) return pinned;
  if (speaker !== null && members.includes(speaker)) return speaker;
  return members[0] ?? null;
}

/** The corner nearest to a point of a box (where a dragged self view lets go). */
export function nearestCorner(x: number, y: number, width: number, height: number): Corner {
  const left = x < width / 2;
  const top = y < height / 2;
  if (top) return left ? 'top-left' : 'top-right';
  return left ? 'bottom-left' : 'bottom-right';
}

export function nextCorner(corner: Corner): Corner {
  return CORNERS[(CORNERS.indexOf(corner) + 1) % CORNERS.length] ?? 'bottom-right';
}

export function isCorner(value: unknown): value is Corner {
  return typeof value === 'string' && (CORNERS as readonly string[]).includes(value);
}

export type Quality = 'good' | 'fair' | 'poor';

export interface QualityInput {
  /** Frames lost of those due over the last stats interval, in percent; null if none were. */
  lossPercent: number | null;
  rttMs: number | null;
  /** Frames shown per second; null when no video is expected (video off, none yet). */
  fps: number | null;
}

/**
 * A member's connection in three steps, as Meet and Zoom show it: the worst of loss, round
 * trip and frame rate decides. Null when there is nothing to judge yet.
 */
export function connectionQuality(input: QualityInput): Quality | null {
  const { lossPercent, rttMs, fps } = input;
  if (lossPercent === null && rttMs === null && fps === null) return null;
  const poor =
    (lossPercent !== null && lossPercent >= 10) ||
    (rttMs !== null && rttMs >= 400) ||
    (fps !== null && fps < 3);
  if (poor) return 'poor';
  const fair =
    (lossPercent !== null && lossPercent >= 3) ||
    (rttMs !== null && rttMs >= 150) ||
    (fps !== null && fps < 10);
  return fair ? 'fair' : 'good';
}

/**
 * Loss over the interval between two cumulative samples (`lost`, `received` only grow while a
 * member stays). A member whose counters went back (a new receiver after a relink) starts over.
 */
export function lossPercent(
  previous: { lost: number; received: number } | undefined,
  next: { lost: number; received: number },
): number | null {
  if (!previous || next.lost < previous.lost || next.received < previous.received) return null;
  const lost = next.lost - previous.lost;
  const due = lost + next.received - previous.received;
  return due === 0 ? null : (lost / due) * 100;
}

/** What the page keeps of the stage between visits (renderer/lib/storage.ts). */
export interface StagePrefs {
  view: StageView;
  selfCorner: Corner;
  mirror: boolean;
}

export const DEFAULT_STAGE_PREFS: StagePrefs = {
  view: 'grid',
  selfCorner: 'bottom-right',
  mirror: true,
};

/** Stored preferences, each field checked on its own: a bad one falls back to its default. */
export function parseStagePrefs(text: string | null): StagePrefs {
  let raw: unknown;
  try {
    raw = text === null ? null : JSON.parse(text);
  } catch {
    raw = null;
  }
  const value = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  return {
    view: value.view === 'speaker' || value.view === 'grid' ? value.view : DEFAULT_STAGE_PREFS.view,
    selfCorner: isCorner(value.selfCorner) ? value.selfCorner : DEFAULT_STAGE_PREFS.selfCorner,
    mirror: typeof value.mirror === 'boolean' ? value.mirror : DEFAULT_STAGE_PREFS.mirror,
  };
}
