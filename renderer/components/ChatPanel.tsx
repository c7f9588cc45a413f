import type { JSX } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { isoTime } from '../../protocol/time.js';
import { useI18n } from '../i18n/context.js';
import { useStore } from '../state/store.js';
import type { ChatMessage } from '../state/types.js';
import { Icon } from './Icon.js';

export const COMPOSER_ID = 'chat-composer';
const MAX_LENGTH = 4000;

function groupStart(messages: ChatMessage[], index: number): boolean {
  const message = messages[index];
  const previous = messages[index - 1];
  if (!message || !previous) return true;
  return previous.from !== message.from || message.ts - previous.ts > 5 * 60_000;
}

export function ChatPanel({ onExport }: { onExport: () => void }): JSX.Element {
  const { state, send } = useStore();
  const { t, time } = useI18n();
  const [draft, setDraft] = useState('');
  const list = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const messages = state.chat.messages;
  const selfId = state.self?.id;

  useLayoutEffect(() => {
    const element = list.current;
    if (element && stick.current) element.scrollTop = element.scrollHeight;
  }, [messages.length]);

  const submit = (): void => {
    const text = draft.trim();
    if (!text) return;
    send({ cmd: 'chat', text: text.slice(0, MAX_LENGTH) });
    setDraft('');
    stick.current = true;
  };

  return (
    <div class="panel-body chat">
      <div class="panel-intro chat-header">
        <h2 class="panel-title">{t('chat.title')}</h2>
        <button
          type="button"
          class="button button-small button-ghost"
          aria-label={t('chat.export.label')}
          onClick={onExport}
          disabled={messages.length === 0}
        >
          <Icon name="download" size={15} />
          {t('chat.export')}
        </button>
      </div>
      <div
        ref={list}
        class="messages"
        role="log"
        aria-live="polite"
        aria-label={t('chat.messages')}
        tabIndex={0}
        onScroll={(event) => {
          const element = event.currentTarget;
          stick.current = element.scrollHeight - element.scrollTop - element.clientHeight < 40;
        }}
      >
        <ol class="message-list">
          {messages.length === 0 && (
            <li class="messages-empty">
              <Icon name="lock" size={18} />
              <span>{t('chat.empty')}</span>
            </li>
          )}
          {messages.map((message, index) => {
            const own = message.from === selfId;
            const first = groupStart(messages, index);
            return (
              <li
                key={message.id}
                class={`message ${own ? 'message-own' : 'message-other'} ${first ? 'message-first' : ''}`}
                data-from={message.from}
              >
                {first && (
                  <div class="message-meta">
                    <span class="message-author">{own ? t('chat.you') : message.name}</span>
                    <time class="message-time" dateTime={isoTime(message.ts) ?? undefined}>
                      {time(message.ts)}
                    </time>
                  </div>
                )}
                <div class="message-text">{message.text}</div>
              </li>
            );
          })}
        </ol>
      </div>
      <form
        class="composer"
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <textarea
          id={COMPOSER_ID}
          class="input composer-input"
          rows={1}
          maxLength={MAX_LENGTH}
          placeholder={t('chat.placeholder')}
          aria-label={t('chat.composer')}
          value={draft}
          onInput={(event) => setDraft(event.currentTarget.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
              event.preventDefault();
              submit();
            }
          }}
        />
        <button
          type="submit"
          class="icon-button composer-send"
          aria-label={t('chat.send')}
          title={t('chat.send.title')}

          disabled={draft.trim().length === 0}
        >
          <Icon name="send" size={18} />
        </button>
      </form>
    </div>
  );
}
