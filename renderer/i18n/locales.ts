import { match } from '@formatjs/intl-localematcher';

/** The interface's languages; English is the source and the fallback. */
export const LOCALES = ['en', 'it', 'tr', 'es', 'ro', 'pt'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

/**
 * Each language by its own name (an autonym is the same in every interface language: someone
 * who cannot read the current one must still find theirs). Portuguese is Brazilian Portuguese.
 */
export const LOCALE_NAMES: Record<Locale, string> = {
  en: 'English',
  it: 'Italiano',
  tr: 'Türkçe',
  es: 'Español',
  ro: 'Română',
  pt: 'Português',
};

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** The best of our languages for the user's list (navigator.languages), English if none fits. */
export function pickLocale(requested: readonly string[]): Locale {
  const valid = requested.filter((tag) => {
    try {
      return Intl.getCanonicalLocales(tag).length > 0;
    } catch {
      return false;
    }
  });
  const best = match(valid, LOCALES, DEFAULT_LOCALE, { algorithm: 'best fit' });
  return isLocale(best) ? best : DEFAULT_LOCALE;
}
