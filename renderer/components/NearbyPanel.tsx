import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { PeerView } from '../../protocol/api.js';
import type { NotificationState } from '../hooks/useNotifications.js';
import { useT } from '../i18n/context.js';
import { useStore } from '../state/store.js';
import { Avatar, SafetyCode, TrustBadge } from './bits.js';
import { CancelInviteButton } from './CancelInvite.js';
import { Icon } from './Icon.js';

function PeerAction({
  peer,
  onTrust,
}: {
  peer: PeerView;
  onTrust: (peer: PeerView) => void;
}): JSX.Element {
  const { state, send } = useStore();
  const t = useT();
  if (peer.trust === 'key-changed') {
    return (
      <button
        type="button"
        class="button button-warning button-small"
        aria-label={t('nearby.review.label', { name: peer.name })}
        onClick={() => onTrust(peer)}
      >
        {t('nearby.review')}
      </button>
    );
  }
  if (state.call?.members.some((member) => member.peer === peer.peer)) {
    return <span class="muted small">{t('nearby.inCall')}</span>;
  }
  if (state.outgoing[peer.peer]) {
    return (
      <span class="muted small inviting">
        <span class="spinner" aria-hidden="true" />
        {t('nearby.inviting')}
        <CancelInviteButton peer={peer.peer} name={peer.name} />
      </span>
    );
  }
  return (
    <button
      type="button"
      class="button button-primary button-small"
      aria-label={t('nearby.invite.label', { name: peer.name })}
      data-invite={peer.peer}
      onClick={() => send({ cmd: 'invite', peer: peer.peer })}
    >
      <Icon name="phone" size={15} />
      {t('nearby.invite')}
    </button>
  );
}

function AddPeerForm(): JSX.Element {
  const { send, state } = useStore();
  const t = useT();
  const [host, setHost] = useState('');
  const [port, setPort] = useState('');
  const [problem, setProblem] = useState('');
  // What was typed stays until that peer shows up: a failed attempt (an error toast) can be
  // corrected and sent again instead of typed anew.
  const [pending, setPending] = useState<{ host: string; port: number } | null>(null);
  useEffect(() => {
    if (!pending) return;
    const arrived = Object.values(state.peers).some(
      (peer) => peer.host === pending.host && peer.port === pending.port,
    );
    if (!arrived) return;
    setPending(null);
    setHost('');
    setPort('');
  }, [pending, state.peers]);
  const submit = (event: Event): void => {
    event.preventDefault();
    const trimmed = host.trim();
    const number = Number(port);
    if (!trimmed || trimmed.length > 253) {
      setProblem(t('add.problem.host'));
      return;
    }
    if (!Number.isInteger(number) || number < 1 || number > 65535) {
      setProblem(t('add.problem.port'));
      return;
    }
    setProblem('');
    send({ cmd: 'add-peer', host: trimmed, port: number });
    setPending({ host: trimmed, port: number });
  };
  return (
    <form class="add-peer" onSubmit={submit} aria-label={t('add.label')}>
      <h3 class="section-title">{t('add.title')}</h3>
      <p class="muted small">{t('add.intro')}</p>
      <div class="add-peer-row">
        <input
          class="input"
          type="text"
          inputMode="url"
          placeholder="192.168.1.20"
          aria-label={t('add.host')}
          value={host}
          onInput={(event) => setHost(event.currentTarget.value)}
          autoComplete="off"
          spellcheck={false}
        />
        <input
          class="input input-port"
          type="number"
          min={1}
          max={65535}
          placeholder={t('add.port')}
          aria-label={t('add.port')}
          value={port}
          onInput={(event) => setPort(event.currentTarget.value)}
        />
        <button type="submit" class="button button-small" aria-label={t('add.submit.label')}>
          <Icon name="plus" size={15} />
          {t('add.submit')}
        </button>
      </div>
      {problem && (
        <p class="form-problem" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}

export function NearbyPanel({
  onTrust,
  notifications,
  onEnableNotifications,
}: {
  onTrust: (peer: PeerView) => void;
  notifications: NotificationState;
  onEnableNotifications: () => void;
}): JSX.Element {
  const { state } = useStore();
  const t = useT();
  const peers = Object.values(state.peers).sort((a, b) =>
    a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }),
  );
  return (
    <div class="panel-body nearby">
      <div class="panel-intro">
        <h2 class="panel-title">
          {t('nearby.title')} <span class="count">{peers.length}</span>
        </h2>
        <p class="muted small">{state.call ? t('nearby.intro.inCall') : t('nearby.intro')}</p>
      </div>
      {peers.length === 0 ? (
        <div class="empty">
          <span class="pulse" aria-hidden="true">
            <Icon name="nearby" size={28} />
          </span>
          <p>{t('nearby.looking')}</p>
          <p class="muted small">{t('nearby.looking.hint')}</p>
        </div>
      ) : (
        <ul class="peer-list" aria-label={t('nearby.list')}>
          {peers.map((peer) => (
            <li key={peer.peer} class="peer" data-peer={peer.peer}>
              <Avatar id={peer.peer} name={peer.name} />
              <div class="peer-main">
                <div class="peer-line">
                  <span class="peer-name">{peer.name}</span>
                  <TrustBadge trust={peer.trust} />
                </div>
                <SafetyCode code={peer.safetyCode} />
                <span class="peer-address muted">
                  {peer.host}:{peer.port}
                  {peer.source === 'manual' ? ` · ${t('nearby.manual')}` : ''}
                </span>
              </div>
              <PeerAction peer={peer} onTrust={onTrust} />
            </li>
          ))}
        </ul>
      )}
      {notifications === 'default' && (
        <div class="hint">
          <Icon name="bell" size={16} />
          <span>{t('nearby.notify')}</span>
          <button type="button" class="link-button" onClick={onEnableNotifications}>
            {t('nearby.notify.turnOn')}
          </button>
        </div>
      )}
      <AddPeerForm />
    </div>
  );
}
