import { z } from 'zod';
import { HEX_ID } from '../base/ids.js';

/** A hybrid logical clock reading: wall-clock ms, and a counter for events in the same ms. */
export interface Hlc {
  wall: number;
  counter: number;
}

const hexId = z.string().regex(HEX_ID);
const MAX_TITLE = 256;
/** Ten days: a bound for positions and durations (seconds) that no real film reaches. */
const MAX_SECONDS = 864_000;

export const partyStateSchema = z.strictObject({
  party: hexId,
  epoch: z.number().int().nonnegative(),
  streamer: hexId,
  title: z.string().max(MAX_TITLE),
  duration: z.number().nonnegative().max(MAX_SECONDS),
  paused: z.boolean(),
  /** Seconds into the film at the shared-clock instant `at`. */
  position: z.number().nonnegative().max(MAX_SECONDS),
  at: z.number().nonnegative(),
  rate: z.number().min(0.25).max(4),
  updatedBy: hexId,
  hlc: z.strictObject({
    wall: z.number().int().nonnegative(),
    counter: z.number().int().nonnegative().max(0xffffffff),
  }),
});
export type PartyState = z.infer<typeof partyStateSchema>;

function compareHlc(a: Hlc, b: Hlc): number {
  return a.wall - b.wall || a.counter - b.counter;
}

/**
 * The last-writer-wins order: (epoch, hlc.wall, hlc.counter, updatedBy). A total order on
 * every state two members can write (one member never writes two states with one HLC
 * reading), so whatever order updates arrive in, every member keeps the same one.
 */
export function compareStates(a: PartyState, b: PartyState): number {
  if (a.epoch !== b.epoch) return a.epoch - b.epoch;
  const byClock = compareHlc(a.hlc, b.hlc);
  if (byClock !== 0) return byClock;
  return a.updatedBy < b.updatedBy ? -1 : a.updatedBy > b.updatedBy ? 1 : 0;
}

/** The state that wins between what we hold and what arrived. */
export function mergeStates(current: PartyState | null, incoming: PartyState): PartyState {
  return current && compareStates(current, incoming) >= 0 ? current : incoming;
}

/** Where the film is at a shared-clock instant (ms), following the state's rate. */
export function positionAt(state: PartyState, sharedNow: number): number {
  if (state.paused) return state.position;
  const moved = (Math.max(0, sharedNow - state.at) / 1000) * state.rate;
  return Math.min(state.duration, state.position + moved);
}

/**
 * A hybrid logical clock (Kulkarni et al.): readings follow the wall clock, never go back,
 * and every reading taken after seeing another member's is greater than it, so a command
 * issued after an update always wins over that update even with clocks a little apart.
 */
export class HybridClock {
  #last: Hlc = { wall: 0, counter: 0 };
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** A fresh reading for a state we write. */
  tick(): Hlc {
    const wall = Math.max(this.#last.wall, Math.floor(this.#now()));
    this.#last = { wall, counter: wall === this.#last.wall ? this.#last.counter + 1 : 0 };
    return { ...this.#last };
  }

  /** Takes in a reading seen on another member's state. */
  observe(remote: Hlc): void {
    if (compareHlc(remote, this.#last) > 0) this.#last = { ...remote };
  }
}
