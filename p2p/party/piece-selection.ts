/**
 * Which pieces a member asks for next (issue #12): pieces a reader is waiting for, then the
 * window just ahead of the playhead in order, then the read-ahead beyond it, then the rest;
 * read-ahead and the rest rarest-first, ties broken at random so members ask different
 * holders for different pieces. Pieces `deferred` (the streamer's pieces another member is
 * meant to fetch from it: see Swarm) are left out of the read-ahead and the rest until that
 * member holds them: asked for only when a reader waits or the playhead reaches them, so the
 * streamer sends each about once (with a 33-piece clip, read-ahead of the first 10 pieces
 * by every member alone cost 0.6 file copies).
 */
export interface SelectionInput {
  total: number;
  /** Not held and not already requested. */
  wanted: (index: number) => boolean;
  /** How many peers hold the piece (0: nobody to ask). */
  holders: (index: number) => number;
  /** The piece under the playhead. */
  playhead: number;
  /** Pieces a read() waits for, oldest first. */
  urgent: readonly number[];
  window: number;
  readAhead: number;
  limit: number;
  deferred?: (index: number) => boolean;
  random?: () => number;
}

export function selectPieces(input: SelectionInput): number[] {
  const { total, wanted, holders, playhead, limit } = input;
  const random = input.random ?? Math.random;
  const deferred = input.deferred ?? ((): boolean => false);
  const chosen: number[] = [];
  const taken = new Set<number>();
  const take = (index: number): boolean => {
    if (index < 0 || index >= total || taken.has(index)) return false;
    if (!wanted(index) || holders(index) === 0) return false;
    taken.add(index);
    chosen.push(index);
    return chosen.length >= limit;
  };
  const rarestFirst = (indices: number[]): number[] =>
    indices
      .filter((index) => !deferred(index))
      .map((index) => ({ index, rarity: holders(index), tie: random() }))
      .sort((a, b) => a.rarity - b.rarity || a.tie - b.tie)
      .map((entry) => entry.index);
  if (limit <= 0) return chosen;
  for (const index of input.urgent) if (take(index)) return chosen;
  const windowEnd = Math.min(total, playhead + input.window);
  for (let index = playhead; index < windowEnd; index++) if (take(index)) return chosen;
  const aheadEnd = Math.min(total, windowEnd + input.readAhead);
  const ahead: number[] = [];
  for (let index = windowEnd; index < aheadEnd; index++) ahead.push(index);
  for (const index of rarestFirst(ahead)) if (take(index)) return chosen;
  const rest: number[] = [];
  for (let index = 0; index < total; index++) {
    if (index < playhead || index >= aheadEnd) rest.push(index);
  }
  for (const index of rarestFirst(rest)) if (take(index)) return chosen;
  return chosen;
}

/**
 * Whom to ask for a piece: the holder we have fewest requests outstanding with, a member
 * before the streamer (so the streamer's upload stays near one copy), then at random.
 */
export function chooseHolder(
  candidates: readonly string[],
  load: (peer: string) => number,
  streamer: string,
  random: () => number = Math.random,
): string | null {
  let best: { peer: string; key: [number, number, number] } | null = null;
  for (const peer of candidates) {
    const key: [number, number, number] = [load(peer), peer === streamer ? 1 : 0, random()];
    if (!best || key[0] < best.key[0] || (key[0] === best.key[0] && less(key, best.key))) {
      best = { peer, key };
    }
  }
  return best?.peer ?? null;
}

function less(a: [number, number, number], b: [number, number, number]): boolean {
  return a[1] < b[1] || (a[1] === b[1] && a[2] < b[2]);
}

/**
 * Pieces only the streamer holds that another member is meant to fetch from it: the
 * members (not the streamer) split its pieces by index, each asks the streamer for its own
 * share first and gets the rest from the others, so the streamer sends each piece about
 * once instead of once per member.
 */
export function othersShare(
  localId: string,
  streamer: string,
  peers: ReadonlyMap<string, { readonly holds: Uint8Array }>,
): (index: number) => boolean {
  const members = [localId, ...peers.keys()].filter((id) => id !== streamer).sort();
  const rank = members.indexOf(localId);
  if (!peers.has(streamer) || rank < 0 || members.length < 2) return () => false;
  return (index) =>
    index % members.length !== rank &&
    [...peers].every(([id, peer]) => id === streamer || peer.holds[index] !== 1);
}
