import { Switch } from './bits.js';
import type { JSX } from 'preact';
import { setSoundsOn, useSoundsOn } from '../hooks/useSounds.js';
import { useT } from '../i18n/context.js';

/** Settings → Sounds: the ring of invites and the join/leave chimes, on or off. */
export function SoundSettings(): JSX.Element {
  const t = useT();
  const on = useSoundsOn();
  return (
    <section class="setting">
      <div class="setting-row">
        <div>
          <h3 class="section-title">{t('ring.sounds')}</h3>
          <p class="muted small">{on ? t('ring.sounds.on') : t('ring.sounds.off')}</p>
        </div>
        <Switch on={on} label={t('ring.sounds')} setting="sounds" onChange={setSoundsOn} />
      </div>
    </section>
  );
}
