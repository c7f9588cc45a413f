import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { PeerView } from '../../protocol/api.js';
import type { NotificationState } from '../hooks/useNotifications.js';
import { useStore } from '../state/store.js';
import { Avatar, SafetyCode, TrustBadge } from './bits.js';
import { Icon } from './Icon.js';

function PeerAction({
  peer,
  onTrust,
}: {
  peer: PeerView;
  onTrust: (peer: PeerView) => void;
}): JSX.Element {
  const { state, send } = useStore();
  if (peer.trust === 'key-changed') {
    return (
      <button
        type="button"
        class="button button-warning button-small"
        aria-label={`Review ${peer.name}'s new key`}
        onClick={() => onTrust(peer)}
      >
        Review key
      </button>
    );
  }
  if (state.call?.members.some((member) => member.peer === peer.peer)) {
    return <span class="muted small">In the call</span>;
  }
  if (state.outgoing[peer.peer]) {
    return (
      <span class="muted small inviting">
        <span class="spinner" aria-hidden="true" />
        Inviting…
      </span>
    );
  }
  return (
    <button
      type="button"
      class="button button-primary button-small"
      aria-label={`Invite ${peer.name}`}
      onClick={() => send({ cmd: 'invite', peer: peer.peer })}
    >
      <Icon name="phone" size={15} />
      Invite
    </button>
  );
}

function AddPeerForm(): JSX.Element {
  const { send } = useStore();
  const [host, setHost] = useState('');
  const [port, setPort] = useState('');
  const [problem, setProblem] = useState('');
  const submit = (event: Event): void => {
    event.preventDefault();
    const trimmed = host.trim();
    const number = Number(port);
    if (!trimmed || trimmed.length > 253) {
      setProblem('Enter the address of the other computer.');
      return;
    }
    if (!Number.isInteger(number) || number < 1 || number > 65535) {
      setProblem('The port is a number from 1 to 65535.');
      return;
    }
    setProblem('');
    send({ cmd: 'add-peer', host: trimmed, port: number });
    setHost('');
    setPort('');
  };
  return (
    <form class="add-peer" onSubmit={submit} aria-label="Add a peer by address">
      <h3 class="section-title">Add by address</h3>
      <p class="muted small">
        Where the network blocks discovery: their computer's address, and the port shown in their
        Settings.
      </p>
      <div class="add-peer-row">
        <input
          class="input"
          type="text"
          inputMode="url"
          placeholder="192.168.1.20"
          aria-label="Host name or address"
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
          placeholder="Port"
          aria-label="Port"
          value={port}
          onInput={(event) => setPort(event.currentTarget.value)}
        />
        <button type="submit" class="button button-small" aria-label="Add peer">
          <Icon name="plus" size={15} />
          Add
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
  const peers = Object.values(state.peers).sort((a, b) =>
    a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }),
  );
  return (
    <div class="panel-body nearby">
      <div class="panel-intro">
        <h2 class="panel-title">
          Nearby <span class="count">{peers.length}</span>
        </h2>
        <p class="muted small">
          People running meshcall on this network. {state.call ? 'Invite more into the call.' : ''}
        </p>
      </div>
      {peers.length === 0 ? (
        <div class="empty">
          <span class="pulse" aria-hidden="true">
            <Icon name="nearby" size={28} />
          </span>
          <p>Looking for people on this network…</p>
          <p class="muted small">They appear here as soon as they open meshcall.</p>
        </div>
      ) : (
        <ul class="peer-list" aria-label="Nearby peers">
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
                  {peer.source === 'manual' ? ' · added by address' : ''}
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
          <span>Get a desktop notification when someone invites you.</span>
          <button type="button" class="link-button" onClick={onEnableNotifications}>
            Turn on
          </button>
        </div>
      )}
      <AddPeerForm />
    </div>
  );
}
