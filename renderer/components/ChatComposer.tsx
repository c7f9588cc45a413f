import type { JSX } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { useT } from '../i18n/context.js';
import { EmojiPicker } from './EmojiPicker.js';
import { Icon } from './Icon.js';

export const COMPOSER_ID = 'chat-composer';
const COUNTER_ID = 'chat-composer-counter';
/** The node refuses longer messages (protocol/api.ts, the `chat` command). */
export const MAX_LENGTH = 4000;
/** From here on the composer says how many characters are left. */
export const COUNTER_FROM = 3500;

/**
 * The message box. Over the limit, nothing is cut: the counter says by how much, and sending
 * waits until the text is short enough. `closedReason`: why nothing can be sent (the call
 * ended); the box stays, disabled, with the reason.
 */
export function ChatComposer({
  onSend,
  closedReason,
}: {
  onSend: (text: string) => void;
  closedReason: string | null;
}): JSX.Element {
  const t = useT();
  const [draft, setDraft] = useState('');
  const input = useRef<HTMLTextAreaElement>(null);
  /** Where the caret goes once a picked emoji is in the text. */
  const caret = useRef<number | null>(null);
  // Before the browser paints: the picker's grid and the caret's return are one step, so a key
  // pressed right after picking lands in the box.
  useLayoutEffect(() => {
    const box = input.current;
    if (caret.current === null || !box) return;
    box.focus();
    box.setSelectionRange(caret.current, caret.current);
    caret.current = null;
  }, [draft]);
  const insert = (emoji: string): void => {
    const box = input.current;
    const start = box?.selectionStart ?? draft.length;
    const end = box?.selectionEnd ?? draft.length;
    caret.current = start + emoji.length;
    setDraft(draft.slice(0, start) + emoji + draft.slice(end));
  };
  const length = draft.trim().length;
  const left = MAX_LENGTH - length;
  const canSend = closedReason === null && length > 0 && left >= 0;
  const submit = (): void => {
    if (!canSend) return;
    onSend(draft.trim());
    setDraft('');
  };
  const counter = closedReason === null && length >= COUNTER_FROM;
  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      {closedReason !== null && (
        <p id={COUNTER_ID} class="composer-note muted small">
          {closedReason}
        </p>
      )}
      <EmojiPicker onPick={insert} disabled={closedReason !== null} />
      <textarea
        ref={input}
        id={COMPOSER_ID}
        class="input composer-input"
        rows={1}
        placeholder={closedReason === null ? t('chat.placeholder') : t('chat.closed.placeholder')}
        aria-label={t('chat.composer')}
        aria-describedby={counter || closedReason !== null ? COUNTER_ID : undefined}
        aria-invalid={left < 0}
        disabled={closedReason !== null}
        value={draft}
        onInput={(event) => setDraft(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            submit();
          }
        }}
      />
      {counter && (
        <span
          id={COUNTER_ID}
          class={`composer-counter ${left < 0 ? 'composer-counter-over' : ''}`}
          aria-live="polite"
        >
          {left < 0
            ? t('chat.counter.over', { count: -left })
            : t('chat.counter.left', { count: left })}
        </span>
      )}
      <button
        type="submit"
        class="icon-button composer-send"
        aria-label={t('chat.send')}
        title={t('chat.send.title')}
        disabled={!canSend}
      >
        <Icon name="send" size={18} />
      </button>
    </form>
  );
}
