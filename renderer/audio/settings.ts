/** The voice settings this page remembers (localStorage): devices, processing, volumes. */
import { SILENT_LEVEL } from '../../protocol/audio/voice-packet.js';
import { readSetting, writeSetting } from '../lib/storage.js';

export interface MicSettings {
  /** '' for the system default. */
  inputDevice: string;
  echoCancellation: boolean;
  noiseSuppression: boolean;
  autoGainControl: boolean;
}

const PREFIX = 'meshcall.voice.';
export const MIN_VOLUME = 0;
/** Up to twice as loud as sent: a quiet member can be brought up, locally only. */
export const MAX_VOLUME = 2;

function flag(name: string): boolean {
  // On unless switched off: the browser's processing is what makes a call sound right.
  return readSetting(PREFIX + name) !== 'off';
}

export function loadMicSettings(): MicSettings {
  return {
    inputDevice: readSetting(`${PREFIX}input`) ?? '',
    echoCancellation: flag('echoCancellation'),
    noiseSuppression: flag('noiseSuppression'),
    autoGainControl: flag('autoGainControl'),
  };
}

export function saveMicSettings(settings: MicSettings): void {
  writeSetting(`${PREFIX}input`, settings.inputDevice || null);
  for (const name of ['echoCancellation', 'noiseSuppression', 'autoGainControl'] as const) {
    writeSetting(PREFIX + name, settings[name] ? null : 'off');
  }
}

export function loadOutputDevice(): string {
  return readSetting(`${PREFIX}output`) ?? '';
}

export function saveOutputDevice(deviceId: string): void {
  writeSetting(`${PREFIX}output`, deviceId || null);
}

/** A clamped volume from anything stored or typed; 1 when there is none. */
export function clampVolume(value: unknown): number {
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) return 1;
  return Math.min(MAX_VOLUME, Math.max(MIN_VOLUME, number));
}

export function loadVolume(peer: string): number {
  const stored = readSetting(`${PREFIX}volume.${peer}`);
  return stored === null ? 1 : clampVolume(stored);
}

export function saveVolume(peer: string, volume: number): void {
  writeSetting(`${PREFIX}volume.${peer}`, volume === 1 ? null : String(clampVolume(volume)));
}

/** A level (0 loud … 127 silent) as 0 … 100 on a meter that shows the top 60 dB. */
export function meterPercent(level: number): number {
  const db = -Math.min(SILENT_LEVEL, Math.max(0, level));
  return Math.round(Math.max(0, Math.min(1, (db + 60) / 60)) * 100);
}
