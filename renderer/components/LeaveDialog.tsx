import type { JSX } from 'preact';
import { useT } from '../i18n/context.js';
import { Dialog } from './Dialog.js';

export function LeaveDialog({
  keepsChat,
  onLeave,
  onClose,
}: {
  /** The call's chat has messages: they stay on screen after leaving (say so). */
  keepsChat: boolean;
  onLeave: () => void;
  onClose: () => void;
}): JSX.Element {
  const t = useT();
  return (
    <Dialog
      role="alertdialog"
      title={t('leave.title')}
      description={
        keepsChat ? `${t('leave.description')} ${t('leave.chatKept')}` : t('leave.description')
      }
      onClose={onClose}
    >
      <StayOrLeave
        stay={t('leave.stay')}
        leave={t('leave.confirm')}
        onLeave={onLeave}
        onClose={onClose}
      />
    </Dialog>
  );
}

/** A question's two answers: stay (closes), or leave the call (focused, then closes). */
export function StayOrLeave({
  stay,
  leave,
  onLeave,
  onClose,
}: {
  stay: string;
  leave: string;
  onLeave: () => void;
  onClose: () => void;
}): JSX.Element {
  return (
    <div class="dialog-actions">
      <button type="button" class="button" onClick={onClose}>
        {stay}
      </button>
      <button
        type="button"
        class="button button-danger"
        data-autofocus
        onClick={() => {
          onLeave();
          onClose();
        }}
      >
        {leave}
      </button>
    </div>
  );
}
