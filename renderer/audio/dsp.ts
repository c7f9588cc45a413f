/** The page's one door to the runtime-neutral voice DSP (protocol/audio). */
export { Concealer } from '../../protocol/audio/concealment.js';
export type { PlayoutSlot } from '../../protocol/audio/jitter-buffer.js';
export { JitterBuffer } from '../../protocol/audio/jitter-buffer.js';
export { SpeakingDetector, levelOf } from '../../protocol/audio/level.js';
