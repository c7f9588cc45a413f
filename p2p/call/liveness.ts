import type { Member, MemberState } from './call-types.js';

export interface CallTimings {
  /** Silence after which a member shows as reconnecting. */
  quietMs: number;
  /** Silence after which a member is removed from the call. */
  goneMs: number;
  /** How often liveness is checked (and receivers tell senders what arrived). */
  checkMs: number;
}

export const DEFAULT_TIMINGS: CallTimings = { quietMs: 1500, goneMs: 9500, checkMs: 250 };

/**
 * What a member's silence means: gone (remove it), quiet (show it reconnecting and make a
 * fresh link alongside), back (heard again on an open link), or nothing new.
 */
export function livenessVerdict(
  silenceMs: number,
  state: 'connected' | 'reconnecting',
  linkOpen: boolean,
  timings: CallTimings,
): 'gone' | 'quiet' | 'back' | null {
  if (silenceMs > timings.goneMs) return 'gone';
  if (silenceMs > timings.quietMs) return state === 'connected' ? 'quiet' : null;
  return state === 'reconnecting' && linkOpen ? 'back' : null;
}

/** What checkLiveness asks the call to do. */
export interface LivenessActions {
  remove(memberId: string): void;
  setState(member: Member, state: MemberState): void;
  /** The member's link may be open but stalled: start a fresh one alongside. */
  linkLost(memberId: string): void;
}

/** Applies each connected or reconnecting member's verdict (the call's periodic check). */
export function checkLiveness(
  members: Iterable<Member>,
  timings: CallTimings,
  actions: LivenessActions,
  now = Date.now(),
): void {
  for (const member of members) {
    if (member.state !== 'connected' && member.state !== 'reconnecting') continue;
    // Heartbeats stay inside the link; count them as hearing from the member.
    const linkOpen = member.link?.state === 'open';
    const heard = Math.max(member.lastHeard, linkOpen ? (member.link?.lastHeard ?? 0) : 0);
    switch (livenessVerdict(now - heard, member.state, linkOpen, timings)) {
      case 'gone':
        actions.remove(member.identity.id);
        break;
      case 'quiet':
        // The link may be open but stalled (its transport backing off after an outage).
        actions.setState(member, 'reconnecting');
        if (!member.pending) actions.linkLost(member.identity.id);
        break;
      case 'back':
        actions.setState(member, 'connected');
        break;
      case null:
        break;
    }
  }
}
