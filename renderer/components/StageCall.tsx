/**
 * The call's tiles on the stage (issue #13): a grid shaped to the space (gridShape, the last
 * row centred) or speaker view (one big tile and a filmstrip), members pinned and shown full
 * screen, and our own view as a small floating tile in a corner of the stage.
 */
import type { JSX } from 'preact';
import { useRef, useState } from 'preact/hooks';
import type { MemberEventView } from '../../protocol/api.js';
import {
  updateStagePrefs,
  useBoxSize,
  useSpeaker,
  useStagePrefs,
  useTileFullscreen,
} from '../hooks/useStageLayout.js';
import { useT } from '../i18n/context.js';
import type { StageView } from '../state/stage-layout.js';
import { featuredMember, gridShape, nearestCorner, nextCorner } from '../state/stage-layout.js';
import { useStore } from '../state/store.js';
import { SELF_KEY } from '../video/frame-hub.js';
import { SELF_VOICE } from '../audio/voice-engine.js';
import { Avatar } from './bits.js';
import { CancelInviteButton } from './CancelInvite.js';
import { CameraTrouble, useSourceFailure } from '../camera/CameraTrouble.js';
import { Icon } from './Icon.js';
import { TileActions } from './TileControls.js';
import { VideoTile } from './VideoTile.js';

/** Our own view; mirrored when the user wants it (the default), as a mirror would show it. */
export function SelfTile({
  compact = false,
  actions,
}: {
  compact?: boolean;
  actions?: JSX.Element;
}): JSX.Element {
  const { state } = useStore();
  const t = useT();
  const { mirror } = useStagePrefs();
  const self = state.self;
  const failure = useSourceFailure();
  return (
    <VideoTile
      frameKey={SELF_KEY}
      peer={self?.id ?? 'self'}
      name={self?.name ?? t('chat.you')}
      self
      speakingKey={SELF_VOICE}
      muted={state.voice.muted}
      videoOff={state.media ? !state.media.enabled : false}
      sending={state.call && !failure ? state.stats.sending : null}
      compact={compact}
      mirror={mirror}
      actions={actions}
      trouble={failure && <CameraTrouble failure={failure} compact={compact} />}
    />
  );
}

/**
 * Our view floating in a corner of the stage: dragged with the pointer it snaps to the
 * nearest corner when let go; its Move button takes it to the next corner, clockwise.
 */
function FloatingSelf(): JSX.Element {
  const t = useT();
  const { selfCorner } = useStagePrefs();
  const drag = useRef<{ x: number; y: number; id: number } | null>(null);
  const target = nextCorner(selfCorner);
  // ICU select keys cannot hold a hyphen.
  const corner = target.replace(/-(\w)/, (_, letter: string) => letter.toUpperCase());
  const moveLabel = t('layout.selfView.move', { corner });
  const move = (
    <div class="tile-actions">
      <button
        type="button"
        class="tile-action"
        aria-label={moveLabel}
        title={moveLabel}
        onClick={() => updateStagePrefs({ selfCorner: target })}
      >
        <Icon name="move" size={16} />
      </button>
    </div>
  );
  const end = (event: PointerEvent, element: HTMLElement): void => {
    const start = drag.current;
    if (!start || start.id !== event.pointerId) return;
    drag.current = null;
    element.classList.remove('self-dragging');
    element.style.transform = '';
    const area = element.parentElement?.getBoundingClientRect();
    if (!area || Math.hypot(event.clientX - start.x, event.clientY - start.y) < 4) return;
    // Where the tile's middle was let go (the pointer moved it by as much).
    const box = element.getBoundingClientRect();
    const x = box.left + box.width / 2 + event.clientX - start.x - area.left;
    const y = box.top + box.height / 2 + event.clientY - start.y - area.top;
    updateStagePrefs({ selfCorner: nearestCorner(x, y, area.width, area.height) });
  };
  return (
    <div
      class="self-float"
      data-corner={selfCorner}
      title={t('layout.selfView.drag')}
      onPointerDown={(event) => {
        if (event.button !== 0 || (event.target as Element).closest('button')) return;
        drag.current = { x: event.clientX, y: event.clientY, id: event.pointerId };
        event.currentTarget.setPointerCapture(event.pointerId);
        event.currentTarget.classList.add('self-dragging');
      }}
      onPointerMove={(event) => {
        const start = drag.current;
        if (!start || start.id !== event.pointerId) return;
        const dx = event.clientX - start.x;
        const dy = event.clientY - start.y;
        event.currentTarget.style.transform = `translate(${dx}px, ${dy}px)`;
      }}
      onPointerUp={(event) => end(event, event.currentTarget)}
      onPointerCancel={(event) => end(event, event.currentTarget)}
    >
      <SelfTile compact actions={move} />
    </div>
  );
}

