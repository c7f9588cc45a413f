/** Raise hand, reactions and the call's running time: the controls and what they show. */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ReactionEmoji } from '../../protocol/gesture-api.js';
import { REACTION_EMOJI } from '../../protocol/gesture-api.js';
import type { MessageId } from '../i18n/catalog.js';
import { useT } from '../i18n/context.js';
import { formatDuration } from '../lib/format.js';
import { callStartedAt } from '../lib/storage.js';
import { useStore } from '../state/store.js';
import type { FloatingReaction } from '../state/types.js';
import { ToolButton } from './bits.js';
import { Icon } from './Icon.js';

/** How long a reaction floats over its tile (the CSS animation lasts as long). */
export const REACTION_MS = 3000;

const REACTION_NAMES: Record<ReactionEmoji, MessageId> = {
  '👍': 'reaction.thumbsUp',
  '👏': 'reaction.clap',
  '❤️': 'reaction.heart',
  '😂': 'reaction.laugh',
  '😮': 'reaction.wow',
  '🎉': 'reaction.party',
};

/** Our hand up or down (H); icon only, like the reactions button, so the bar stays one row. */
export function HandButton(): JSX.Element {
  const { state, send } = useStore();
  const t = useT();
  const raised = state.self !== null && state.gestures.hands.includes(state.self.id);
  return (
    <ToolButton
      class={`control control-hand ${raised ? 'control-active' : ''}`}
      icon="hand"
      label={raised ? t('controls.hand.lower.label') : t('controls.hand.raise.label')}
      pressed={raised}
      onClick={() => send({ cmd: 'hand', raised: !raised })}
    />
  );
}

/** A button that opens the allowed reactions; picking one sends it and closes the row. */
export function ReactButton(): JSX.Element {
  const { send } = useStore();
  const t = useT();
  const [open, setOpen] = useState(false);
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (open) first.current?.focus();
  }, [open]);
  return (
    <div
      class="reaction-picker"
      onKeyDown={(event) => {
        if (event.key === 'Escape' && open) {
          event.stopPropagation();
          setOpen(false);
        }
      }}
    >
      <ToolButton
        class="control"
        icon="smile-plus"
        label={t('controls.react.label')}
        pressed={open}
        onClick={() => setOpen(!open)}
      />
      {open && (
        <div class="reaction-menu" role="group" aria-label={t('reactions.label')}>
          {REACTION_EMOJI.map((emoji, index) => (
            <button
              key={emoji}
              ref={index === 0 ? first : undefined}
              type="button"
              class="reaction-choice"
              aria-label={t(REACTION_NAMES[emoji])}
              title={t(REACTION_NAMES[emoji])}
              onClick={() => {
                send({ cmd: 'react', emoji });
                setOpen(false);
              }}
            >
              {emoji}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

/** One reaction over a tile; it asks to be removed once it has floated its time. */
function Floating({ reaction, index }: { reaction: FloatingReaction; index: number }): JSX.Element {
  const { dispatch } = useStore();
  useEffect(() => {
    const timer = window.setTimeout(
      () => dispatch({ type: 'reaction-shown', id: reaction.id }),
      REACTION_MS,
    );
    return () => window.clearTimeout(timer);
  }, [dispatch, reaction.id]);
  // Side by side when several arrive at once, so none hides another.
  return (
    <span class="tile-reaction" style={{ left: `${12 + (index % 5) * 16}%` }} aria-hidden="true">
      {reaction.emoji}
    </span>
  );
}

/** The reactions floating over `peer`'s tile, and its raised hand. */
export function TileGestures({ peer }: { peer: string }): JSX.Element {
  const { state } = useStore();
  const t = useT();
  const raised = state.gestures.hands.includes(peer);
  const reactions = state.gestures.reactions.filter((reaction) => reaction.peer === peer);
  return (
    <>
      {raised && (
        <span class="tile-hand" title={t('hand.raised')}>
          <Icon name="hand" size={16} />
        </span>
      )}
      {reactions.map((reaction, index) => (
        <Floating key={reaction.id} reaction={reaction} index={index} />
      ))}
    </>
  );
}

/**
 * Says to screen readers who raised a hand and who reacted with what (others only: our own
 * gestures are the buttons we just pressed).
 */
export function GestureAnnouncer(): JSX.Element {
  const { state } = useStore();
  const t = useT();
  const [said, setSaid] = useState('');
  const seen = useRef({ reaction: 0, hands: [] as string[] });
  const { hands, reactions } = state.gestures;
  const self = state.self?.id;
  useEffect(() => {
    const nameOf = (peer: string): string =>
      state.call?.members.find((member) => member.peer === peer)?.name ?? t('common.someone');
    const lines: string[] = [];
    for (const peer of hands) {
      if (peer !== self && !seen.current.hands.includes(peer)) {
        lines.push(t('hand.announce', { name: nameOf(peer) }));
      }
    }
    for (const reaction of reactions) {
      if (reaction.id <= seen.current.reaction || reaction.peer === self) continue;
      const name = nameOf(reaction.peer);
      lines.push(t('reaction.announce', { name, reaction: t(REACTION_NAMES[reaction.emoji]) }));
    }
    seen.current = { reaction: reactions.at(-1)?.id ?? seen.current.reaction, hands };
    if (lines.length > 0) setSaid(lines.join('. '));
  }, [hands, reactions, self, state.call, t]);
  return (
    <div class="visually-hidden" aria-live="polite" data-testid="gesture-announcer">
      {said}
    </div>
  );
}

/** How long we have been in the call (kept across a reload of the page). */
export function CallDuration({ call }: { call: string }): JSX.Element {
  const t = useT();
  const [now, setNow] = useState(() => Date.now());
  const [since] = useState(() => callStartedAt(call, Date.now()));
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  return (
    <span class="call-duration" role="timer" aria-label={t('call.duration')}>
      <Icon name="clock" size={14} />
      <span class="call-duration-time">{formatDuration(now - since)}</span>
    </span>
  );
}
