import type { JSX } from 'preact';
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'preact/hooks';
import type { Command, MemberEventView, PeerView } from '../../protocol/api.js';
import { useCallAlerts } from '../hooks/useCallAlerts.js';
import { NARROW_QUERY, useMediaQuery } from '../hooks/useMediaQuery.js';
import { notify, useNotificationPermission } from '../hooks/useNotifications.js';
import type { ShortcutAction } from '../hooks/useShortcuts.js';
import { useShortcuts } from '../hooks/useShortcuts.js';
import { useTheme } from '../hooks/useTheme.js';
import { msg } from '../i18n/catalog.js';
import { useI18n } from '../i18n/context.js';
import { exportToast, saveExport } from '../lib/download.js';
import { keptChat } from '../state/chat.js';
import { logNodeText } from '../state/errors.js';
import { initialState, reduce } from '../state/reducer.js';
import { closedChatKept, keepClosedChat } from '../lib/storage.js';
import { toggleStageView } from '../hooks/useStageLayout.js';
import type { Store } from '../state/store.js';
import { StoreContext } from '../state/store.js';
import type { Transport } from '../transport/transport.js';
import { FrameHub } from '../video/frame-hub.js';
import { VoiceEngine } from '../audio/voice-engine.js';
import { usePushToTalk } from '../hooks/useVoice.js';
import { ConnectionBanner, TrustWarnings } from './Banners.js';
import { COMPOSER_ID } from './ChatComposer.js';
import { ChatPanel } from './ChatPanel.js';
import { ExportChatDialog } from './ExportChatDialog.js';
import { FiltersPanel } from './FiltersPanel.js';
import { HelpDialog } from './HelpDialog.js';
import { InviteDialog } from './InviteDialog.js';
import { LeaveDialog } from './LeaveDialog.js';
import { NearbyPanel } from './NearbyPanel.js';
import { PeoplePanel } from './PeoplePanel.js';
import { SettingsPanel } from './SettingsPanel.js';
import { Stage } from './Stage.js';
import { PANEL_ID, TabBar, tabId } from './TabBar.js';
import type { PanelTab } from './tabs.js';
import { availableTabs } from './tabs.js';
import { Toasts } from './Toasts.js';
import { TopBar } from './TopBar.js';
import { TrustKeyDialog, VerifyDialog } from './TrustDialogs.js';

/** What the interface asks for whenever it (re)connects to its node. */
export const STARTUP_COMMANDS: readonly Command[] = [
  { cmd: 'peers' },
  { cmd: 'filters' },
  { cmd: 'members' },
  { cmd: 'preview', enabled: true },
];

type DialogState =
  | { kind: 'help' }
  | { kind: 'leave' }
  | { kind: 'export' }
  | { kind: 'verify'; peer: string; name: string; code: string }
  | { kind: 'trust'; peer: string; name: string; code: string; message?: string | undefined };

