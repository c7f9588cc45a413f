/**
 * The watch party as the page shows it: folded from the node's party events. Pure, like the
 * reducer that calls it (test/ui runs it under Node).
 */
import type { SessionEvent } from '../../protocol/api.js';

export type PartyStateEvent = Extract<SessionEvent, { event: 'party-state' }>;
type PartyEvent = Extract<
  SessionEvent,
  { event: 'party-preparing' | 'party-state' | 'party-progress' | 'party-complete' | 'party-ended' }
>;

export interface PartyView {
  /** The party now playing, as the node last described it; null when none. */
  state: PartyStateEvent | null;
  /** Percent done while our own share is being prepared (probe, remux or transcode). */
  preparing: number | null;
  /** Pieces this node holds of the current film. */
  have: number;
  total: number;
  complete: boolean;
}

export const NO_PARTY: PartyView = {
  state: null,
  preparing: null,
  have: 0,
  total: 0,
  complete: false,
};

/** The party after one of its events; a new party (another id) starts from nothing. */
export function reduceParty(party: PartyView, event: PartyEvent): PartyView {
  switch (event.event) {
    case 'party-preparing':
      return { ...party, preparing: event.percent >= 100 ? null : event.percent };
    case 'party-state': {
      const same = party.state?.party === event.party;
      const base = same ? party : { ...NO_PARTY };
      return { ...base, state: event, preparing: null };
    }
    case 'party-progress':
      if (party.state && party.state.party !== event.party) return party;
      return { ...party, have: event.have, total: event.total };
    case 'party-complete':
      if (party.state && party.state.party !== event.party) return party;
      return { ...party, complete: true, have: party.total || party.have };
    case 'party-ended':
      if (party.state && party.state.party !== event.party) return party;
      return { ...NO_PARTY };
  }
}

/**
 * Where the film should be (seconds) at `wallMs` (ms since the epoch): the node's position,
 * moved on at the party's rate while it plays. The node and this page share one clock.
 */
export function expectedPosition(state: PartyStateEvent, wallMs: number): number {
  if (state.paused) return state.position;
  const moved = ((wallMs - state.sampledAt) / 1000) * state.rate;
  return Math.max(0, Math.min(state.duration, state.position + moved));
}
