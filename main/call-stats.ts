import type { Call } from '../p2p/call/call.js';
import type { MemberAudioStats } from '../p2p/call/call-media.js';
import type { MemberAudioStatsView } from '../protocol/api.js';
import type { EventBody } from './api-reports.js';

const round = (value: number): number => Math.round(value * 10) / 10;
const roundOrNull = (value: number | null): number | null => (value === null ? null : round(value));

function audioView(audio: MemberAudioStats): MemberAudioStatsView {
  return {
    packets: audio.packets,
    lost: audio.lost,
    concealedMs: Math.round(audio.concealedMs),
    jitterMs: round(audio.jitterMs),
    bufferMs: round(audio.bufferMs),
    level: audio.level,
    speaking: audio.speaking,
    delayP50Ms: roundOrNull(audio.delayP50Ms),
    delayP95Ms: roundOrNull(audio.delayP95Ms),
  };
}

/** The call's media figures as the once-a-second `stats` event shows them. */
export function statsEvent(call: Pick<Call, 'id' | 'mediaStats'>): EventBody<'stats'> {
  const { sending, members } = call.mediaStats();
  return {
    call: call.id,
    sending: {
      fps: round(sending.fps),
      kbps: round(sending.kbps),
      quality: sending.quality,
      scale: sending.scale,
      width: sending.width,
      height: sending.height,
      skipped: sending.skipped,
      keyId: sending.keyId,
      keyframesForced: sending.keyframesForced,
      layers: sending.layers,
      audio: {
        packets: sending.audio.packets,
        kbps: round(sending.audio.kbps),
        muted: sending.audio.muted,
      },
    },
    members: members.map((member) => ({
      peer: member.peer,
      fps: round(member.fps),
      kbps: round(member.kbps),
      latencyP50Ms: roundOrNull(member.latencyP50Ms),
      latencyP95Ms: roundOrNull(member.latencyP95Ms),
      received: member.received,
      lost: member.lost,
      rejected: member.rejected,
      width: member.width,
      height: member.height,
      codec: member.codec,
      layer: member.layer,
      keyframesRequested: member.keyframesRequested,
      undecodable: member.undecodable,
      rttMs: member.rttMs,
      overBudget: member.overBudget,
      audio: audioView(member.audio),
    })),
  };
}
