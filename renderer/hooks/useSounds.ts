import { useEffect, useState } from 'preact/hooks';
import { readSetting, writeSetting } from '../lib/storage.js';

const KEY = 'meshcall.sounds';
const listeners = new Set<(on: boolean) => void>();

/** Sounds are on unless the user switched them off (kept in localStorage, like the theme). */
export function soundsOn(): boolean {
  return readSetting(KEY) !== 'off';
}

export function setSoundsOn(on: boolean): void {
  writeSetting(KEY, on ? null : 'off');
  for (const listener of listeners) listener(on);
}

/** The Sounds setting, kept in step wherever it is shown or used. */
export function useSoundsOn(): boolean {
  const [on, setOn] = useState(soundsOn);
  useEffect(() => {
    listeners.add(setOn);
    return () => {
      listeners.delete(setOn);
    };
  }, []);
  return on;
}
