import type { JSX } from 'preact';
import { useT } from '../i18n/context.js';
import { splitLinks } from '../lib/links.js';

/**
 * A chat message's text: web links are clickable and open outside the app (a new tab; the
 * desktop app hands them to the system browser), everything else is text. Never HTML.
 */
export function MessageText({ text }: { text: string }): JSX.Element {
  const t = useT();
  return (
    <div class="message-text">
      {splitLinks(text).map((part, index) =>
        'href' in part ? (
          <a
            key={index}
            class="message-link"
            href={part.href}
            target="_blank"
            rel="noopener noreferrer"
            title={t('chat.link.title', { url: part.href })}
          >
            {part.text}
          </a>
        ) : (
          part.text
        ),
      )}
    </div>
  );
}
