/**
 * This viewer's volume and mute for the film: local only (never sent), kept across films and
 * reloads like the theme.
 */
import type { RefObject } from 'preact';
import { useEffect, useState } from 'preact/hooks';

const KEY = 'meshcall.party.volume';

function stored(): { level: number; muted: boolean } {
  try {
    const value: unknown = JSON.parse(window.localStorage.getItem(KEY) ?? 'null');
    if (typeof value === 'object' && value !== null) {
      const { level, muted } = value as Record<string, unknown>;
      if (typeof level === 'number' && level >= 0 && level <= 1 && typeof muted === 'boolean') {
        return { level, muted };
      }
    }
  } catch {
    // Unreadable or blocked storage: the defaults below.
  }
  return { level: 1, muted: false };
}

export interface LocalVolume {
  level: number;
  muted: boolean;
  set: (level: number) => void;
  toggleMute: () => void;
}

export function useLocalVolume(video: RefObject<HTMLVideoElement | null>): LocalVolume {
  const [volume, setVolume] = useState(stored);
  useEffect(() => {
    const element = video.current;
    if (element) {
      element.volume = volume.level;
      element.muted = volume.muted;
    }
    try {
      window.localStorage.setItem(KEY, JSON.stringify(volume));
    } catch {
      // Not kept then; it still applies to this film.
    }
  }, [video, volume]);
  return {
    ...volume,
    set: (level) => setVolume({ level: Math.max(0, Math.min(1, level)), muted: level === 0 }),
    toggleMute: () => setVolume((v) => ({ ...v, muted: !v.muted })),
  };
}