function WaitingTile({ peer }: { peer: string }): JSX.Element {
  const { state } = useStore();
  const t = useT();
  const name = state.peers[peer]?.name ?? t('common.someone');
  return (
    <div class="tile tile-waiting" role="group" aria-label={t('stage.calling.label', { name })}>
      <div class="tile-placeholder">
        <span class="ring">
          <Avatar id={peer} name={name} size="xl" />
        </span>
        <span class="tile-placeholder-text">{t('stage.calling', { name })}</span>
        <CancelInviteButton peer={peer} name={name} />
      </div>
    </div>
  );
}

/** The tiles of a call: members, those we are still calling, and our own view. */
export function CallTiles({
  members,
  waiting,
  view,
  film,
  narrow,
}: {
  members: readonly MemberEventView[];
  waiting: readonly string[];
  /** Grid or speaker view (a watch party and narrow windows always get the grid). */
  view: StageView;
  film: boolean;
  narrow: boolean;
}): JSX.Element {
  const { state, voice } = useStore();
  const t = useT();
  const area = useRef<HTMLDivElement>(null);
  const size = useBoxSize(area);
  const [pin, setPin] = useState<string | null>(null);
  const ids = members.map((member) => member.peer);
  const full = useTileFullscreen(ids);
  // A pin counts only while that member is in the call.
  const pinned = pin !== null && ids.includes(pin) ? pin : null;
  const heard = new Set(ids.filter((id) => state.stats.members[id]?.audio.speaking === true));
  const speaker = useSpeaker(voice, ids, heard);
  // Our own view floats over a wide stage; in a strip or a narrow column it is one more tile.
  const floating = !narrow && !film;

  const togglePin = (peer: string): void => {
    const next = pinned === peer ? null : peer;
    setPin(next);
    // Pinning is asking for that member big: speaker view shows it so.
    if (next !== null) updateStagePrefs({ view: 'speaker' });
  };
  const tile = (member: MemberEventView, small = false): JSX.Element => {
    const peer = member.peer;
    const isFull = full.peer === peer;
    return (
      <VideoTile
        key={peer}
        frameKey={peer}
        peer={peer}
        name={member.name}
        state={member.state}
        verified={member.verified}
        speakingKey={peer}
        muted={state.voice.membersMuted[peer] ?? false}
        videoOff={state.videoOff[peer] ?? false}
        stats={state.stats.members[peer]}
        compact={small}
        activeSpeaker={peer === speaker}
        pinned={pinned === peer}
        fullscreen={isFull ? (full.fallback ? 'window' : 'screen') : null}
        actions={
          <TileActions
            name={member.name}
            pinned={pinned === peer}
            fullscreen={isFull}
            onPin={film ? undefined : () => togglePin(peer)}
            onFullscreen={(element) => full.toggle(peer, element)}
          />
        }
      />
    );
  };
  const waitingTiles = waiting.map((peer) => <WaitingTile key={peer} peer={peer} />);
  const featured = view === 'speaker' ? featuredMember(ids, pinned, speaker) : null;
  const big = members.find((member) => member.peer === featured);

  let content: JSX.Element;
  if (big) {
    const others = members.filter((member) => member !== big);
    content = (
      <div class="speaker-view">
        <div class="speaker-main">{tile(big)}</div>
        {others.length + waiting.length > 0 && (
          <div class="filmstrip" role="group" aria-label={t('layout.filmstrip')}>
            {others.map((member) => tile(member, true))}
            {waitingTiles}
          </div>
        )}
      </div>
    );
  } else {
    const count = members.length + waiting.length + (floating ? 0 : 1);
    const shape = narrow
      ? { cols: 1, rows: count }
      : film
        ? { cols: count, rows: 1 }
        : gridShape(count, size.width, size.height);
    content = (
      <div class="grid-wrap">
        <div
          class={`grid ${film ? 'grid-strip' : ''}`}
          style={{ '--cols': String(shape.cols), '--rows': String(shape.rows) }}
          data-tiles={count}
          data-cols={shape.cols}
        >
          {members.map((member) => tile(member))}
          {waitingTiles}
          {!floating && <SelfTile />}
        </div>
      </div>
    );
  }
  return (
    <div class="stage-area" ref={area} data-view={big ? 'speaker' : 'grid'}>
      {content}
      {floating && <FloatingSelf />}
    </div>
  );
}
