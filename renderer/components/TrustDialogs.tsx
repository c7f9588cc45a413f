import type { ComponentChildren, JSX } from 'preact';
import { useState } from 'preact/hooks';
import { useT } from '../i18n/context.js';
import { SafetyCode } from './bits.js';
import { Dialog } from './Dialog.js';
import { StayOrLeave } from './LeaveDialog.js';
import type { IconName } from './Icon.js';
import { Icon } from './Icon.js';

interface CodeDialogProps {
  name: string;
  code: string;
  onConfirm: () => void;
  onClose: () => void;
}

/**
 * A safety code to compare and a yes/no answer. Declining is the focused, harmless default:
 * both questions it asks (do the codes match? trust a changed key?) must be a deliberate yes.
 */
function CodeComparisonDialog({
  title,
  description,
  icon,
  class: className,
  codeLabel,
  warning,
  before,
  decline,
  confirm,
  confirmLabel,
  code,
  onConfirm,
  onDecline,
  onClose,
}: Omit<CodeDialogProps, 'name'> & {
  /** Declining does more than close (default: it only closes). */
  onDecline?: (() => void) | undefined;
  title: string;
  description: string;
  icon: IconName;
  class?: string;
  codeLabel: ComponentChildren;
  warning: boolean;
  before?: ComponentChildren;
  decline: string;
  confirm: string;
  confirmLabel: string;
}): JSX.Element {
  return (
    <Dialog
      role="alertdialog"
      {...(className ? { class: className } : {})}
      title={title}
      description={description}
      onClose={onClose}
      icon={<Icon name={icon} size={22} />}
    >
      {before}
      <div class={warning ? 'code-box code-box-warning' : 'code-box'}>
        <span class="code-box-label">{codeLabel}</span>
        <SafetyCode code={code} large />
      </div>
      <div class="dialog-actions">
        <button type="button" class="button" data-autofocus onClick={onDecline ?? onClose}>
          {decline}
        </button>
        <button
          type="button"
          class={warning ? 'button button-warning' : 'button button-primary'}
          aria-label={confirmLabel}
          onClick={() => {
            onConfirm();
            onClose();
          }}
        >
          {confirm}
        </button>
      </div>
    </Dialog>
  );
}

/**
 * Confirms "Mark verified" after comparing the safety code aloud. Codes that differ are no
 * dead end: the dialog says what that can mean and offers to leave the call.
 */
export function VerifyDialog({
  name,
  onLeave,
  ...rest
}: CodeDialogProps & { onLeave: () => void }): JSX.Element {
  const t = useT();
  const [differ, setDiffer] = useState(false);
  if (differ) {
    return (
      <Dialog
        role="alertdialog"
        class="trust-dialog"
        title={t('verify.differ.title')}
        description={t('verify.differ.description', { name })}
        onClose={rest.onClose}
        icon={<Icon name="shield-alert" size={22} />}
      >
        <p class="warning-text">{t('verify.differ.advice', { name })}</p>
        <StayOrLeave
          stay={t('verify.differ.stay')}
          leave={t('verify.differ.leave')}
          onLeave={onLeave}
          onClose={rest.onClose}
        />
      </Dialog>
    );
  }
  return (
    <CodeComparisonDialog
      {...rest}
      onDecline={() => setDiffer(true)}
      title={t('verify.title', { name })}
      description={t('verify.description', { name })}
      icon="shield-check"
      codeLabel={t('verify.code', { name })}
      warning={false}
      decline={t('verify.differ')}
      confirm={t('verify.match')}
      confirmLabel={t('verify.match.label', { name })}
    />
  );
}

/** After a key-changed warning: trusting the new key is a deliberate step. */
export function TrustKeyDialog({
  name,
  message,
  ...rest
}: CodeDialogProps & { message: string | undefined }): JSX.Element {
  const t = useT();
  return (
    <CodeComparisonDialog
      {...rest}
      class="trust-dialog"
      title={t('toast.keyChanged', { name })}
      description={t('trustKey.description')}
      icon="shield-alert"
      codeLabel={t('trustKey.code')}
      warning
      before={message && <p class="warning-text">{message}</p>}
      decline={t('trustKey.notNow')}
      confirm={t('trustKey.confirm')}
      confirmLabel={t('trustKey.confirm.label', { name })}
    />
  );
}
