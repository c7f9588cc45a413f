import type { JSX } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import { isoTime } from '../../protocol/time.js';
import { useI18n } from '../i18n/context.js';
import { useStore } from '../state/store.js';
import { keptChat } from '../state/chat.js';
import type { ChatMessage } from '../state/types.js';
import { ChatComposer } from './ChatComposer.js';
import { Icon } from './Icon.js';
import { MessageText } from './MessageText.js';

function groupStart(messages: ChatMessage[], index: number): boolean {
  const message = messages[index];
  const previous = messages[index - 1];
  if (!message || !previous) return true;
  return previous.from !== message.from || message.ts - previous.ts > 5 * 60_000;
}

export function ChatPanel({ onExport }: { onExport: () => void }): JSX.Element {
  const { state, send, dispatch } = useStore();
  const { t, time } = useI18n();
  /** The call ended: its chat stays to read and export, until closed. */
  const ended = keptChat(state) !== null;
  const list = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const messages = state.chat.messages;
  const selfId = state.self?.id;

  useLayoutEffect(() => {
    const element = list.current;
    if (element && stick.current) element.scrollTop = element.scrollHeight;
  }, [messages.length]);

  return (
    <div class="panel-body chat">
      <div class="panel-intro chat-header">
        <h2 class="panel-title">{t('chat.title')}</h2>
        <div class="chat-header-actions">
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
          {ended && (
            <button
              type="button"
              class="button button-small button-ghost"
              aria-label={t('chat.close.label')}
              onClick={() => dispatch({ type: 'close-chat' })}
            >
              <Icon name="close" size={15} />
              {t('chat.close')}
            </button>
          )}
        </div>
      </div>
      {ended && (
        <p class="chat-ended muted small" role="status">
          {t('chat.ended')}
        </p>
      )}
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
                <MessageText text={message.text} />
              </li>
            );
          })}
        </ol>
      </div>
      <ChatComposer
        closedReason={ended ? t('chat.closed') : null}
        onSend={(text) => {
          send({ cmd: 'chat', text });
          stick.current = true;
        }}
      />
    </div>
  );
}
