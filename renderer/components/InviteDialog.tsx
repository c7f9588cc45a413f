import type { JSX } from 'preact';
import { useI18n } from '../i18n/context.js';
import { useStore } from '../state/store.js';
import type { IncomingInvite } from '../state/types.js';
import { Avatar, SafetyCode, TrustBadge } from './bits.js';
import { Dialog } from './Dialog.js';
import { Icon } from './Icon.js';

/**
 * An incoming invite: who, who else is in that call, their safety code, Accept / Decline.
 * In a call it is the call-waiting prompt (accepting leaves the call; the node does that).
 * Focus goes to the dialog, not to Accept: Enter, or a key pressed mid-sentence, must not
 * take a call.
 */
export function InviteDialog({
  invite,
  more,
}: {
  invite: IncomingInvite;
  more: number;
}): JSX.Element {
  const { state, send, dispatch } = useStore();
  const { t, locale } = useI18n();
  const inCall = state.call !== null;
  const others = invite.members;
  const keyChanged = invite.trust === 'key-changed';
  const decline = (): void => {
    send({ cmd: 'decline', call: invite.call });
    dispatch({ type: 'invite-answered', call: invite.call });
  };
  const accept = (): void => {
    send({ cmd: 'accept', call: invite.call });
    dispatch({ type: 'invite-answered', call: invite.call });
  };
  return (
    <Dialog
      role="alertdialog"
      class="invite-dialog"
      title={
        inCall
          ? t('ring.waiting.title', { name: invite.name })
          : t('invite.title', { name: invite.name })
      }
      description={
        keyChanged
          ? t('invite.keyChanged', { name: invite.name })
          : t('invite.compare', { name: invite.name })
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
      {others.length > 0 && (
        <p class="invite-members" data-invite-members>
          {t('ring.members', {
            count: others.length,
            inviter: invite.name,
            names: new Intl.ListFormat(locale, { type: 'conjunction' }).format(others),
          })}
        </p>
      )}
      <div class={`code-box ${keyChanged ? 'code-box-warning' : ''}`}>
        <span class="code-box-label">{t('safetyCode.label')}</span>
        <SafetyCode code={invite.safetyCode} large />
      </div>
      {inCall && <p class="muted small">{t('invite.leavesCall')}</p>}
      {more > 0 && <p class="muted small">{t('invite.more', { count: more })}</p>}
      <div class="dialog-actions">
        <button
          type="button"
          class="button"
          aria-label={t('invite.decline.label', { name: invite.name })}
          onClick={decline}
        >
          {t('invite.decline')}
        </button>
        <button
          type="button"
          class={`button ${keyChanged ? 'button-warning' : 'button-primary'}`}
          aria-label={t('invite.accept.label', { name: invite.name })}
          onClick={accept}
        >
          <Icon name="phone" size={16} />
          {inCall ? t('invite.leaveAndAccept') : t('invite.accept')}
        </button>
      </div>
    </Dialog>
  );
}
