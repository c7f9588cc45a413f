/** Small presentational pieces shared by the panels and tiles. */
import type { ComponentChildren, JSX } from 'preact';
import type { MemberEventView, TrustState } from '../../protocol/api.js';
import type { MessageId } from '../i18n/catalog.js';
import { useT } from '../i18n/context.js';
import { codeGroups, hueOf, initials } from '../lib/format.js';
import type { IconName } from './Icon.js';
import { Icon } from './Icon.js';

export function Avatar({
  id,
  name,
  size = 'md',
}: {
  id: string;
  name: string;
  size?: 'sm' | 'md' | 'lg' | 'xl';
}): JSX.Element {
  return (
    <span class={`avatar avatar-${size} hue-${Math.floor(hueOf(id) / 30)}`} aria-hidden="true">
      {initials(name)}
    </span>
  );
}

const TRUST_LABELS: Record<TrustState, MessageId> = {
  new: 'trust.new',
  known: 'trust.known',
  verified: 'trust.verified',
  'key-changed': 'trust.keyChanged',
};

const TRUST_HELP: Record<TrustState, MessageId> = {
  new: 'trust.new.help',
  known: 'trust.known.help',
  verified: 'trust.verified.help',
  'key-changed': 'trust.keyChanged.help',
};

/**
 * aria-description (ARIA 1.3): the explanation a tooltip gives by mouse, for screen readers.
 * Preact's attribute types do not know it yet, hence a spread.
 */
export function described(text: string): Record<string, string> {
  return { 'aria-description': text };
}

/** A peer's trust, with what it means as tooltip and accessible description. */
export function TrustBadge({ trust }: { trust: TrustState }): JSX.Element {
  const t = useT();
  return (
    <span
      class={`badge trust-${trust}`}
      title={t(TRUST_HELP[trust])}
      {...described(t(TRUST_HELP[trust]))}
    >
      {trust === 'verified' && <Icon name="shield-check" size={13} />}
      {trust === 'key-changed' && <Icon name="shield-alert" size={13} />}
      {t(TRUST_LABELS[trust])}
    </span>
  );
}

/** The safety code in groups, for reading aloud. */
export function SafetyCode({
  code,
  label,
  large = false,
}: {
  code: string;
  label?: string;
  large?: boolean;
}): JSX.Element {
  const t = useT();
  return (
    <span
      class={`safety-code${large ? ' safety-code-large' : ''}`}
      title={t('people.safetyCode.compare')}
      aria-label={t('safetyCode.aria', { label: label ?? t('safetyCode.label'), code })}
    >
      {codeGroups(code).map((group, index) => (
        <span key={index} class="code-group">
          {group}
        </span>
      ))}
    </span>
  );
}

export const STATE_LABELS: Record<MemberEventView['state'], MessageId> = {
  connecting: 'member.connecting',
  connected: 'member.connected',
  reconnecting: 'member.reconnecting',
  left: 'member.left',
};

export function StatePill({ state }: { state: MemberEventView['state'] }): JSX.Element {
  const t = useT();
  return <span class={`pill state-${state}`}>{t(STATE_LABELS[state])}</span>;
}

export function Kbd({ children }: { children: string }): JSX.Element {
  return <kbd class="kbd">{children}</kbd>;
}

/**
 * A toolbar button: an icon, an optional caption, and one accessible name (the title repeats
 * it unless a shorter tooltip is given).
 */
export function ToolButton({
  class: className,
  icon,
  label,
  title,
  caption,
  pressed,
  onClick,
  children,
}: {
  class: string;
  icon: IconName;
  label: string;
  title?: string;
  caption?: string;
  pressed?: boolean;
  onClick: () => void;
  children?: ComponentChildren;
}): JSX.Element {
  return (
    <button
      type="button"
      class={className}
      aria-label={label}
      title={title ?? label}
      {...(pressed === undefined ? {} : { 'aria-pressed': pressed })}
      onClick={onClick}
    >
      <Icon name={icon} />
      {caption && <span class="control-label">{caption}</span>}
      {children}
    </button>
  );
}

/** A row of choices, one of them on (a radio group drawn as joined buttons). */
export function Segmented<T extends string | number>({
  label,
  options,
  value,
  onChange,
  format = String,
}: {
  label: string;
  options: readonly T[];
  value: T | undefined;
  onChange: (value: T) => void;
  format?: (value: T) => string;
}): JSX.Element {
  return (
    <div class="segmented" role="radiogroup" aria-label={label}>
      {options.map((option) => (
        <button
          key={String(option)}
          type="button"
          role="radio"
          aria-checked={option === value}
          class={`segment ${option === value ? 'segment-active' : ''}`}
          onClick={() => onChange(option)}
        >
          {format(option)}
        </button>
      ))}
    </div>
  );
}

/** An on/off switch: its label names the setting, `aria-checked` says its state. */
export function Switch({
  on,
  label,
  onChange,
  setting,
}: {
  on: boolean;
  label: string;
  onChange: (on: boolean) => void;
  /** `data-setting`, for tests and styles that pick one switch. */
  setting?: string;
}): JSX.Element {
  return (
    <button
      type="button"
      role="switch"
      class={`switch ${on ? 'switch-on' : ''}`}
      aria-checked={on}
      aria-label={label}
      data-setting={setting}
      onClick={() => onChange(!on)}
    >
      <span class="switch-thumb" />
    </button>
  );
}
