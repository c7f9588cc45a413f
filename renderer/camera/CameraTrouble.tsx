/**
 * Our video source gave no pictures: say so in plain words, say what to do, and offer the
 * other sources right there (issue #13). Shown on the self tile and in Settings.
 */
import type { JSX } from 'preact';
import type { VideoSourceState } from '../../protocol/camera-api.js';
import { useT } from '../i18n/context.js';
import { useStore } from '../state/store.js';
import { FAILURE_TEXT } from './failure-text.js';
import { SourceButtons } from './SourceChoices.js';

/** The failed source state, or null while the source works (or the node is older). */
export function useSourceFailure(): VideoSourceState | null {
  const { state } = useStore();
  const status = state.media?.sourceState;
  return status?.state === 'failed' ? status : null;
}

/** Whether the others see our video: it is on and its source works. */
export function useVideoSending(): boolean {
  const { state } = useStore();
  const media = state.media;
  return (media?.enabled ?? true) && media?.sourceState?.state !== 'failed';
}

export function CameraTrouble({
  failure,
  compact = false,
}: {
  failure: VideoSourceState;
  compact?: boolean;
}): JSX.Element {
  const t = useT();
  const text = FAILURE_TEXT[failure.reason ?? 'capture-failed'];
  return (
    <div
      class={`camera-trouble ${compact ? 'camera-trouble-compact' : ''}`}
      role="group"
      aria-label={t(text.title)}
      data-reason={failure.reason ?? 'capture-failed'}
    >
      <p class="camera-trouble-title">{t(text.title)}</p>
      <p class="camera-trouble-hint">{t(text.hint)}</p>
      {!compact && <p class="camera-trouble-others">{t('camera.failed.others')}</p>}
      <SourceButtons small retry />
    </div>
  );
}
