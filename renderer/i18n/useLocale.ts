import { useCallback, useEffect, useState } from 'preact/hooks';
import { readSetting, writeSetting } from '../lib/storage.js';
import type { Locale } from './locales.js';
import { isLocale, pickLocale } from './locales.js';

export type LocaleChoice = 'system' | Locale;
const KEY = 'meshcall.locale';

function storedChoice(): LocaleChoice {
  const value = readSetting(KEY);
  return isLocale(value) ? value : 'system';
}

function systemLocale(): Locale {
  return pickLocale(navigator.languages.length > 0 ? navigator.languages : [navigator.language]);
}

/** The browser's languages decide, unless the user picked one (kept in localStorage). */
export function useLocale(): {
  locale: Locale;
  choice: LocaleChoice;
  setChoice: (choice: LocaleChoice) => void;
} {
  const [choice, setChoiceState] = useState<LocaleChoice>(storedChoice);
  const [system, setSystem] = useState<Locale>(systemLocale);
  useEffect(() => {
    const onChange = (): void => setSystem(systemLocale());
    window.addEventListener('languagechange', onChange);
    return () => window.removeEventListener('languagechange', onChange);
  }, []);
  const setChoice = useCallback((next: LocaleChoice) => {
    setChoiceState(next);
    writeSetting(KEY, next === 'system' ? null : next);
  }, []);
  return { locale: choice === 'system' ? system : choice, choice, setChoice };
}
