import type { JSX } from 'preact';
import { SELF_VOICE } from '../audio/voice-engine.js';
import { useMicStatus, useSpeaking } from '../hooks/useVoice.js';
import { useI18n, useT } from '../i18n/context.js';
import { useStore } from '../state/store.js';
import { ToolButton } from './bits.js';
import { Icon } from './Icon.js';

/** Mute and unmute (M); while muted, holding Space talks. */
export function MuteButton(): JSX.Element {
  const { state, voice, setMuted } = useStore();
  const t = useT();
  const muted = state.voice.muted;
  // Unmuted with no microphone working sends nothing: the button must not say "Mic on".
  const micStatus = useMicStatus(voice);
  const noMic = !muted && micStatus.state === 'error';
  return (
    <ToolButton
      class={`control control-mute ${muted || noMic ? 'control-off' : ''}`}
      icon={muted || noMic ? 'mic-off' : 'mic'}
      label={muted ? t('mute.unmute.label') : t('mute.mute.label')}
      title={muted ? t('mute.unmute.title') : t('mute.mute.title')}
      caption={muted ? t('volume.muted') : noMic ? t('mute.noMic') : t('mute.micOn')}
      pressed={muted}
      onClick={() => setMuted(!muted)}
    />
  );
}

/**
 * What the call's microphone needs the user to know: that it could not open (with a way to
 * try again), or that they are speaking while muted.
 */
export function MicNotice(): JSX.Element | null {
  const { state, voice, setMuted } = useStore();
  const { t, text } = useI18n();
  const status = useMicStatus(voice);
  const speaking = useSpeaking(voice, SELF_VOICE);
  if (status.state === 'error') {
    return (
      <div class="mic-notice mic-notice-error" role="alert">
        <Icon name="mic-off" size={16} />
        <span>{text(status.message)}</span>
        <button type="button" class="button button-small" onClick={() => voice.retryMic()}>
          {t('mic.retry')}
        </button>
      </div>
    );
  }
  if (state.voice.muted && speaking) {
    return (
      <div class="mic-notice" role="status">
        <Icon name="mic-off" size={16} />
        <span>{t('mic.mutedNotice')}</span>
        <button type="button" class="button button-small" onClick={() => setMuted(false)}>
          {t('mic.unmute')}
        </button>
      </div>
    );
  }
  return null;
}
