import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { MemberEventView, MemberStatsView, SendingStatsView } from '../../protocol/api.js';
import { formatFps, formatKbps, formatMs } from '../lib/format.js';
import { useSpeaking } from '../hooks/useVoice.js';
import { useI18n, useT } from '../i18n/context.js';
import { useStore } from '../state/store.js';
import { CanvasPainter } from '../video/painter.js';
import { Avatar, described, STATE_LABELS } from './bits.js';

import { Icon } from './Icon.js';
import { TileGestures } from './Gestures.js';
import { QualityBars } from './TileControls.js';

export interface VideoTileProps {
  /** SELF_KEY for our preview, otherwise the member's id. */
  frameKey: string;
  peer: string;
  name: string;
  self?: boolean;
  state?: MemberEventView['state'];
  verified?: boolean;
  videoOff?: boolean;
  stats?: MemberStatsView | undefined;
  sending?: SendingStatsView | null | undefined;
  /** A smaller label for the preview in side panels. */
  compact?: boolean;
  /** Whose voice lights this tile when they speak (a member id, or SELF_VOICE). */
  speakingKey?: string;
  /** Their microphone is muted. */
  muted?: boolean;
  /** Draw the picture mirrored (our own view only, if the user wants it). */
  mirror?: boolean;
  /** Speaker view's speaker: highlighted while they speak. */
  activeSpeaker?: boolean;
  pinned?: boolean;
  /** Full screen through the API, or filling the window where the page may not. */
  fullscreen?: 'screen' | 'window' | null;
  /** Buttons over the picture (Pin, Full screen). */
  actions?: ComponentChildren;
  /** Shown instead of the picture: why there is none, and what to do (our failed source). */
  trouble?: ComponentChildren;
}

/** A picture older than this, with no word that video went off, is shown as paused. */
const STALL_MS = 4000;

/** The codec part of a member's stats; older nodes send none of it, so every field is optional. */
type CodecFields = Partial<{
  codec: 'h264' | 'jpeg' | null;
  layer: number | null;
  keyframesRequested: number;
  undecodable: number;
}>;

const CODEC_NAMES = { h264: 'H.264', jpeg: 'JPEG' } as const;

function CodecStats({ stats }: { stats: MemberStatsView & CodecFields }): JSX.Element | null {
  const { codec, layer, keyframesRequested, undecodable } = stats;
  const t = useT();
  return (
    <>
      {codec !== undefined && codec !== null && (
        <>
          <dt>{t('stats.codec')}</dt>
          <dd>
            {typeof layer === 'number'
              ? t('stats.codec.layer', { codec: CODEC_NAMES[codec], layer })
              : CODEC_NAMES[codec]}
          </dd>
        </>
      )}
      {keyframesRequested !== undefined && (
        <>
          <dt>{t('stats.keyframes')}</dt>
          <dd>{keyframesRequested}</dd>
        </>
      )}
      {undecodable !== undefined && (
        <>
          <dt>{t('stats.undecodable')}</dt>
          <dd>{undecodable}</dd>
        </>
      )}
    </>
  );
}

function StatsOverlay({
  stats,
  sending,
}: {
  stats?: MemberStatsView | undefined;
  sending?: SendingStatsView | null | undefined;
}): JSX.Element | null {
  const i18n = useI18n();
  const t = i18n.t;
  if (stats) {
    return (
      <dl class="tile-stats" aria-label={t('stats.label')}>
        <dt>{t('settings.fps')}</dt>
        <dd>{formatFps(i18n, stats.fps)}</dd>
        <dt>{t('stats.bitrate')}</dt>
        <dd>{formatKbps(i18n, stats.kbps)}</dd>
        <dt>{t('stats.p50')}</dt>
        <dd>{formatMs(i18n, stats.latencyP50Ms)}</dd>
        <dt>{t('stats.p95')}</dt>
        <dd>{formatMs(i18n, stats.latencyP95Ms)}</dd>
        <dt>{t('stats.lost')}</dt>
        <dd>{stats.lost}</dd>
        <CodecStats stats={stats} />
      </dl>
    );
  }
  if (sending) {
    return (
      <dl class="tile-stats" aria-label={t('stats.sending.label')}>
        <dt>{t('stats.sending')}</dt>
        <dd>{formatFps(i18n, sending.fps)}</dd>
        <dt>{t('stats.bitrate')}</dt>
        <dd>{formatKbps(i18n, sending.kbps)}</dd>
        <dt>{t('stats.size')}</dt>
        <dd>
          {sending.width}×{sending.height}
        </dd>
      </dl>
    );
  }
  return null;
}

