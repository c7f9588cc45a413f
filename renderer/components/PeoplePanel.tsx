import type { JSX } from 'preact';
import type { MemberEventView } from '../../protocol/api.js';
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
  const { state } = useStore();
  const call = state.call;
  const self = state.self;
  const members = call?.members ?? [];
  return (
    <div class="panel-body people">
      <div class="panel-intro">
        <h2 class="panel-title">
          In the call <span class="count">{members.length + 1}</span>
        </h2>
        <p class="muted small">
          Read your safety codes to each other. If they match on both screens, nobody is in the
          middle: mark them verified.
        </p>
      </div>
      <ul class="member-list" aria-label="Participants">
        {self && (
          <li class="member member-self">
            <Avatar id={self.id} name={self.name} />
            <div class="member-main">
              <div class="member-line">
                <span class="member-name">{self.name}</span>
                <span class="muted small">You</span>
              </div>
              <span class="muted small">Key fingerprint {self.fingerprint}</span>
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
                </div>
                <SafetyCode code={member.safetyCode} label={`Safety code with ${member.name}`} />
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
                      aria-label={`Trust ${member.name}'s new key`}
                      onClick={() => onTrustMember(member)}
                    >
                      <Icon name="shield-alert" size={15} />
                      Trust new key
                    </button>
                  ) : member.verified ? (
                    <span class="verified-label">
                      <Icon name="shield-check" size={15} />
                      Verified
                    </span>
                  ) : (
                    <button
                      type="button"
                      class="button button-small"
                      aria-label={`Mark ${member.name} verified`}
                      onClick={() => onVerify(member)}
                    >
                      <Icon name="shield-check" size={15} />
                      Mark verified
                    </button>
                  )}
                </div>
              </div>
            </li>
          );
        })}
      </ul>
      {members.length === 0 && (
        <p class="muted small empty-inline">Nobody else yet. Invite people from the Nearby tab.</p>
      )}
    </div>
  );
}