export function App({ transport }: { transport: Transport }): JSX.Element {
  const [state, dispatch] = useReducer(reduce, undefined, () => ({
    ...initialState(),
    closedChat: closedChatKept(),
  }));
  useEffect(() => keepClosedChat(state.closedChat), [state.closedChat]);
  const frames = useMemo(() => new FrameHub(), []);
  const voice = useMemo(() => new VoiceEngine(transport), [transport]);
  useEffect(() => () => voice.close(), [voice]);
  const everConnected = useRef(false);
  const historyAsked = useRef<string | null>(null);
  /** Every tab gets the export's text; only the one that asked for it saves it. */
  const exportAsked = useRef(false);
  const theme = useTheme();
  const notifications = useNotificationPermission();
  const narrow = useMediaQuery(NARROW_QUERY);
  const i18n = useI18n();
  // The message handler below lives as long as the transport; it reads the newest language.
  const i18nRef = useRef(i18n);
  i18nRef.current = i18n;
  const [tab, setTab] = useState<PanelTab>('nearby');
  const [dialog, setDialog] = useState<DialogState | null>(null);

  const send = useCallback(
    (command: Command) => {
      if (transport.send({ type: 'command', command })) return;
      dispatch({
        type: 'toast',
        kind: 'error',
        title: msg('toast.notConnected'),
        message: msg('toast.notConnected.message'),
      });
    },
    [transport],
  );

  useEffect(() => {
    const startup = (): void => {
      for (const command of STARTUP_COMMANDS) transport.send({ type: 'command', command });
    };
    const offMessage = transport.onMessage((message) => {
      dispatch({ type: 'server', message, at: Date.now() });
      if (message.type === 'hello') {
        everConnected.current = true;
        historyAsked.current = null;
        startup();
        return;
      }
      const event = message.event;
      if (event.event === 'error' || event.event === 'key-changed') logNodeText(event);
      if (event.event === 'invite') {
        const { t } = i18nRef.current;
        notify(
          t('invite.title', { name: event.name }),
          t('safetyCode.aria', { label: t('safetyCode.label'), code: event.safetyCode }),
          event.call,
        );
      } else if (event.event === 'chat-export-text' && exportAsked.current) {
        exportAsked.current = false;
        const kind = i18nRef.current.t(`prof.export.kind.${event.format}`);
        void saveExport(event.format, event.text, kind).then((outcome) => {
          const toast = exportToast(outcome, event.messages);
          if (toast) dispatch({ type: 'toast', ...toast });
        });
      } else if (
        event.event === 'members' &&
        historyAsked.current !== (event.call ?? event.lastChat ?? null)
      ) {
        // After a reconnection mid-call: fetch the messages we missed; after a reload out of
        // a call, the last call's chat (the node keeps it until the next call).
        historyAsked.current = event.call ?? event.lastChat ?? null;
        transport.send({ type: 'command', command: { cmd: 'history' } });
      }
    });
    const offFrame = transport.onFrame((frame) => frames.publish(frame));
    const offStatus = transport.onStatus((status) => dispatch({ type: 'connection', status }));
    dispatch({ type: 'connection', status: transport.status });
    return () => {
      offMessage();
      offFrame();
      offStatus();
    };
  }, [transport, frames]);

  const inCall = state.call !== null;
  const chatKept = keptChat(state) !== null;
  const tabs = availableTabs(inCall, narrow, chatKept);
  const activeTab: PanelTab = tabs.includes(tab) ? tab : (tabs[0] ?? 'nearby');

  // The microphone is asked for only when a call starts (if the node's voice is this page's)
  // or while Settings shows its meter.
  const pageVoice = state.voice.source === null || state.voice.source === 'ui';
  const showsMeter = activeTab === 'settings';
  useEffect(() => {
    voice.want(inCall, (inCall && pageVoice) || showsMeter);
  }, [voice, inCall, pageVoice, showsMeter]);
  useEffect(() => voice.setMuted(state.voice.muted), [voice, state.voice.muted]);
  const memberIds = state.call?.members;
  useEffect(() => {
    voice.retain(new Set(memberIds?.map((member) => member.peer) ?? []));
  }, [voice, memberIds]);
  const setMuted = useCallback(
    (muted: boolean) => {
      // At once here (push-to-talk must not wait for the node's answer), then on the node.
      voice.setMuted(muted);
      send({ cmd: 'mute', muted });
    },
    [voice, send],
  );
  usePushToTalk(inCall, state.voice.muted, setMuted);
  useCallAlerts(state);

  // Entering or leaving a call brings the panel that matters next to the front.
  const callId = state.call?.id ?? null;
  const previousCall = useRef<string | null>(null);
  useEffect(() => {
    if (callId === previousCall.current) return;
    const joined = callId !== null && previousCall.current === null;
    previousCall.current = callId;
    if (narrow) setTab('stage');
    // The chat of the call that ended stays on screen if it was (until the user closes it).
    else setTab(joined ? 'people' : callId === null ? (tab === 'chat' ? 'chat' : 'nearby') : tab);
    if (callId === null) setDialog((open) => (open?.kind === 'leave' ? null : open));
  }, [callId, narrow, tab]);

  const chatVisible = activeTab === 'chat';
  useEffect(() => {
    dispatch({ type: 'chat-visible', visible: chatVisible });
  }, [chatVisible]);

  const open = useCallback(
    (next: PanelTab) => {
      if (availableTabs(inCall, narrow, chatKept).includes(next)) setTab(next);
    },
    [inCall, narrow, chatKept],
  );

  const focusComposer = (): void => {
    window.requestAnimationFrame(() => document.getElementById(COMPOSER_ID)?.focus());
  };

  const invite = state.invites[0];
  const onShortcut = (action: ShortcutAction): void => {
    switch (action) {
      case 'toggle-mute':
        setMuted(!state.voice.muted);
        return;
      case 'toggle-video':
        send({ cmd: 'video', enabled: !(state.media?.enabled ?? true) });
        return;
      case 'toggle-hand': {
        const self = state.self?.id;
        if (inCall && self) send({ cmd: 'hand', raised: !state.gestures.hands.includes(self) });
        return;
      }
      case 'toggle-layout':
        if (inCall) toggleStageView();
        return;
      case 'chat':
        if (!inCall && !chatKept) return;
        setTab('chat');
        focusComposer();
        return;
      case 'leave':
        if (inCall) setDialog({ kind: 'leave' });
        return;
      case 'filters':
      case 'people':
      case 'nearby':
      case 'settings':
        open(action);
        return;
      case 'theme':
        theme.toggle();
        return;
      case 'help':
        setDialog({ kind: 'help' });
        return;
    }
  };
  useShortcuts(onShortcut, dialog !== null || invite !== undefined);

  const reviewPeer = (peer: string, name: string, message?: string): void => {
    const view = state.peers[peer];
    const code = view?.safetyCode ?? state.call?.members.find((m) => m.peer === peer)?.safetyCode;
    setDialog({ kind: 'trust', peer, name, code: code ?? '', message });
  };

  const store: Store = useMemo(
    () => ({ state, dispatch, send, frames, voice, setMuted }),
    [state, send, frames, voice, setMuted],
  );
  const closeDialog = (): void => setDialog(null);

  const panel = (): JSX.Element | null => {
    switch (activeTab) {
      case 'stage':
        return null;
      case 'people':
        return (
          <PeoplePanel
            onVerify={(member: MemberEventView) =>
              setDialog({
                kind: 'verify',
                peer: member.peer,
                name: member.name,
                code: member.safetyCode,
              })
            }
            onTrustMember={(member: MemberEventView) => reviewPeer(member.peer, member.name)}
          />
        );
      case 'chat':
        return <ChatPanel onExport={() => setDialog({ kind: 'export' })} />;
      case 'nearby':
        return (
          <NearbyPanel
            onTrust={(peer: PeerView) => reviewPeer(peer.peer, peer.name)}
            notifications={notifications.permission}
            onEnableNotifications={notifications.request}
          />
        );
      case 'filters':
        return <FiltersPanel showPreview={narrow} />;
      case 'settings':
        return (
          <SettingsPanel
            theme={theme.choice}
            onTheme={theme.setChoice}
            notifications={notifications.permission}
            onEnableNotifications={notifications.request}
          />
        );
    }
  };

  const tabBar = (
    <TabBar tabs={tabs} active={activeTab} unread={state.chat.unread} onSelect={setTab} />
  );
  const showStage = !narrow || activeTab === 'stage';
  const showPanel = !narrow || activeTab !== 'stage';

  return (
    <StoreContext.Provider value={store}>
      <div class={`app ${narrow ? 'is-narrow' : 'is-wide'} ${inCall ? 'in-call' : 'in-lobby'}`}>
        <TopBar
          theme={theme.theme}
          onToggleTheme={theme.toggle}
          onHelp={() => setDialog({ kind: 'help' })}
        />
        <ConnectionBanner
          status={state.connection}
          everConnected={everConnected.current}
          onRetry={() => transport.retryNow()}
        />
        <TrustWarnings
          onReview={(warning) =>
            reviewPeer(warning.peer, warning.name, i18n.t('prof.keyChanged.detail'))
          }
        />
        <div class="layout">
          {narrow && tabBar}
          {showStage && (
            <Stage
              narrow={narrow}
              onOpen={(next) => {
                open(next);
                if (next === 'chat') focusComposer();
              }}
              onLeave={() => setDialog({ kind: 'leave' })}
            />
          )}
          {showPanel && (
            <aside class="panel" aria-label={i18n.t('app.sidePanel')}>
              {!narrow && tabBar}
              <div
                id={PANEL_ID}
                class="panel-content"
                role="tabpanel"
                aria-labelledby={tabId(activeTab)}
              >
                {panel()}
              </div>
            </aside>
          )}
        </div>
        <Toasts />
        {invite ? (
          <InviteDialog key={invite.call} invite={invite} more={state.invites.length - 1} />
        ) : (
          dialog && renderDialog(dialog)
        )}
      </div>
    </StoreContext.Provider>
  );

  function renderDialog(current: DialogState): JSX.Element {
    switch (current.kind) {
      case 'help':
        return <HelpDialog onClose={closeDialog} />;
      case 'leave':
        return (
          <LeaveDialog
            keepsChat={state.chat.messages.length > 0}
            onLeave={() => send({ cmd: 'leave' })}
            onClose={closeDialog}
          />
        );
      case 'export':
        return (
          <ExportChatDialog
            count={state.chat.messages.length}
            onExport={(format) => {
              exportAsked.current = true;
              send({ cmd: 'export-chat-text', format });
            }}
            onClose={closeDialog}
          />
        );
      case 'verify':
        return (
          <VerifyDialog
            name={current.name}
            code={current.code}
            onConfirm={() => send({ cmd: 'verify', peer: current.peer, verified: true })}
            onLeave={() => send({ cmd: 'leave' })}
            onClose={closeDialog}
          />
        );
      case 'trust':
        return (
          <TrustKeyDialog
            name={current.name}
            code={current.code}
            message={current.message}
            onConfirm={() => send({ cmd: 'trust', peer: current.peer })}
            onClose={closeDialog}
          />
        );
    }
  }
}