/**
 * One participant's video: JPEG or H.264 frames from the FrameHub drawn onto a canvas. The
 * tile carries data-frame (the number of the frame shown), data-frames (how many were drawn),
 * data-codec, data-decoded (pictures out of the H.264 decoder) and data-keyframe-requests,
 * updated without re-rendering.
 */
export function VideoTile(props: VideoTileProps): JSX.Element {
  const { frames, voice, send, state: app } = useStore();
  const t = useT();
  const handRaised = app.gestures.hands.includes(props.peer);
  // The painter lives across renders; it must send with the newest store function.
  const sendRef = useRef(send);
  sendRef.current = send;
  // What plays here, or the node's view of it (when the page plays no sound).
  const heard = useSpeaking(voice, props.speakingKey ?? '') || props.stats?.audio.speaking === true;
  const speaking = heard && !props.muted;
  const activeSpeaker = speaking && props.activeSpeaker === true;
  const tile = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [hasPicture, setHasPicture] = useState(false);
  const shown = useRef(false);
  const [stalled, setStalled] = useState(false);
  const lastDrawn = useRef(0);
  const videoOff = props.videoOff ?? false;

  // Video went off: its last picture must not come back as if live when it comes on again.
  useEffect(() => {
    if (!videoOff) return;
    shown.current = false;
    setHasPicture(false);
  }, [videoOff]);

  // Pictures that stop without a word (a stuck link, an older node) are marked as paused.
  useEffect(() => {
    if (!hasPicture || videoOff) {
      setStalled(false);
      return;
    }
    const timer = setInterval(() => {
      setStalled(performance.now() - lastDrawn.current > STALL_MS);
    }, 1000);
    return () => clearInterval(timer);
  }, [hasPicture, videoOff]);

  const peer = props.peer;
  useEffect(() => {
    const element = canvas.current;
    if (!element) return;
    shown.current = false;
    const painter = new CanvasPainter(element, {
      drawn(frame, count) {
        lastDrawn.current = performance.now();
        const host = tile.current;
        if (host) {
          host.dataset.frame = String(frame.frame);
          host.dataset.frames = String(count);
          host.dataset.codec = frame.codec;
          const h264 = painter.h264;
          if (h264) host.dataset.decoded = String(h264.decoded);
        }
        if (!shown.current) {
          shown.current = true;
          setHasPicture(true);
        }
      },
      needKeyframe() {
        const host = tile.current;
        if (host) host.dataset.keyframeRequests = String(painter.h264?.keyframesRequested ?? 0);
        if (/^[0-9a-f]{32}$/.test(peer)) sendRef.current({ cmd: 'keyframe', peer });
      },
    });
    for (const frame of frames.backlog(props.frameKey)) painter.push(frame);
    const unsubscribe = frames.subscribe(props.frameKey, (frame) => painter.push(frame));
    return () => {
      unsubscribe();
      painter.dispose();
    };
  }, [frames, props.frameKey, peer]);

  const showPicture = hasPicture && !videoOff && !props.trouble;
  const state = props.state ?? 'connected';
  // A member reconnecting has its own badge; "paused" is for one that seems fine but is not.
  const paused = showPicture && stalled && state === 'connected';
  const label = props.self ? t('tile.you', { name: props.name }) : props.name;
  const classes = [
    'tile',
    props.self ? 'tile-self' : 'tile-remote',
    showPicture ? 'has-picture' : 'no-picture',
    `tile-${state}`,
    props.compact ? 'tile-compact' : '',
    speaking ? 'tile-speaking' : '',
    activeSpeaker ? 'tile-active-speaker' : '',
    props.mirror ? 'tile-mirrored' : '',
    props.fullscreen === 'window' ? 'tile-fullscreen-window' : '',
  ];
  const parts = [t('tile.label', { name: label })];
  if (state !== 'connected') parts.push(t(STATE_LABELS[state]));
  if (videoOff && !props.self) parts.push(t('camera.tile.off'));
  else if (paused) parts.push(t('camera.tile.paused'));
  if (handRaised) parts.push(t('hand.raised'));
  if (props.muted) parts.push(t('tile.micMuted'));
  else if (speaking) parts.push(t('tile.speaking'));
  return (
    <div
      ref={tile}
      class={classes.join(' ')}
      data-peer={props.peer}
      data-self={props.self ? 'true' : undefined}
      data-speaking={speaking ? 'true' : 'false'}
      data-muted={props.muted ? 'true' : 'false'}
      data-hand={handRaised ? 'true' : 'false'}
      data-pinned={props.pinned ? 'true' : undefined}
      data-fullscreen={props.fullscreen ?? undefined}
      data-video={videoOff ? 'off' : showPicture ? (paused ? 'paused' : 'live') : 'none'}
      tabIndex={0}
      role="group"
      aria-label={parts.join(', ')}
      {...(activeSpeaker ? described(t('layout.activeSpeaker')) : {})}
    >
      <canvas ref={canvas} class="tile-canvas" aria-hidden="true" width={4} height={3} />
      {!showPicture && (
        <div class="tile-placeholder">
          <Avatar id={props.peer} name={props.name} size={props.compact ? 'lg' : 'xl'} />
          {props.trouble ?? (
            <span class="tile-placeholder-text">
              {videoOff
                ? props.self
                  ? t('controls.videoOff')
                  : t('camera.tile.off')
                : state === 'connected'
                  ? t('tile.waiting')
                  : ''}
            </span>
          )}
        </div>
      )}
      {paused && (
        <span class="tile-badge badge-paused">
          <Icon name="video-off" size={14} />
          {t('camera.tile.paused')}
        </span>
      )}
      {(state === 'connecting' || state === 'reconnecting') && (
        <span class={`tile-badge badge-${state}`}>
          <span class="spinner" aria-hidden="true" />
          {t(STATE_LABELS[state])}
        </span>
      )}
      <div class="tile-label">
        {props.stats && <QualityBars stats={props.stats} videoOff={props.videoOff ?? false} />}
        {props.pinned && (
          <span class="tile-pinned" title={t('layout.pinned')}>
            <Icon name="pin" size={14} />
          </span>
        )}
        {props.verified && (
          <span class="tile-verified" title={t('trust.verified')}>
            <Icon name="shield-check" size={14} />
          </span>
        )}
        {props.muted ? (
          <span class="tile-mic-off" title={props.self ? t('tile.youMuted') : t('volume.muted')}>
            <Icon name="mic-off" size={14} />
          </span>
        ) : (
          speaking && (
            <span class="tile-speaking-icon" title={t('tile.speaking.title')}>
              <Icon name="mic" size={14} />
            </span>
          )
        )}
        <span class="tile-name">{label}</span>
        {(videoOff || props.trouble) && (
          <span
            class="tile-muted"
            title={props.self ? t('controls.videoOff') : t('camera.tile.off')}
          >
            <Icon name="video-off" size={14} />
          </span>
        )}
      </div>
      <TileGestures peer={props.peer} />
      {props.actions}
      <StatsOverlay stats={props.stats} sending={props.sending} />
    </div>
  );
}
