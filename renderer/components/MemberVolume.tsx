import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { MAX_VOLUME } from '../audio/settings.js';
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
  const [percent, setPercent] = useState(() => Math.round(voice.volume(peer) * 100));
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
        aria-label={`Volume of ${name}`}
        aria-valuetext={`${percent}%${muted ? ', muted by themselves' : ''}`}
        onInput={(event) => {
          const next = Number(event.currentTarget.value);
          setPercent(next);
          voice.setVolume(peer, next / 100);
        }}
      />
      <span class="muted small">{muted ? 'Muted' : `${percent}%`}</span>
    </div>
  );
}
