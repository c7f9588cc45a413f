import type { JSX } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { MessageId } from '../i18n/catalog.js';
import { useT } from '../i18n/context.js';
import { Icon } from './Icon.js';

/**
 * A small curated set, one row per group: enough for chat, small enough to learn by heart.
 * Each has a name for screen readers (from the catalog: CLDR-style short names).
 */
export const EMOJI_GROUPS: readonly {
  label: MessageId;
  emoji: readonly (readonly [string, MessageId])[];
}[] = [
  {
    label: 'prof.emoji.group.faces',
    emoji: [
      ['😀', 'prof.emoji.grinning'],
      ['😂', 'prof.emoji.joy'],
      ['😊', 'prof.emoji.blush'],
      ['😍', 'prof.emoji.heartEyes'],
      ['😉', 'prof.emoji.wink'],
      ['🤔', 'prof.emoji.thinking'],
      ['😮', 'prof.emoji.openMouth'],
      ['😢', 'prof.emoji.cry'],
    ],
  },
  {
    label: 'prof.emoji.group.hands',
    emoji: [
      ['👍', 'prof.emoji.thumbsUp'],
      ['👎', 'prof.emoji.thumbsDown'],
      ['👏', 'prof.emoji.clap'],
      ['🙌', 'prof.emoji.raisedHands'],
      ['👋', 'prof.emoji.wave'],
      ['🙏', 'prof.emoji.foldedHands'],
      ['💪', 'prof.emoji.muscle'],
      ['👌', 'prof.emoji.ok'],
    ],
  },
  {
    label: 'prof.emoji.group.symbols',
    emoji: [
      ['❤️', 'prof.emoji.heart'],
      ['🎉', 'prof.emoji.party'],
      ['🔥', 'prof.emoji.fire'],
      ['✨', 'prof.emoji.sparkles'],
      ['✅', 'prof.emoji.check'],
      ['❌', 'prof.emoji.cross'],
      ['☕', 'prof.emoji.coffee'],
      ['🚀', 'prof.emoji.rocket'],
    ],
  },
];

const COLUMNS = 8;
const COUNT = EMOJI_GROUPS.reduce((sum, group) => sum + group.emoji.length, 0);

/** Where an arrow key (or Home/End) moves the focus in the grid, or null for other keys. */
export function nextCell(index: number, key: string): number | null {
  const row = Math.floor(index / COLUMNS);
  switch (key) {
    case 'ArrowRight':
      return Math.min(index + 1, COUNT - 1);
    case 'ArrowLeft':
      return Math.max(index - 1, 0);
    case 'ArrowDown':
      return index + COLUMNS < COUNT ? index + COLUMNS : index;
    case 'ArrowUp':
      return index - COLUMNS >= 0 ? index - COLUMNS : index;
    case 'Home':
      return row * COLUMNS;
    case 'End':
      return Math.min(row * COLUMNS + COLUMNS - 1, COUNT - 1);
    default:
      return null;
  }
}

/**
 * The composer's emoji button and its grid (ARIA grid: one row per group, arrows move, Enter
 * picks, Escape closes and returns to the button). `onPick` inserts at the caret.
 */
export function EmojiPicker({
  onPick,
  disabled,
}: {
  onPick: (emoji: string) => void;
  disabled: boolean;
}): JSX.Element {
  const t = useT();
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const cells = useRef<(HTMLButtonElement | null)[]>([]);
  const toggle = useRef<HTMLButtonElement>(null);
  /** Escape hands the focus back to the button, once the grid is gone. */
  const refocus = useRef(false);
  // Before the browser paints: a key pressed as soon as the grid shows (or goes) finds the
  // focus where it belongs, never on a button about to vanish.
  useLayoutEffect(() => {
    if (open) cells.current[0]?.focus();
    else if (refocus.current) toggle.current?.focus();
    refocus.current = false;
  }, [open]);
  const close = (): void => {
    refocus.current = true;
    setOpen(false);
  };
  let index = 0;
  return (
    <div
      class="emoji-picker"
      onFocusOut={(event) => {
        // Focus gone elsewhere (a click outside, Tab away): the grid closes quietly.
        const next = event.relatedTarget;
        if (open && !(next instanceof Node && event.currentTarget.contains(next))) setOpen(false);
      }}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && open) {
          event.preventDefault();
          event.stopPropagation();
          close();
        }
      }}
    >
      <button
        ref={toggle}
        type="button"
        class="icon-button composer-emoji"
        aria-label={t('prof.emoji.open')}
        title={t('prof.emoji.open')}
        aria-expanded={open}
        aria-haspopup="grid"
        disabled={disabled}
        onClick={() => {
          setActive(0);
          setOpen(!open);
        }}
      >
        <Icon name="smile-plus" size={18} />
      </button>
      {open && (
        <div class="emoji-menu" role="grid" aria-label={t('prof.emoji.label')}>
          {EMOJI_GROUPS.map((group) => (
            <div key={group.label} role="row" aria-label={t(group.label)} class="emoji-row">
              {group.emoji.map(([emoji, name]) => {
                const cell = index++;
                return (
                  <span key={emoji} role="gridcell">
                    <button
                      ref={(element) => {
                        cells.current[cell] = element;
                      }}
                      type="button"
                      class="emoji-choice"
                      tabIndex={cell === active ? 0 : -1}
                      aria-label={t(name)}
                      title={t(name)}
                      onKeyDown={(event) => {
                        const next = nextCell(cell, event.key);
                        if (next === null) return;
                        event.preventDefault();
                        // At once, not after the next render: fast key presses each move on.
                        cells.current[next]?.focus();
                        setActive(next);
                      }}
                      onClick={() => {
                        setOpen(false);
                        onPick(emoji);
                      }}
                    >
                      {emoji}
                    </button>
                  </span>
                );
              })}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
