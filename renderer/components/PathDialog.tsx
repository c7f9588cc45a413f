/**
 * A dialog that asks for a file's path on this computer: the browser gives a page no path
 * for a picked file, and the node (on this same machine) needs one. Used where a desktop
 * app would show the system's file dialog: a video source, a film to watch together.
 */
import type { ComponentChildren, JSX } from 'preact';
import { useId, useState } from 'preact/hooks';
import { useI18n } from '../i18n/context.js';
import { Dialog } from './Dialog.js';

export function PathDialog({
  title,
  description,
  label,
  placeholder,
  submit,
  formClass,
  onUse,
  onClose,
  children,
}: {
  title: string;
  description: string;
  label: string;
  placeholder: string;
  /** The submit button's text. */
  submit: string;
  formClass?: string;
  /** The trimmed path; the dialog closes after it. */
  onUse: (path: string) => void;
  onClose: () => void;
  /** Notes under the field. */
  children?: ComponentChildren;
}): JSX.Element {
  const { t } = useI18n();
  const [path, setPath] = useState('');
  const fieldId = useId();
  return (
    <Dialog title={title} description={description} onClose={onClose}>
      <form
        class={formClass}
        onSubmit={(event) => {
          event.preventDefault();
          const file = path.trim();
          if (!file) return;
          onUse(file);
          onClose();
        }}
      >
        <label class="field" for={fieldId}>
          <span class="field-label">{label}</span>
          <input
            id={fieldId}
            class="input"
            type="text"
            data-autofocus
            spellcheck={false}
            autocomplete="off"
            placeholder={placeholder}
            value={path}
            onInput={(event) => setPath(event.currentTarget.value)}
          />
        </label>
        {children}
        <div class="dialog-actions">
          <button type="button" class="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" class="button button-primary" disabled={path.trim() === ''}>
            {submit}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
