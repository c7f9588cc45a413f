import type { JSX } from 'preact';
import { useT } from '../i18n/context.js';
import { Dialog } from './Dialog.js';

export function LeaveDialog({
  onLeave,
  onClose,
}: {
  onLeave: () => void;
  onClose: () => void;
}): JSX.Element {
  const t = useT();
  return (
    <Dialog
      role="alertdialog"
      title={t('leave.title')}
      description={t('leave.description')}
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
