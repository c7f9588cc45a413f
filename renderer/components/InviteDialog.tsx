import type { JSX } from 'preact';
import { useStore } from '../state/store.js';
import type { IncomingInvite } from '../state/types.js';
import { Avatar, SafetyCode, TrustBadge } from './bits.js';
import { Dialog } from './Dialog.js';
import { Icon } from './Icon.js';

/** An incoming invite: who, their safety code, Accept / Decline. */
export function InviteDialog({
  invite,
  more,
}: {
  invite: IncomingInvite;
  more: number;
}): JSX.Element {
  const { state, send, dispatch } = useStore();
  const inCall = state.call !== null;
  const keyChanged = invite.trust === 'key-changed';
  const decline = (): void => {
    send({ cmd: 'decline', call: invite.call });
    dispatch({ type: 'invite-answered', call: invite.call });
  };
  const accept = (): void => {
    if (inCall) send({ cmd: 'leave' });
    send({ cmd: 'accept', call: invite.call });
    dispatch({ type: 'invite-answered', call: invite.call });
  };
  return (
    <Dialog
      role="alertdialog"
      class="invite-dialog"
      title={`${invite.name} invites you to a call`}
      description={
        keyChanged
          ? `Warning: ${invite.name}'s key is not the one you saw before. Compare the safety code before accepting.`
          : `Compare this safety code with ${invite.name} to be sure it is really them.`
      }
      onClose={decline}
    >
      <div class="invite-who">
        <span class="ring">
          <Avatar id={invite.from} name={invite.name} size="xl" />
        </span>
        <div class="invite-name">
          <strong>{invite.name}</strong>
          <TrustBadge trust={invite.trust} />
        </div>
      </div>
      <div class={`code-box ${keyChanged ? 'code-box-warning' : ''}`}>
        <span class="code-box-label">Safety code</span>
        <SafetyCode code={invite.safetyCode} large />
      </div>
      {inCall && <p class="muted small">Accepting leaves the call you are in.</p>}
      {more > 0 && (
        <p class="muted small">
          {more} more invite{more === 1 ? '' : 's'} waiting.
        </p>
      )}
      <div class="dialog-actions">
        <button
          type="button"
          class="button"
          aria-label={`Decline ${invite.name}'s invite`}
          onClick={decline}
        >
          Decline
        </button>
        <button
          type="button"
          class={`button ${keyChanged ? 'button-warning' : 'button-primary'}`}
          aria-label={`Accept ${invite.name}'s invite`}
          data-autofocus={keyChanged ? undefined : true}
          onClick={accept}
        >
          <Icon name="phone" size={16} />
          {inCall ? 'Leave and accept' : 'Accept'}
        </button>
      </div>
    </Dialog>
  );
}
