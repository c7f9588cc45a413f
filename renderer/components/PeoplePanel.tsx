import type { JSX } from 'preact';
import type { MemberEventView } from '../../protocol/api.js';
import { useT } from '../i18n/context.js';
import { useStore } from '../state/store.js';
import { Avatar, SafetyCode, StatePill } from './bits.js';
import { Icon } from './Icon.js';
import { MemberVolume } from './MemberVolume.js';

export function PeoplePanel({
  onVerify,
  onTrustMember,
}: {
  onVerify: (member: MemberEventView) => void;
  onTrustMember: (member: MemberEventView) => void;
}): JSX.Element {
  const { state, send } = useStore();
  const t = useT();
  const call = state.call;
  const self = state.self;
  const hands = state.gestures.hands;
  // Raised hands first, in the order they went up; then everyone else in joining order.
  const queue = (peer: string): number => {
    const at = hands.indexOf(peer);
    return at === -1 ? hands.length : at;
  };
  const members = [...(call?.members ?? [])].sort((a, b) => queue(a.peer) - queue(b.peer));
  const handBadge = (peer: string): JSX.Element | null =>
    hands.includes(peer) ? (
      <span class="hand-badge">
        <Icon name="hand" size={14} />
        {t('hand.raised')}
      </span>
    ) : null;
  return (
    <div class="panel-body people">
      <div class="panel-intro">
        <h2 class="panel-title">
          {t('people.title')} <span class="count">{members.length + 1}</span>
        </h2>
        <p class="muted small">{t('people.intro')}</p>
      </div>
      <ul class="member-list" aria-label={t('people.list')}>
        {self && (
          <li class="member member-self">
            <Avatar id={self.id} name={self.name} />
            <div class="member-main">
              <div class="member-line">
                <span class="member-name">{self.name}</span>
                <span class="muted small">{t('people.you')}</span>
                {handBadge(self.id)}
              </div>
              <span class="muted small">
                {t('top.fingerprint', { fingerprint: self.fingerprint })}
              </span>
            </div>
          </li>
        )}
        {members.map((member) => {
          const keyChanged = state.peers[member.peer]?.trust === 'key-changed';
          return (
            <li key={member.peer} class="member" data-peer={member.peer}>
              <Avatar id={member.peer} name={member.name} />
              <div class="member-main">
                <div class="member-line">
                  <span class="member-name">{member.name}</span>
                  <StatePill state={member.state} />
                  {handBadge(member.peer)}
                </div>
                <div class="member-code">
                  <span class="member-code-label muted small">
                    {t('people.safetyCode.compare')}
                  </span>
                  <SafetyCode
                    code={member.safetyCode}
                    label={t('people.safetyCode', { name: member.name })}
                  />
                </div>
                <MemberVolume
                  peer={member.peer}
                  name={member.name}
                  muted={state.voice.membersMuted[member.peer] ?? false}
                />
                <div class="member-actions">
                  {keyChanged ? (
                    <button
                      type="button"
                      class="button button-warning button-small"
                      aria-label={t('trustKey.confirm.label', { name: member.name })}
                      onClick={() => onTrustMember(member)}
                    >
                      <Icon name="shield-alert" size={15} />
                      {t('trustKey.confirm')}
                    </button>
                  ) : member.verified ? (
                    <>
                      <span class="verified-label" title={t('trust.verified.help')}>
                        <Icon name="shield-check" size={15} />
                        {t('trust.verified')}
                      </span>
                      <button
                        type="button"
                        class="button button-small button-ghost"
                        aria-label={t('people.unverify.label', { name: member.name })}
                        onClick={() => send({ cmd: 'verify', peer: member.peer, verified: false })}
                      >
                        {t('people.unverify')}
                      </button>
                    </>
                  ) : (
                    <button
                      type="button"
                      class="button button-small"
                      aria-label={t('people.markVerified.label', { name: member.name })}
                      onClick={() => onVerify(member)}
                    >
                      <Icon name="shield-check" size={15} />
                      {t('people.markVerified')}
                    </button>
                  )}
                </div>
              </div>
            </li>
          );
        })}
      </ul>
      {members.length === 0 && <p class="muted small empty-inline">{t('people.empty')}</p>}
    </div>
  );
}
