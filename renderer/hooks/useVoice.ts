import { useEffect, useRef, useState } from 'preact/hooks';
import type { MicStatus } from '../audio/microphone.js';
import type { VoiceEngine } from '../audio/voice-engine.js';
import { isTyping } from './useShortcuts.js';

/** Whether `key` (a member id, or SELF_VOICE) speaks now; re-renders only on changes. */
export function useSpeaking(engine: VoiceEngine, key: string): boolean {
  const [speaking, setSpeaking] = useState(() => engine.isSpeaking(key));
  useEffect(() => {
    setSpeaking(engine.isSpeaking(key));
    return engine.onSpeaking((changed) => {
      if (changed === key) setSpeaking(engine.isSpeaking(key));
    });
  }, [engine, key]);
  return speaking;
}

export function useMicStatus(engine: VoiceEngine): MicStatus {
  const [status, setStatus] = useState(engine.micStatus);
  useEffect(() => {
    setStatus(engine.micStatus);
    return engine.onMicStatus(setStatus);
  }, [engine]);
  return status;
}

/** The microphone's level (0 loud … 127 silent), at most once per animation frame. */
export function useMicLevel(engine: VoiceEngine): number {
  const [level, setLevel] = useState(engine.micLevel);
  useEffect(() => {
    let frame = 0;
    const off = engine.onMicLevel(() => {
      if (frame !== 0) return;
      frame = window.requestAnimationFrame(() => {
        frame = 0;
        setLevel(engine.micLevel);
      });
    });
    return () => {
      off();
      window.cancelAnimationFrame(frame);
    };
  }, [engine]);
  return level;
}

/**
 * Push-to-talk, as Meet has it: while muted in a call, holding Space unmutes, and letting
 * go mutes again. `setMuted` sends the command (the node then sends or stops).
 */
export function usePushToTalk(
  active: boolean,
  muted: boolean,
  setMuted: (muted: boolean) => void,
): boolean {
  const [talking, setTalking] = useState(false);
  const latest = useRef({ active, muted, setMuted, talking });
  latest.current = { active, muted, setMuted, talking };
  useEffect(() => {
    const down = (event: KeyboardEvent): void => {
      const now = latest.current;
      if (event.code !== 'Space' || !now.active || isTyping(event.target)) return;
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (!now.muted && !now.talking) return;
      // Space would also press a focused button.
      event.preventDefault();
      if (event.repeat || now.talking) return;
      setTalking(true);
      now.setMuted(false);
    };
    const up = (event: KeyboardEvent): void => {
      if (event.code !== 'Space' || !latest.current.talking) return;
      event.preventDefault();
      setTalking(false);
      latest.current.setMuted(true);
    };
    // Letting go while the window is in the background must not leave us talking.
    const blur = (): void => {
      if (!latest.current.talking) return;
      setTalking(false);
      latest.current.setMuted(true);
    };
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    window.addEventListener('blur', blur);
    return () => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
      window.removeEventListener('blur', blur);
    };
  }, []);
  return talking;
}
