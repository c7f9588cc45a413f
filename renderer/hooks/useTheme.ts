import { useCallback, useLayoutEffect, useState } from 'preact/hooks';
import { readSetting, writeSetting } from '../lib/storage.js';
import { useMediaQuery } from './useMediaQuery.js';

export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'meshcall.theme';

function storedChoice(): ThemeChoice {
  const value = readSetting(KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

/** Light or dark from prefers-color-scheme, unless the user picked one (kept in localStorage). */
export function useTheme(): {
  choice: ThemeChoice;
  theme: 'light' | 'dark';
  setChoice: (choice: ThemeChoice) => void;
  toggle: () => void;
} {
  const [choice, setChoiceState] = useState<ThemeChoice>(storedChoice);
  const systemDark = useMediaQuery('(prefers-color-scheme: dark)');
  const theme = choice === 'system' ? (systemDark ? 'dark' : 'light') : choice;

  useLayoutEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  const setChoice = useCallback((next: ThemeChoice) => {
    setChoiceState(next);
    writeSetting(KEY, next === 'system' ? null : next);
  }, []);
  const toggle = useCallback(
    () => setChoice(theme === 'dark' ? 'light' : 'dark'),
    [theme, setChoice],
  );
  return { choice, theme, setChoice, toggle };
}
