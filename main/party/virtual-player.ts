import type { PartyState } from '../../p2p/party/party-state.js';
import { positionAt } from '../../p2p/party/party-state.js';

/**
 * A headless member's player: no picture, only a playhead that follows the party state
 * (it advances at the state's rate while playing), so bots and tests take part like a page.
 */
export class VirtualPlayer {
  #state: PartyState | null = null;
  readonly #sharedNow: () => number;

  constructor(sharedNow: () => number) {
    this.#sharedNow = sharedNow;
  }

  get state(): PartyState | null {
    return this.#state;
  }

  follow(state: PartyState | null): void {
    this.#state = state;
  }

  /** Seconds into the film now; 0 without a party. */
  get position(): number {
    return this.#state ? positionAt(this.#state, this.#sharedNow()) : 0;
  }
}
