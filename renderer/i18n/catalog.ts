import { createIntl, createIntlCache } from '@formatjs/intl';
import type { Locale } from './locales.js';
import { DEFAULT_LOCALE } from './locales.js';
import en from './messages/en.json';
import es from './messages/es.json';
import it from './messages/it.json';
import pt from './messages/pt.json';
import ro from './messages/ro.json';
import tr from './messages/tr.json';

/** English is the source: every id of the interface is a key of en.json. */
export type MessageId = keyof typeof en;
export type MessageValues = Readonly<Record<string, string | number>>;
type Catalog = Readonly<Record<string, string>>;

export const CATALOGS: Record<Locale, Catalog> = { en, it, tr, es, ro, pt };

/** A message to be shown in the current language (state and toasts keep these, not text). */
export interface Msg {
  readonly id: MessageId;
  readonly values?: MessageValues;
}
/** What the interface shows: one of our messages, or text from the node, shown as it came. */
export type Text = Msg | string;

/** Whether `id` is one of ours (for ids made from a name the node sends, like a filter's). */
export function isMessageId(id: string): id is MessageId {
  return Object.hasOwn(en, id);
}

export function msg(id: MessageId, values?: MessageValues): Msg {
  return values ? { id, values } : { id };
}

/** Plain functions (no `this`), so components can destructure them. */
export interface Translator {
  readonly locale: Locale;
  readonly t: (id: MessageId, values?: MessageValues) => string;
  /** A Text in this language; a node's string stays as it is. */
  readonly text: (text: Text) => string;
  /** Hours and minutes by the locale's rules; "—" for a time Date cannot hold. */
  readonly time: (ts: number) => string;
  readonly number: (value: number, options?: Intl.NumberFormatOptions) => string;
}

const cache = createIntlCache();

export function createTranslator(locale: Locale): Translator {
  const intl = createIntl(
    {
      locale,
      defaultLocale: DEFAULT_LOCALE,
      messages: CATALOGS[locale],
      // A missing key is a test failure (test/ui/i18n-catalog.test.ts); at run time the
      // English text stands in, quietly.
      onError: () => undefined,
    },
    cache,
  );
  const t = (id: MessageId, values?: MessageValues): string =>
    intl.formatMessage({ id, defaultMessage: en[id] }, values);
  return {
    locale,
    t,
    text: (text) => (typeof text === 'string' ? text : t(text.id, text.values)),
    time: (ts) =>
      Number.isNaN(new Date(ts).getTime())
        ? '—'
        : intl.formatTime(ts, { hour: '2-digit', minute: '2-digit' }),
    number: (value, options) => intl.formatNumber(value, options),
  };
}
