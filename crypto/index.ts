export { CryptoMisuseError, type CryptoMisuseCode } from './errors.js';
export {
  compareBytes,
  concatBytes,
  equalBytes,
  fromBase64,
  fromHex,
  fromUtf8,
  readU32BE,
  readU64BE,
  toBase64,
  toHex,
  utf8,
  writeU32BE,
  writeU64BE,
} from './bytes.js';
export { deriveKey, hmacSha512 } from './kdf.js';
export {
  fingerprint,
  generateIdentity,
  identityFromSeed,
  isPeerId,
  loadOrCreateIdentity,
  parseIdentity,
  peerIdFromPublicKey,
  serializeIdentity,
  type IdentityKeys,
  type TextFileIO,
} from './identity.js';
export {
  HandshakeInitiator,
  HandshakeResponder,
  type HandshakeFailure,
  type HandshakeInitiatorOptions,
  type HandshakeRejected,
  type HandshakeResponderOptions,
  type RandomSource,
  type SessionKeys,
} from './handshake.js';
export { HandshakeCookies, type HandshakeCookiesOptions } from './handshake-cookie.js';
export { COOKIE_LENGTH, isCookieMessage } from './handshake-wire.js';
export { ReplayWindow, type ReplayVerdict } from './replay-window.js';
export {
  Opener,
  SEAL_OVERHEAD,
  Sealer,
  peekKeyId,
  type OpenFailure,
  type OpenResult,
  type OpenStats,
} from './sealing.js';
export { safetyCode } from './safety-code.js';
export {
  KnownPeers,
  type KnownPeer,
  type KnownPeersOptions,
  type TrustStatus,
} from './known-peers.js';
export { namesConfusable, nameSkeletons } from './names.js';
export {
  currentPrimitives,
  naclPrimitives,
  setPrimitives,
  signDetached,
  verifyDetached,
  x25519,
  x25519Base,
  type Primitives,
} from './primitives.js';
export { signStatement, verifyStatement, type StatementKind } from './statements.js';
