import type { JSX } from 'preact';
import { useStore } from '../state/store.js';
import { Avatar, ToolButton } from './bits.js';
import { Icon } from './Icon.js';

export function TopBar({
  theme,
  onToggleTheme,
  onHelp,
}: {
  theme: 'light' | 'dark';
  onToggleTheme: () => void;
  onHelp: () => void;
}): JSX.Element {
  const { state } = useStore();
  const call = state.call;
  const connected = state.connection.state === 'open';
  return (
    <header class="topbar">
      <div class="brand">
        <span class="brand-mark" aria-hidden="true">
          <Icon name="video" size={18} />
        </span>
        <span class="brand-name">meshcall</span>
      </div>
      <div class="call-status" aria-live="polite">
        {call ? (
          <span class="status-pill status-call">
            <Icon name="lock" size={14} />
            <span>
              In a call · {call.members.length + 1}{' '}
              {call.members.length === 0 ? 'person' : 'people'}
            </span>
          </span>
        ) : (
          <span class={`status-pill ${connected ? 'status-ready' : 'status-offline'}`}>
            <span class="dot" aria-hidden="true" />
            {connected ? 'Ready' : 'Offline'}
          </span>
        )}
      </div>
      <div class="topbar-actions">
        {state.self && (
          <span class="self-chip" title={`Key fingerprint ${state.self.fingerprint}`}>
            <Avatar id={state.self.id} name={state.self.name} size="sm" />
            <span class="self-name">{state.self.name}</span>
          </span>
        )}
        <ToolButton
          class="icon-button"
          icon="keyboard"
          label="Keyboard shortcuts (?)"
          onClick={onHelp}
        />
        <ToolButton
          class="icon-button"
          icon={theme === 'dark' ? 'sun' : 'moon'}
          label={theme === 'dark' ? 'Switch to light theme (T)' : 'Switch to dark theme (T)'}
          title={theme === 'dark' ? 'Light theme (T)' : 'Dark theme (T)'}
          onClick={onToggleTheme}
        />
      </div>
    </header>
  );
}
