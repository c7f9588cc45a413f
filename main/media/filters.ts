/**
 * The filter catalog: names, labels and validation. It holds no OpenCV code so that the
 * main thread (session, command line) can validate a user's choice without loading the
 * native library; the effects themselves live in filter-effects.ts, in the capture worker.
 */
import { MediaError } from './errors.js';

export interface FilterInfo {
  readonly name: string;
  readonly label: string;
  readonly description: string;
}

export const MAX_FILTERS = 8;

const CATALOG = [
  { name: 'reds', label: 'Reds', description: 'Everything in shades of red' },
  { name: 'upside-down', label: 'Upside down', description: 'Flips the picture top to bottom' },
  { name: 'mirror', label: 'Mirror', description: 'Flips the picture left to right' },
  { name: 'blur', label: 'Blur', description: 'A strong soft-focus blur' },
  { name: 'grayscale', label: 'Grayscale', description: 'Black and white' },
  { name: 'sepia', label: 'Sepia', description: 'Warm brown tones of an old photograph' },
  { name: 'invert', label: 'Invert', description: 'Photographic negative' },
  { name: 'pixelate', label: 'Pixelate', description: 'Large square pixels' },
  { name: 'edges', label: 'Edges', description: 'Bright outlines on black' },
  { name: 'cartoon', label: 'Cartoon', description: 'Flat colours with dark outlines' },
  {
    name: 'anonymize',
    label: 'Anonymize faces',
    description: 'Pixelates every face it finds, leaves the rest untouched',
  },
  {
    name: 'blur-background',
    label: 'Blur background',
    description: 'Keeps you sharp and blurs everything behind you',
  },
] as const satisfies readonly FilterInfo[];

export type FilterName = (typeof CATALOG)[number]['name'];

export function listFilters(): FilterInfo[] {
  return CATALOG.map((info) => ({ ...info }));
}

export function isFilterName(name: string): name is FilterName {
  return CATALOG.some((info) => info.name === name);
}

/**
 * Returns a copy of `names` when every one is known, none repeats and there are at most
 * MAX_FILTERS. An unknown name is ERR_UNKNOWN_FILTER; a list of the wrong shape is
 * ERR_BAD_SETTINGS. Either way the message names the culprit.
 */
export function validateFilters(names: readonly string[]): FilterName[] {
  if (names.length > MAX_FILTERS) {
    throw new MediaError(
      'ERR_BAD_SETTINGS',
      `too many filters (${names.length}): at most ${MAX_FILTERS} at once`,
    );
  }
  const seen = new Set<string>();
  return names.map((name) => {
    if (!isFilterName(name)) {
      const known = CATALOG.map((info) => info.name).join(', ');
      throw new MediaError(
        'ERR_UNKNOWN_FILTER',
        `unknown filter "${name}": known filters are ${known}`,
      );
    }
    if (seen.has(name)) {
      throw new MediaError('ERR_BAD_SETTINGS', `filter "${name}" is listed twice`);
    }
    seen.add(name);
    return name;
  });
}
