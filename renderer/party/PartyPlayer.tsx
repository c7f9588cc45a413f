/**
 * The watch party on the stage: the film in a <video> the browser decodes (its bytes come
 * from the node's piece store through /party/<id>), kept on the party's timeline by
 * useFilmSync, with the universal remote (play, pause, seek, speed: everyone's) and what
 * stays this viewer's own (volume, mute, subtitles and their delay, full screen).
 */
import type { JSX } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n/context.js';
import { formatClock } from '../lib/format.js';
import type { PartyView } from '../state/party.js';
import { expectedPosition } from '../state/party.js';
import { useStore } from '../state/store.js';
import { Icon } from '../components/Icon.js';
import { SubtitleControls } from './SubtitleControls.js';
import { useFilmSync } from './useFilmSync.js';
import { useLocalVolume } from './useLocalVolume.js';

const RATES = [0.5, 0.75, 1, 1.25, 1.5, 2] as const;

export function PartyPlayer({ party }: { party: PartyView }): JSX.Element | null {
  const state = party.state;
  if (!state) return null;
  return <Player key={state.party} party={party} state={state} />;
}

function Player({
  party,
  state,
}: {
  party: PartyView;
  state: NonNullable<PartyView['state']>;
}): JSX.Element {
  const { send, state: app } = useStore();
  const { t, number } = useI18n();
  const video = useRef<HTMLVideoElement>(null);
  const screen = useRef<HTMLDivElement>(null);
  const sync = useFilmSync(video, state, (buffering) =>
    send({ cmd: 'party-buffering', buffering }),
  );
  const volume = useLocalVolume(video);
  const [scrub, setScrub] = useState<number | null>(null);
  const [now, setNow] = useState(() => expectedPosition(state, Date.now()));

  const streamer =
    state.streamer === app.self?.id
      ? t('chat.you')
      : (app.call?.members.find((m) => m.peer === state.streamer)?.name ?? t('common.someone'));
  const shown = scrub ?? now;
  const pieces =
    party.total > 0 && !party.complete
      ? t('party.pieces', { have: party.have, total: party.total })
      : null;

  return (
    <section class="party" aria-label={t('party.label', { title: state.title })}>
      <div class="party-screen" ref={screen}>
        <video
          ref={video}
          class="party-video"
          src={`/party/${state.party}`}
          preload="auto"
          playsInline
          data-party={state.party}
          onTimeUpdate={() => setNow(video.current?.currentTime ?? 0)}
        />
        {sync.blocked && (
          <button type="button" class="party-start" onClick={sync.resume}>
            <Icon name="play" size={28} />
            {t('party.clickToWatch')}
          </button>
        )}
        {sync.buffering && !sync.blocked && (
          <div class="party-buffering" role="status">
            {t('party.buffering')}
          </div>
        )}
      </div>
      <div class="party-bar" role="toolbar" aria-label={t('party.controls')}>
        <button
          type="button"
          class="party-button"
          aria-label={state.paused ? t('party.play') : t('party.pause')}
          title={state.paused ? t('party.play') : t('party.pause')}
          onClick={() => send({ cmd: state.paused ? 'party-play' : 'party-pause' })}
        >
          <Icon name={state.paused ? 'play' : 'pause'} />
        </button>
        <span class="party-time" aria-hidden="true">
          {formatClock(shown)} / {formatClock(state.duration)}
        </span>
        <input
          class="party-seek"
          type="range"
          min={0}
          max={Math.max(state.duration, 0.1)}
          step={0.1}
          value={shown}
          aria-label={t('party.seek')}
          aria-valuetext={t('party.seek.value', {
            position: formatClock(shown),
            duration: formatClock(state.duration),
          })}
          onInput={(event) => setScrub(Number(event.currentTarget.value))}
          onChange={(event) => {
            setScrub(null);
            send({ cmd: 'party-seek', position: Number(event.currentTarget.value) });
          }}
        />
        <select
          class="input party-rate"
          aria-label={t('party.rate')}
          value={String(state.rate)}
          onChange={(event) => send({ cmd: 'party-rate', rate: Number(event.currentTarget.value) })}
        >
          {RATES.map((rate) => (
            <option key={rate} value={String(rate)}>
              {t('party.rate.value', { rate: number(rate) })}
            </option>
          ))}
        </select>
        <button
          type="button"
          class="party-button"
          aria-pressed={volume.muted}
          aria-label={volume.muted ? t('party.unmute') : t('party.mute')}
          title={volume.muted ? t('party.unmute') : t('party.mute')}
          onClick={volume.toggleMute}
        >
          <Icon name={volume.muted ? 'volume-off' : 'volume'} />
        </button>
        <input
          class="party-volume"
          type="range"
          min={0}
          max={1}
          step={0.05}
          value={volume.level}
          aria-label={t('party.volume')}
          onInput={(event) => volume.set(Number(event.currentTarget.value))}
        />
        <SubtitleControls video={video} party={state} />
        <button
          type="button"
          class="party-button"
          aria-label={t('party.fullscreen')}
          title={t('party.fullscreen')}
          onClick={() => void screen.current?.requestFullscreen().catch(() => {})}
        >
          <Icon name="fullscreen" />
        </button>
        <button
          type="button"
          class="party-button party-stop"
          aria-label={t('party.stop')}
          title={t('party.stop')}
          onClick={() => send({ cmd: 'party-stop' })}
        >
          <Icon name="stop" />
        </button>
      </div>
      <p class="party-status muted small">
        {t('party.status', { title: state.title, streamer })}
        {pieces && <span class="party-pieces"> · {pieces}</span>}
      </p>
    </section>
  );
}
