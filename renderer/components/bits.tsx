/** Small presentational pieces shared by the panels and tiles. */
import type { ComponentChildren, JSX } from 'preact';
import type { MemberEventView, TrustState } from '../../protocol/api.js';
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

const TRUST_LABELS: Record<TrustState, string> = {
  new: 'New',
  known: 'Known',
  verified: 'Verified',
  'key-changed': 'Key changed',
};

const TRUST_HELP: Record<TrustState, string> = {
  new: 'First time seen: compare the safety code before trusting',
  known: 'Seen before with the same key',
  verified: 'You compared safety codes and marked this peer verified',
  'key-changed': 'This peer now has a different key than before: it may not be who it claims',
};

export function TrustBadge({ trust }: { trust: TrustState }): JSX.Element {
  return (
    <span class={`badge trust-${trust}`} title={TRUST_HELP[trust]}>
      {trust === 'verified' && <Icon name="shield-check" size={13} />}
      {trust === 'key-changed' && <Icon name="shield-alert" size={13} />}
      {TRUST_LABELS[trust]}
    </span>
  );
}

/** The safety code in groups, for reading aloud. */
export function SafetyCode({
  code,
  label = 'Safety code',
  large = false,
}: {
  code: string;
  label?: string;
  large?: boolean;
}): JSX.Element {
  return (
    <span
      class={`safety-code${large ? ' safety-code-large' : ''}`}
      aria-label={`${label}: ${code}`}
    >
      {codeGroups(code).map((group, index) => (
        <span key={index} class="code-group">
          {group}
        </span>
      ))}
    </span>
  );
}

const STATE_LABELS: Record<MemberEventView['state'], string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  left: 'Left',
};

export function StatePill({ state }: { state: MemberEventView['state'] }): JSX.Element {
  return <span class={`pill state-${state}`}>{STATE_LABELS[state]}</span>;
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
