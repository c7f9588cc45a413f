import type { ReactionEmoji } from '../../protocol/gesture-api.js';
import { TokenBuckets } from '../base/token-buckets.js';
import { TypedEmitter } from '../base/typed-emitter.js';
import type { ControlMessage, GestureMessage } from '../link/control-messages.js';
import type { CallLink } from './call-link.js';

/**
 * Reactions one member may send: a burst of 5, then one a second. Enough for a quick "👏👏👏",
 * too few for a member to fill everyone's screen; what goes over is dropped and counted.
 */
export const REACTION_RATE = { burst: 5, perSecond: 1 } as const;

export interface GestureEvents {
  hand: [{ peer: string; raised: boolean }];
  reaction: [{ peer: string; emoji: ReactionEmoji }];
}

export function isGestureMessage(message: ControlMessage): message is GestureMessage {
  return message.t === 'hand' || message.t === 'reaction';
}

/**
 * Raised hands and reactions in one call: ours to every member (our hand again on every link
 * that opens, so a late joiner or a relinked member learns it), theirs reported as `hand` and
 * `reaction` events. Only members count; each member's reactions are rate-limited.
 */
export class CallGestures extends TypedEmitter<GestureEvents> {
  readonly #isMember: (id: string) => boolean;
  readonly #links: () => Iterable<CallLink>;
  #raised = false;
  /** Members with a hand up. */
  readonly #hands = new Set<string>();
  /** Per member: its reactions (and ours, under our own key, so we never flood the others). */
  readonly #buckets: TokenBuckets;
  readonly #dropped = new Map<string, number>();

  /** `call` tells who is a member; `links` are the members' open links. */
  constructor(
    call: { hasMember(id: string): boolean },
    links: () => Iterable<CallLink>,
    now: () => number = Date.now,
  ) {
    super({ name: 'call-gestures' });
    this.#isMember = (id) => call.hasMember(id);
    this.#links = links;
    this.#buckets = new TokenBuckets({ ...REACTION_RATE, now });
  }

  get raised(): boolean {
    return this.#raised;
  }

  /** Members whose hand is up. */
  hands(): string[] {
    return [...this.#hands];
  }

  /** Reactions of a member dropped over its rate. */
  dropped(id: string): number {
    return this.#dropped.get(id) ?? 0;
  }

  /** Raises or lowers our hand; every member is told of a change. */
  setHand(raised: boolean): void {
    if (raised === this.#raised) return;
    this.#raised = raised;
    for (const link of this.#links()) link.sendControl({ t: 'hand', raised });
  }

  /** Sends a reaction to every member; false (nothing sent) over our own rate. */
  react(emoji: ReactionEmoji): boolean {
    if (!this.#buckets.take('')) return false;
    for (const link of this.#links()) link.sendControl({ t: 'reaction', emoji });
    return true;
  }

  /** A member's link opened: it learns our hand (lowered too: it may have missed the change). */
  linkOpened(link: CallLink): void {
    link.sendControl({ t: 'hand', raised: this.#raised });
  }

  handle(from: string, message: GestureMessage): void {
    if (!this.#isMember(from)) return;
    if (message.t === 'hand') {
      if (message.raised === this.#hands.has(from)) return;
      if (message.raised) this.#hands.add(from);
      else this.#hands.delete(from);
      this.emit('hand', { peer: from, raised: message.raised });
      return;
    }
    if (!this.#buckets.take(from)) {
      this.#dropped.set(from, this.dropped(from) + 1);
      return;
    }
    this.emit('reaction', { peer: from, emoji: message.emoji });
  }

  /** A member left: its hand comes down. */
  memberLeft(id: string): void {
    if (this.#hands.delete(id)) this.emit('hand', { peer: id, raised: false });
  }
}
