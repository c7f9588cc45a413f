import type { JSX } from 'preact';
import { Dialog } from './Dialog.js';

export function LeaveDialog({
  onLeave,
  onClose,
}: {
  onLeave: () => void;
  onClose: () => void;
}): JSX.Element {
  return (
    <Dialog
      role="alertdialog"
      title="Leave the call?"
      description="The others stay connected. Anyone in the call can invite you back."
      onClose={onClose}
    >
      <div class="dialog-actions">
        <button type="button" class="button" onClick={onClose}>
          Stay
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
          Leave
        </button>
      </div>
    </Dialog>
  );
}
