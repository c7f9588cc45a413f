import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { MemberEventView, MemberStatsView, SendingStatsView } from '../../protocol/api.js';
import { formatFps, formatKbps, formatMs } from '../lib/format.js';
import { useSpeaking } from '../hooks/useVoice.js';
import { useStore } from '../state/store.js';
import { CanvasPainter } from '../video/painter.js';
import { Avatar } from './bits.js';
import { Icon } from './Icon.js';

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
}

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
  return (
    <>
      {codec !== undefined && codec !== null && (
        <>
          <dt>Codec</dt>
          <dd>
            {CODEC_NAMES[codec]}
            {typeof layer === 'number' && ` · layer ${layer}`}
          </dd>
        </>
      )}
      {keyframesRequested !== undefined && (
        <>
          <dt>Keyframes asked</dt>
          <dd>{keyframesRequested}</dd>
        </>
      )}
      {undecodable !== undefined && (
        <>
          <dt>Undecodable</dt>
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
  if (stats) {
    return (
      <dl class="tile-stats" aria-label="Connection statistics">
        <dt>Frame rate</dt>
        <dd>{formatFps(stats.fps)}</dd>
        <dt>Bitrate</dt>
        <dd>{formatKbps(stats.kbps)}</dd>
        <dt>Latency p50</dt>
        <dd>{formatMs(stats.latencyP50Ms)}</dd>
        <dt>Latency p95</dt>
        <dd>{formatMs(stats.latencyP95Ms)}</dd>
        <dt>Lost frames</dt>
        <dd>{stats.lost}</dd>
        <CodecStats stats={stats} />
      </dl>
    );
  }
  if (sending) {
    return (
      <dl class="tile-stats" aria-label="What you send">
        <dt>Sending</dt>
        <dd>{formatFps(sending.fps)}</dd>
        <dt>Bitrate</dt>
        <dd>{formatKbps(sending.kbps)}</dd>
        <dt>Size</dt>
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
  const { frames, voice, send } = useStore();
  // The painter lives across renders; it must send with the newest store function.
  const sendRef = useRef(send);
  sendRef.current = send;
  const speaking = useSpeaking(voice, props.speakingKey ?? '') && !props.muted;
  const tile = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [hasPicture, setHasPicture] = useState(false);

  const peer = props.peer;
  useEffect(() => {
    const element = canvas.current;
    if (!element) return;
    let shown = false;
    const painter = new CanvasPainter(element, {
      drawn(frame, count) {
        const host = tile.current;
        if (host) {
          host.dataset.frame = String(frame.frame);
          host.dataset.frames = String(count);
          host.dataset.codec = frame.codec;
          const h264 = painter.h264;
          if (h264) host.dataset.decoded = String(h264.decoded);
        }
        if (!shown) {
          shown = true;
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

  const state = props.state ?? 'connected';
  const showPicture = hasPicture && !props.videoOff;
  const label = props.self ? `${props.name} (you)` : props.name;
  const classes = [
    'tile',
    props.self ? 'tile-self' : 'tile-remote',
    showPicture ? 'has-picture' : 'no-picture',
    `tile-${state}`,
    props.compact ? 'tile-compact' : '',
    speaking ? 'tile-speaking' : '',
  ];
  const voiceState = props.muted ? ', microphone muted' : speaking ? ', speaking' : '';
  return (
    <div
      ref={tile}
      class={classes.join(' ')}
      data-peer={props.peer}
      data-self={props.self ? 'true' : undefined}
      data-speaking={speaking ? 'true' : 'false'}
      data-muted={props.muted ? 'true' : 'false'}
      tabIndex={0}
      role="group"
      aria-label={`Video of ${label}${state === 'connected' ? '' : `, ${state}`}${voiceState}`}
    >
      <canvas ref={canvas} class="tile-canvas" aria-hidden="true" width={4} height={3} />
      {!showPicture && (
        <div class="tile-placeholder">
          <Avatar id={props.peer} name={props.name} size={props.compact ? 'lg' : 'xl'} />
          <span class="tile-placeholder-text">
            {props.videoOff ? 'Video off' : state === 'connected' ? 'Waiting for video…' : ''}
          </span>
        </div>
      )}
      {(state === 'connecting' || state === 'reconnecting') && (
        <span class={`tile-badge badge-${state}`}>
          <span class="spinner" aria-hidden="true" />
          {state === 'connecting' ? 'Connecting…' : 'Reconnecting…'}
        </span>
      )}
      <div class="tile-label">
        {props.verified && (
          <span class="tile-verified" title="Verified">
            <Icon name="shield-check" size={14} />
          </span>
        )}
        {props.muted ? (
          <span class="tile-mic-off" title={props.self ? 'You are muted' : 'Muted'}>
            <Icon name="mic-off" size={14} />
          </span>
        ) : (
          speaking && (
            <span class="tile-speaking-icon" title="Speaking">
              <Icon name="mic" size={14} />
            </span>
          )
        )}
        <span class="tile-name">{label}</span>
        {props.videoOff && (
          <span class="tile-muted" title="Video off">
            <Icon name="video-off" size={14} />
          </span>
        )}
      </div>
      <StatsOverlay stats={props.stats} sending={props.sending} />
    </div>
  );
}
