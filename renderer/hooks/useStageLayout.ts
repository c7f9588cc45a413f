/**
 * The stage's layout state in the page: the preferences kept in localStorage (view, the self
 * view's corner, mirroring), shared by the stage and Settings without going through the
 * store; who the speaker is; the grid box's size; and full screen for one tile.
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { RefObject } from 'preact';
import type { VoiceEngine } from '../audio/voice-engine.js';
import { readSetting, writeSetting } from '../lib/storage.js';
import type { SpeakerState, StagePrefs } from '../state/stage-layout.js';
import { NO_SPEAKER, nextSpeaker, parseStagePrefs } from '../state/stage-layout.js';

const KEY = 'meshcall.stage';

let prefs: StagePrefs | null = null;
const listeners = new Set<(prefs: StagePrefs) => void>();

function currentPrefs(): StagePrefs {
  prefs ??= parseStagePrefs(readSetting(KEY));
  return prefs;
}

/** Changes some preferences, keeps them, and tells every component that shows them. */
export function updateStagePrefs(change: Partial<StagePrefs>): void {
  prefs = { ...currentPrefs(), ...change };
  writeSetting(KEY, JSON.stringify(prefs));
  for (const listener of listeners) listener(prefs);
}

/** Grid view to speaker view and back (the G shortcut). */
export function toggleStageView(): void {
  updateStagePrefs({ view: currentPrefs().view === 'grid' ? 'speaker' : 'grid' });
}

export function useStagePrefs(): StagePrefs {
  const [value, setValue] = useState(currentPrefs);
  useEffect(() => {
    setValue(currentPrefs());
    listeners.add(setValue);
    return () => {
      listeners.delete(setValue);
    };
  }, []);
  return value;
}

/**
 * The member speaker view shows when nobody is pinned. Who speaks comes from the voice
 * engine (what plays here, at once) or, failing that, the node's stats (`audio.speaking`,
 * once a second), e.g. while the page plays no sound.
 */
export function useSpeaker(
  engine: VoiceEngine,
  members: readonly string[],
  statsSpeaking: ReadonlySet<string>,
): string | null {
  const [speaker, setSpeaker] = useState<string | null>(null);
  const state = useRef<SpeakerState>(NO_SPEAKER);
  const inputs = useRef({ members, statsSpeaking });
  inputs.current = { members, statsSpeaking };
  const membersKey = members.join(',');
  const statsKey = [...statsSpeaking].sort().join(',');
  useEffect(() => {
    let timer = 0;
    const update = (): void => {
      window.clearTimeout(timer);
      const { members: now, statsSpeaking: fromStats } = inputs.current;
      const speaking = new Set(now.filter((m) => engine.isSpeaking(m) || fromStats.has(m)));
      const next = nextSpeaker(state.current, { now: Date.now(), members: now, speaking });
      state.current = next;
      setSpeaker(next.speaker);
      // The hold running out changes the answer with no event to say so.
      if (next.recheckAt !== null) {
        timer = window.setTimeout(update, Math.max(0, next.recheckAt - Date.now()));
      }
    };
    update();
    const off = engine.onSpeaking(update);
    return () => {
      off();
      window.clearTimeout(timer);
    };
  }, [engine, membersKey, statsKey]);
  return speaker;
}

/** The element's content box, kept up to date (0 × 0 before the first layout). */
export function useBoxSize(ref: RefObject<HTMLElement | null>): { width: number; height: number } {
  const [size, setSize] = useState({ width: 0, height: 0 });
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = (): void => {
      const { clientWidth: width, clientHeight: height } = element;
      setSize((old) => (old.width === width && old.height === height ? old : { width, height }));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return size;
}

/**
 * Full screen for one tile: the Fullscreen API on the tile, or, where the page may not go
 * full screen (an iframe without permission, a refused request), the tile filling the window
 * (`fallback`), left with Escape.
 */
export function useTileFullscreen(present: readonly string[]): {
  /** The peer whose tile fills the screen or the window, if any. */
  peer: string | null;
  fallback: boolean;
  toggle: (peer: string, tile: HTMLElement | null) => void;
} {
  const [state, setState] = useState<{ peer: string | null; fallback: boolean }>({
    peer: null,
    fallback: false,
  });
  useEffect(() => {
    const changed = (): void => {
      const element = document.fullscreenElement as HTMLElement | null;
      const peer = element?.dataset.peer ?? null;
      setState((old) => (old.fallback ? old : { peer, fallback: false }));
    };
    document.addEventListener('fullscreenchange', changed);
    return () => document.removeEventListener('fullscreenchange', changed);
  }, []);
  // A member who left takes its full screen along (and would not get it back on return).
  const gone = state.peer !== null && !present.includes(state.peer);
  useEffect(() => {
    if (gone) setState({ peer: null, fallback: false });
  }, [gone]);
  useEffect(() => {
    if (!state.fallback) return;
    const key = (event: KeyboardEvent): void => {
      if (event.key === 'Escape') setState({ peer: null, fallback: false });
    };
    window.addEventListener('keydown', key);
    return () => window.removeEventListener('keydown', key);
  }, [state.fallback]);
  const toggle = useCallback(
    (peer: string, tile: HTMLElement | null) => {
      if (state.peer === peer) {
        if (document.fullscreenElement) void document.exitFullscreen().catch(() => {});
        setState({ peer: null, fallback: false });
        return;
      }
      const fallBack = (): void => setState({ peer, fallback: true });
      if (!tile || !document.fullscreenEnabled || typeof tile.requestFullscreen !== 'function') {
        fallBack();
        return;
      }
      // Another tile already full screen simply hands over: the API allows one at a time.
      tile.requestFullscreen().then(() => setState({ peer, fallback: false }), fallBack);
    },
    [state.peer],
  );
  return { peer: state.peer, fallback: state.fallback, toggle };
}
