import type { JSX } from 'preact';
import { useEffect } from 'preact/hooks';
import { useT } from '../i18n/context.js';
import { useStore } from '../state/store.js';
import { ToolButton } from './bits.js';
import type { IconName } from './Icon.js';
import { Icon } from './Icon.js';
import { CallTiles, SelfTile } from './StageCall.js';
import { LayoutSwitch } from './TileControls.js';
import { useStagePrefs } from '../hooks/useStageLayout.js';
import { GestureAnnouncer, HandButton, ReactButton } from './Gestures.js';
import { MicNotice, MuteButton } from './VoiceControls.js';
import type { PanelTab } from './tabs.js';
import { PartyPlayer } from '../party/PartyPlayer.js';
import { PartyShareButton } from '../party/PartyShare.js';
import { useVideoSending } from '../camera/CameraTrouble.js';

// The filters panel shows our view too.
export { SelfTile };

function ControlBar({
  onOpen,
  onLeave,
}: {
  onOpen: (tab: PanelTab) => void;
  onLeave: () => void;
}): JSX.Element {
  const { state, send } = useStore();
  const t = useT();
  const enabled = state.media?.enabled ?? true;
  // The caption says what others get: "Video on" only while our pictures flow.
  const sending = useVideoSending();
  const unread = state.chat.unread;
  /** A button that opens one of the side panels. */
  const panelButton = (tab: PanelTab, icon: IconName, caption: string, label: string) => (
    <ToolButton
      class="control"
      icon={icon}
      label={label}
      caption={caption}
      onClick={() => onOpen(tab)}
    />
  );
  return (
    <div class="control-bar" role="toolbar" aria-label={t('controls.label')}>
      <MuteButton />
      <ToolButton
        class={`control ${sending ? '' : 'control-off'}`}
        icon={sending ? 'video' : 'video-off'}
        label={enabled ? t('controls.videoOff.label') : t('controls.videoOn.label')}
        caption={
          sending
            ? t('controls.videoOn')
            : enabled
              ? t('camera.control.failed')
              : t('controls.videoOff')
        }
        pressed={!enabled}
        onClick={() => send({ cmd: 'video', enabled: !enabled })}
      />
      {panelButton('filters', 'filters', t('tab.filters'), t('controls.filters.label'))}
      {state.call ? (
        <>
          <HandButton />
          <ReactButton />
          <ToolButton
            class="control"
            icon="chat"
            label={
              unread > 0 ? t('controls.chat.unread', { count: unread }) : t('controls.chat.label')
            }
            title={t('controls.chat.label')}
            caption={t('tab.chat')}
            onClick={() => onOpen('chat')}
          >
            {unread > 0 && (
              <span class="count-badge" aria-hidden="true">
                {unread > 99 ? '99+' : unread}
              </span>
            )}
          </ToolButton>
          <PartyShareButton />
          <ToolButton
            class="control control-danger"
            icon="leave"
            label={t('controls.leave.label')}
            caption={t('leave.confirm')}
            onClick={onLeave}
          />
        </>
      ) : (
        panelButton('settings', 'settings', t('tab.settings'), t('controls.settings.label'))
      )}
    </div>
  );
}

/** The big area: the call's video grid, or our own preview between calls. */
export function Stage({
  narrow,
  onOpen,
  onLeave,
}: {
  narrow: boolean;
  onOpen: (tab: PanelTab) => void;
  onLeave: () => void;
}): JSX.Element {
  const { state, frames } = useStore();
  const t = useT();
  const prefs = useStagePrefs();
  const call = state.call;

  useEffect(() => {
    frames.retain(new Set(call?.members.map((member) => member.peer) ?? []));
  }, [frames, call?.members]);

  if (!call) {
    return (
      <section class="stage stage-lobby" aria-label={t('lobby.label')}>
        <div class="lobby">
          <div class="lobby-heading">
            <h1 class="lobby-title">{t('lobby.title')}</h1>
            <p class="lobby-subtitle">
              <Icon name="lock" size={15} />
              {t('lobby.subtitle')}
            </p>
          </div>
          <div class="lobby-preview">
            <SelfTile />
          </div>
          <ControlBar onOpen={onOpen} onLeave={onLeave} />
        </div>
      </section>
    );
  }

  const waiting = Object.keys(state.outgoing).filter(
    (peer) => !call.members.some((member) => member.peer === peer),
  );
  // During a watch party the film takes the stage and the tiles become a strip below it.
  const film = state.party.state !== null;
  const chooses = !narrow && !film;
  return (
    <section class={`stage stage-call ${film ? 'stage-party' : ''}`} aria-label={t('stage.call')}>
      {chooses && (
        <div class="stage-toolbar">
          <LayoutSwitch />
        </div>
      )}
      <PartyPlayer party={state.party} />
      <CallTiles
        members={call.members}
        waiting={waiting}
        view={chooses ? prefs.view : 'grid'}
        film={film}
        narrow={narrow}
      />
      <MicNotice />
      <GestureAnnouncer />
      <ControlBar onOpen={onOpen} onLeave={onLeave} />
    </section>
  );
}
