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
      <div class="dialog-actions">
        <button type="button" class="button" onClick={onClose}>
          {t('leave.stay')}
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
          {t('leave.confirm')}
        </button>
      </div>
    </Dialog>
  );
}
