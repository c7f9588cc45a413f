import type { JSX } from 'preact';
import { useT } from '../i18n/context.js';
import { useStore } from '../state/store.js';
import { Avatar, ToolButton } from './bits.js';
import { CallDuration } from './Gestures.js';
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
  const t = useT();
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
      <div class="call-status">
        <span aria-live="polite">
          {call ? (
            <span class="status-pill status-call">
              <Icon name="lock" size={14} />
              <span>{t('top.inCall', { count: call.members.length + 1 })}</span>
            </span>
          ) : (
            <span class={`status-pill ${connected ? 'status-ready' : 'status-offline'}`}>
              <span class="dot" aria-hidden="true" />
              {connected ? t('top.ready') : t('top.offline')}
            </span>
          )}
        </span>
        {/* Outside the live region: a clock that ticks must not be read out every second. */}
        {call && <CallDuration key={call.id} call={call.id} />}
      </div>
      <div class="topbar-actions">
        {state.self && (
          <span
            class="self-chip"
            title={t('top.fingerprint', { fingerprint: state.self.fingerprint })}
          >
            <Avatar id={state.self.id} name={state.self.name} size="sm" />
            <span class="self-name">{state.self.name}</span>
          </span>
        )}
        <ToolButton
          class="icon-button"
          icon="keyboard"
          label={t('top.shortcuts')}
          onClick={onHelp}
        />
        <ToolButton
          class="icon-button"
          icon={theme === 'dark' ? 'sun' : 'moon'}
          label={theme === 'dark' ? t('top.toLight') : t('top.toDark')}
          title={theme === 'dark' ? t('top.toLight.short') : t('top.toDark.short')}

          onClick={onToggleTheme}
        />
      </div>
    </header>
  );
}
