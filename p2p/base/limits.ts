/** Limits shared by the wire formats; peers are untrusted, so every field has a bound. */
export { MAX_NAME_LENGTH } from '../../protocol/profile-api.js';
export const MAX_SDP_LENGTH = 16 * 1024;
export const MAX_CANDIDATE_LENGTH = 512;
export const MAX_CHAT_LENGTH = 4000;
export const MAX_MEMBERS = 16;
export const PROTOCOL_VERSION = 1;
