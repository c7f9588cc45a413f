/** The reducer's part for raised hands and reactions (pure, like the reducer). */
import type { SessionEvent } from '../../protocol/api.js';
import type { GestureState } from './types.js';

/** Reactions on screen at once; a burst beyond it pushes the oldest out. */
export const MAX_FLOATING_REACTIONS = 24;

export function noGestures(): GestureState {
  return { hands: [], reactions: [], nextReaction: 1 };
}

export function applyGesture(
  gestures: GestureState,
  event: Extract<SessionEvent, { event: 'hand' | 'reaction' }>,
): GestureState {
  if (event.event === 'hand') {
    const up = gestures.hands.includes(event.peer);
    if (up === event.raised) return gestures;
    // A raised hand goes to the end of the queue: hands are taken in the order they went up.
    const hands = event.raised
      ? [...gestures.hands, event.peer]
      : gestures.hands.filter((peer) => peer !== event.peer);
    return { ...gestures, hands };
  }
  const reaction = { id: gestures.nextReaction, peer: event.peer, emoji: event.emoji };
  return {
    ...gestures,
    reactions: [...gestures.reactions, reaction].slice(-MAX_FLOATING_REACTIONS),
    nextReaction: gestures.nextReaction + 1,
  };
}

/** A member left: its hand and reactions go with it. */
export function withoutMember(gestures: GestureState, peer: string): GestureState {
  if (!gestures.hands.includes(peer) && !gestures.reactions.some((r) => r.peer === peer)) {
    return gestures;
  }
  return {
    ...gestures,
    hands: gestures.hands.filter((id) => id !== peer),
    reactions: gestures.reactions.filter((reaction) => reaction.peer !== peer),
  };
}

export function reactionShown(gestures: GestureState, id: number): GestureState {
  if (!gestures.reactions.some((reaction) => reaction.id === id)) return gestures;
  return { ...gestures, reactions: gestures.reactions.filter((reaction) => reaction.id !== id) };
}
