import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Command } from '../../protocol/api.js';
import type { VoiceEngine } from '../audio/voice-engine.js';
import type { FrameHub } from '../video/frame-hub.js';
import type { Action } from './actions.js';
import type { AppState } from './types.js';

export interface Store {
  state: AppState;
  dispatch: (action: Action) => void;
  /** Sends a command to the node; a toast says so when there is no connection. */
  send: (command: Command) => void;
  frames: FrameHub;
  voice: VoiceEngine;
  /** Mutes or unmutes us: at once in this page, and on the node (`mute`). */
  setMuted: (muted: boolean) => void;
}

export const StoreContext = createContext<Store | null>(null);

export function useStore(): Store {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useStore outside StoreContext');
  return store;
}
