import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';
import { useT } from '../i18n/context.js';
import { Icon } from './Icon.js';

const FOCUSABLE = [
  'a[href]',
  'button:not([disabled])',
  'input:not([disabled]):not([type="hidden"])',
  'select:not([disabled])',
  'textarea:not([disabled])',
  '[tabindex]:not([tabindex="-1"])',
].join(',');

function focusables(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
    (element) => element.offsetParent !== null || element === document.activeElement,
  );
}

export interface DialogProps {
  title: ComponentChildren;
  /** Read by screen readers after the title. */
  description?: ComponentChildren;
  onClose: () => void;
  children?: ComponentChildren;
  /** Extra class on the dialog box. */
  class?: string;
  /** 'alertdialog' for questions that need an answer (invites, confirmations). */
  role?: 'dialog' | 'alertdialog';
  /** Shown left of the title. */
  icon?: ComponentChildren;
}

/**
 * A modal dialog: role="dialog" with aria-modal, focus moved in (to the element marked
 * data-autofocus, else the first control), Tab kept inside, Esc and a click outside close
 * it, focus goes back where it was on close.
 */
export function Dialog(props: DialogProps): JSX.Element {
  const { title, description, onClose, children, role = 'dialog', icon } = props;
  const box = useRef<HTMLDivElement>(null);
  const t = useT();
  const titleId = useId();
  const descriptionId = useId();
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    const root = box.current;
    if (!root) return;
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    // The control marked data-autofocus, else the dialog itself (Tab then walks its controls).
    (root.querySelector<HTMLElement>('[data-autofocus]') ?? root).focus();

    const onFocusIn = (event: FocusEvent): void => {
      if (event.target instanceof Node && !root.contains(event.target)) {
        (focusables(root)[0] ?? root).focus();
      }
    };
    document.addEventListener('focusin', onFocusIn);
    return () => {
      document.removeEventListener('focusin', onFocusIn);
      if (previous && previous.isConnected) previous.focus();
    };
  }, []);

  const onKeyDown = (event: KeyboardEvent): void => {
    const root = box.current;
    if (!root) return;
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close.current();
      return;
    }
    if (event.key !== 'Tab') return;
    const items = focusables(root);
    const first = items[0];
    const last = items.at(-1);
    if (!first || !last) {
      event.preventDefault();
      root.focus();
      return;
    }
    if (event.shiftKey && (document.activeElement === first || document.activeElement === root)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    <div
      class="dialog-backdrop"
      onMouseDown={(event) => {
        if (event.target === event.currentTarget) close.current();
      }}
    >
      <div
        ref={box}
        class={`dialog ${props.class ?? ''}`}
        role={role}
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={description ? descriptionId : undefined}
        tabIndex={-1}
        onKeyDown={onKeyDown}
      >
        <header class="dialog-header">
          {icon}
          <h2 id={titleId} class="dialog-title">
            {title}
          </h2>
          <button
            type="button"
            class="icon-button dialog-close"
            aria-label={t('dialog.close')}
            title={t('dialog.close.title')}

            onClick={() => close.current()}
          >
            <Icon name="close" size={18} />
          </button>
        </header>
        {description && (
          <p id={descriptionId} class="dialog-description">
            {description}
          </p>
        )}
        {children}
      </div>
    </div>
  );
}
