/**
 * What the call stage adds to a member's tile (issue #13): the Pin and Full screen buttons,
 * the connection-quality bars, and the Grid / Speaker switch of the stage's toolbar.
 */
import type { JSX } from 'preact';
import { useRef } from 'preact/hooks';
import type { MemberStatsView } from '../../protocol/api.js';
import { updateStagePrefs, useStagePrefs } from '../hooks/useStageLayout.js';
import { useI18n, useT } from '../i18n/context.js';
import { formatMs } from '../lib/format.js';
import type { Quality, StageView } from '../state/stage-layout.js';
import { connectionQuality, lossPercent } from '../state/stage-layout.js';
import { Icon } from './Icon.js';
import { Segmented, Switch } from './bits.js';

/** Pin and Full screen for one tile; shown on hover and on keyboard focus inside the tile. */
export function TileActions({
  name,
  pinned,
  fullscreen,
  onPin,
  onFullscreen,
}: {
  name: string;
  pinned: boolean;
  fullscreen: boolean;
  onPin?: (() => void) | undefined;
  onFullscreen: (tile: HTMLElement | null) => void;
}): JSX.Element {
  const t = useT();
  const pinLabel = pinned ? t('layout.unpin', { name }) : t('layout.pin', { name });
  const screenLabel = fullscreen ? t('layout.fullscreen.exit') : t('layout.fullscreen', { name });
  return (
    <div class="tile-actions">
      {onPin && (
        <button
          type="button"
          class="tile-action"
          aria-label={pinLabel}
          title={pinLabel}
          onClick={onPin}
        >
          <Icon name={pinned ? 'pin-off' : 'pin'} size={16} />
        </button>
      )}
      <button
        type="button"
        class="tile-action"
        aria-label={screenLabel}
        title={screenLabel}
        onClick={(event) => onFullscreen(event.currentTarget.closest<HTMLElement>('.tile'))}
      >
        <Icon name={fullscreen ? 'fullscreen-exit' : 'fullscreen'} size={16} />
      </button>
    </div>
  );
}

/**
 * A member's connection in three bars, from the loss since the previous stats event, the
 * round trip and the frame rate (the frame rate only while their video is on and arriving).
 */
export function QualityBars({
  stats,
  videoOff,
}: {
  stats: MemberStatsView;
  videoOff: boolean;
}): JSX.Element | null {
  const i18n = useI18n();
  const previous = useRef<{ sample: MemberStatsView; loss: number | null } | null>(null);
  // Stats come once a second and re-render the tile in between: measure once per sample.
  if (previous.current?.sample !== stats) {
    const before = previous.current?.sample;
    const loss = lossPercent(before?.peer === stats.peer ? before : undefined, stats);
    previous.current = { sample: stats, loss };
  }
  const loss = previous.current.loss;
  const videoExpected = !videoOff && stats.codec !== null;
  const quality = connectionQuality({
    lossPercent: loss,
    rttMs: stats.rttMs,
    fps: videoExpected ? stats.fps : null,
  });
  if (quality === null) return null;
  const label = i18n.t('layout.quality', { quality });
  const details = i18n.t('layout.quality.details', {
    loss: (loss ?? 0) / 100,
    rtt: formatMs(i18n, stats.rttMs),
  });
  return (
    <span
      class={`tile-quality quality-${quality}`}
      role="img"
      aria-label={label}
      title={`${label} · ${details}`}
      data-quality={quality}
    >
      <svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" focusable="false">
        {[0, 1, 2].map((bar) => (
          <rect
            key={bar}
            class={bar < BARS[quality] ? 'bar-on' : 'bar-off'}
            x={1 + bar * 4.5}
            y={9 - bar * 3.5}
            width="3"
            height={4 + bar * 3.5}
            rx="1"
          />
        ))}
      </svg>
    </span>
  );
}

const BARS: Record<Quality, number> = { good: 3, fair: 2, poor: 1 };

/** Grid or Speaker, in the stage's toolbar; the choice is kept. */
export function LayoutSwitch(): JSX.Element {
  const t = useT();
  const { view } = useStagePrefs();
  return (
    <Segmented<StageView>
      label={t('layout.label')}
      options={['grid', 'speaker']}
      value={view}
      format={(value) => (value === 'grid' ? t('layout.grid') : t('layout.speaker'))}
      onChange={(next) => updateStagePrefs({ view: next })}
    />
  );
}

/** The Settings switch for mirroring our own view (on by default; nobody else sees it). */
export function MirrorSetting(): JSX.Element {
  const t = useT();
  const { mirror } = useStagePrefs();
  return (
    <div class="setting-row">
      <div>
        <h3 class="section-title">{t('layout.mirror')}</h3>
        <p class="muted small">{t('layout.mirror.hint')}</p>
      </div>
      <Switch
        on={mirror}
        label={t('layout.mirror')}
        onChange={(next) => updateStagePrefs({ mirror: next })}
      />
    </div>
  );
}
