import { useEffect, useRef } from 'preact/hooks';
import type { MessageId } from '../i18n/catalog.js';

export type ShortcutAction =
  | 'toggle-mute'
  | 'toggle-video'
  | 'toggle-hand'
  | 'toggle-layout'
  | 'chat'
  | 'leave'
  | 'filters'
  | 'people'
  | 'nearby'
  | 'settings'
  | 'theme'
  | 'help';

export interface Shortcut {
  /** KeyboardEvent.key, lower-case. */
  key: string;
  label: string;
  action: ShortcutAction;
  description: MessageId;
}

// The keys stay the same in every language (as Meet's and Zoom's do), so the labels are the
// keys' own letters.
export const SHORTCUTS: readonly Shortcut[] = [
  { key: 'm', label: 'M', action: 'toggle-mute', description: 'shortcut.mute' },
  { key: 'v', label: 'V', action: 'toggle-video', description: 'shortcut.video' },
  { key: 'h', label: 'H', action: 'toggle-hand', description: 'shortcut.hand' },
  { key: 'g', label: 'G', action: 'toggle-layout', description: 'shortcut.layout' },
  { key: 'c', label: 'C', action: 'chat', description: 'shortcut.chat' },
  { key: 'f', label: 'F', action: 'filters', description: 'shortcut.filters' },
  { key: 'p', label: 'P', action: 'people', description: 'shortcut.people' },
  { key: 'n', label: 'N', action: 'nearby', description: 'shortcut.nearby' },
  { key: 's', label: 'S', action: 'settings', description: 'shortcut.settings' },
  { key: 'l', label: 'L', action: 'leave', description: 'shortcut.leave' },
  { key: 't', label: 'T', action: 'theme', description: 'shortcut.theme' },
  { key: '?', label: '?', action: 'help', description: 'shortcut.help' },
];

export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !['button', 'checkbox', 'radio', 'submit', 'reset', 'range'].includes(target.type);
  }
  return false;
}

/** Single-key shortcuts, ignored while typing, with a modifier held, or while `paused`. */
export function useShortcuts(onAction: (action: ShortcutAction) => void, paused: boolean): void {
  // One listener for the window's lifetime, reading the latest handler and pause state, so a
  // key pressed right after a dialog closes is not lost while effects catch up.
  const latest = useRef({ onAction, paused });
  latest.current = { onAction, paused };
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent): void => {
      if (latest.current.paused) return;
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTyping(event.target)) return;
      const key = event.key.toLowerCase();
      const shortcut = SHORTCUTS.find((entry) => entry.key === key);
      if (!shortcut) return;
      event.preventDefault();
      latest.current.onAction(shortcut.action);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
