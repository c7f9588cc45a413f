import type { ComponentChildren, JSX } from 'preact';
import { createContext } from 'preact';
import { useContext, useLayoutEffect, useMemo } from 'preact/hooks';
import type { MessageId, MessageValues, Translator } from './catalog.js';
import { createTranslator } from './catalog.js';
import type { Locale } from './locales.js';
import type { LocaleChoice } from './useLocale.js';
import { useLocale } from './useLocale.js';

export interface I18n extends Translator {
  /** 'system' follows the browser's languages. */
  readonly choice: LocaleChoice;
  readonly setChoice: (choice: LocaleChoice) => void;
}

const english = createTranslator('en');
const I18nContext = createContext<I18n>({ ...english, choice: 'system', setChoice: () => {} });

/** The language of everything below it; `<html lang>` follows. */
export function I18nProvider({ children }: { children: ComponentChildren }): JSX.Element {
  const { locale, choice, setChoice } = useLocale();
  const value = useMemo<I18n>(
    () => ({ ...translatorFor(locale), choice, setChoice }),
    [locale, choice, setChoice],
  );
  useLayoutEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

const translators = new Map<Locale, Translator>([['en', english]]);
function translatorFor(locale: Locale): Translator {
  let translator = translators.get(locale);
  if (!translator) {
    translator = createTranslator(locale);
    translators.set(locale, translator);
  }
  return translator;
}

export function useI18n(): I18n {
  return useContext(I18nContext);
}

/** The translate function alone, for components that need nothing else. */
export function useT(): (id: MessageId, values?: MessageValues) => string {
  return useI18n().t;
}
