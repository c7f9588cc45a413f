import { Switch } from './bits.js';
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { MicSettings } from '../audio/settings.js';
import { meterPercent } from '../audio/settings.js';
import { useMicLevel, useMicStatus } from '../hooks/useVoice.js';
import type { MessageId } from '../i18n/catalog.js';
import { useI18n, useT } from '../i18n/context.js';
import { useStore } from '../state/store.js';

interface Devices {
  inputs: MediaDeviceInfo[];
  outputs: MediaDeviceInfo[];
}

/** The devices the browser lists (names only once the microphone was allowed). */
function useDevices(refreshKey: string): Devices {
  const [devices, setDevices] = useState<Devices>({ inputs: [], outputs: [] });
  useEffect(() => {
    const media = navigator.mediaDevices as MediaDevices | undefined;
    if (!media) return;
    let live = true;
    const load = (): void => {
      void media
        .enumerateDevices()
        .then((all) => {
          if (!live) return;
          setDevices({
            inputs: all.filter((d) => d.kind === 'audioinput' && d.deviceId !== 'default'),
            outputs: all.filter((d) => d.kind === 'audiooutput' && d.deviceId !== 'default'),
          });
        })
        .catch(() => undefined);
    };
    load();
    media.addEventListener('devicechange', load);
    return () => {
      live = false;
      media.removeEventListener('devicechange', load);
    };
  }, [refreshKey]);
  return devices;
}

function DevicePicker({
  label,
  devices,
  value,
  onChange,
}: {
  label: string;
  devices: MediaDeviceInfo[];
  value: string;
  onChange: (deviceId: string) => void;
}): JSX.Element {
  const t = useT();
  return (
    <label class="field">
      <span class="field-label">{label}</span>
      <select class="input" value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{t('sound.systemDefault')}</option>
        {devices.map((device, i) => (
          <option key={device.deviceId} value={device.deviceId}>
            {device.label || t('sound.device', { device: label, number: i + 1 })}
          </option>
        ))}
      </select>
    </label>
  );
}

const PROCESSING: readonly { key: keyof Omit<MicSettings, 'inputDevice'>; label: MessageId }[] = [
  { key: 'echoCancellation', label: 'sound.echo' },
  { key: 'noiseSuppression', label: 'sound.noise' },
  { key: 'autoGainControl', label: 'sound.gain' },
];

/** Microphone, speakers, the browser's voice processing, and a live level meter. */
export function VoiceSettings(): JSX.Element {
  const { voice } = useStore();
  const { t, text } = useI18n();
  const status = useMicStatus(voice);
  const level = useMicLevel(voice);
  const [settings, setSettings] = useState(voice.micSettings);
  const [output, setOutput] = useState(voice.outputDevice);
  const devices = useDevices(status.state);
  const update = (next: MicSettings): void => {
    setSettings(next);
    voice.setMicSettings(next);
  };
  const percent = status.state === 'on' ? meterPercent(level) : 0;
  return (
    <section class="setting voice-settings" aria-label={t('sound.title')}>
      <h3 class="section-title">{t('sound.title')}</h3>
      <DevicePicker
        label={t('sound.microphone')}
        devices={devices.inputs}
        value={settings.inputDevice}
        onChange={(inputDevice) => update({ ...settings, inputDevice })}
      />
      <div
        class="mic-meter"
        role="meter"
        aria-label={t('sound.level')}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
      >
        <span class="mic-meter-fill" style={{ width: `${percent}%` }} />
      </div>
      {status.state === 'error' && (
        <p class="field-error" role="alert">
          {text(status.message)}{' '}
          <button type="button" class="button button-small" onClick={() => voice.retryMic()}>
            {t('mic.retry')}
          </button>
        </p>
      )}
      {status.state === 'starting' && <p class="muted small">{t('sound.asking')}</p>}
      <DevicePicker
        label={t('sound.speakers')}
        devices={devices.outputs}
        value={output}
        onChange={(deviceId) => {
          setOutput(deviceId);
          void voice.setOutputDevice(deviceId);
        }}
      />
      {PROCESSING.map(({ key, label }) => (
        <div class="setting-row" key={key}>
          <span>{t(label)}</span>
          <Switch
            on={settings[key]}
            label={t(label)}
            onChange={(next) => update({ ...settings, [key]: next })}
          />
        </div>
      ))}
    </section>
  );
}
