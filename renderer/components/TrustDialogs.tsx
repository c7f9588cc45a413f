import type { JSX } from 'preact';
import { SafetyCode } from './bits.js';
import { Dialog } from './Dialog.js';
import { Icon } from './Icon.js';

/** Confirms "Mark verified" after comparing the safety code aloud. */
export function VerifyDialog({
  name,
  code,
  onConfirm,
  onClose,
}: {
  name: string;
  code: string;
  onConfirm: () => void;
  onClose: () => void;
}): JSX.Element {
  return (
    <Dialog
      role="alertdialog"
      title={`Verify ${name}`}
      description={`Ask ${name} to read the safety code on their screen. Mark verified only if every digit matches yours.`}
      onClose={onClose}
      icon={<Icon name="shield-check" size={22} />}
    >
      <div class="code-box">
        <span class="code-box-label">Your safety code with {name}</span>
        <SafetyCode code={code} large />
      </div>
      <div class="dialog-actions">
        <button type="button" class="button" data-autofocus onClick={onClose}>
          They differ
        </button>
        <button
          type="button"
          class="button button-primary"
          aria-label={`The codes match: mark ${name} verified`}
          onClick={() => {
            onConfirm();
            onClose();
          }}
        >
          They match
        </button>
      </div>
    </Dialog>
  );
}

/** After a key-changed warning: trusting the new key is a deliberate step. */
export function TrustKeyDialog({
  name,
  code,
  message,
  onConfirm,
  onClose,
}: {
  name: string;
  code: string;
  message: string | undefined;
  onConfirm: () => void;
  onClose: () => void;
}): JSX.Element {
  return (
    <Dialog
      role="alertdialog"
      class="trust-dialog"
      title={`${name}'s key changed`}
      description="This can mean they reinstalled meshcall, or that someone else is using their name. Compare the new safety code in person or by phone before trusting it."
      onClose={onClose}
      icon={<Icon name="shield-alert" size={22} />}
    >
      {message && <p class="warning-text">{message}</p>}
      <div class="code-box code-box-warning">
        <span class="code-box-label">New safety code</span>
        <SafetyCode code={code} large />
      </div>
      <div class="dialog-actions">
        <button type="button" class="button" data-autofocus onClick={onClose}>
          Not now
        </button>
        <button
          type="button"
          class="button button-warning"
          aria-label={`Trust ${name}'s new key`}
          onClick={() => {
            onConfirm();
            onClose();
          }}
        >
          Trust new key
        </button>
      </div>
    </Dialog>
  );
}
