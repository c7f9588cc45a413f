import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { MAX_VOLUME } from '../audio/settings.js';
import { useI18n } from '../i18n/context.js';
import { useStore } from '../state/store.js';
import { Icon } from './Icon.js';

/** How loud one member plays here: local only, remembered per member. */
export function MemberVolume({
  peer,
  name,
  muted,
}: {
  peer: string;
  name: string;
  muted: boolean;
}): JSX.Element {
  const { voice } = useStore();
  const { t, number } = useI18n();
  const [percent, setPercent] = useState(() => Math.round(voice.volume(peer) * 100));
  // The locale decides how a percentage reads: 50%, 50 % (Spanish), %50 (Turkish).
  const shown = number(percent / 100, { style: 'percent' });

  return (
    <div class="member-volume">
      <Icon name={muted ? 'mic-off' : 'volume'} size={15} />
      <input
        type="range"
        class="range"
        min={0}
        max={MAX_VOLUME * 100}
        step={5}
        value={percent}
        aria-label={t('volume.label', { name })}
        aria-valuetext={
          muted
            ? t('volume.value.muted', { percent: shown })
            : t('volume.value', { percent: shown })
        }
        onInput={(event) => {
          const next = Number(event.currentTarget.value);
          setPercent(next);
          voice.setVolume(peer, next / 100);
        }}
      />
      <span class="muted small">{muted ? t('volume.muted') : shown}</span>
    </div>
  );
}
