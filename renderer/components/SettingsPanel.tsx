import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ThemeChoice } from '../hooks/useTheme.js';
import type { NotificationState } from '../hooks/useNotifications.js';
import type { SourceKind } from '../lib/format.js';
import { describeSource, parseSource } from '../lib/format.js';
import { useStore } from '../state/store.js';
import { VoiceSettings } from './VoiceSettings.js';

const RESOLUTIONS = ['320x240', '640x480', '1280x720'] as const;
const FRAME_RATES = [15, 30] as const;

function Segmented<T extends string | number>({
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

/** One radio of the source picker; a camera's number field sits inside its label. */
function SourceChoice({
  value,
  label,
  current,
  onPick,
  children,
}: {
  value: SourceKind;
  label: string;
  current: SourceKind;
  onPick: (kind: SourceKind) => void;
  children?: ComponentChildren;
}): JSX.Element {
  return (
    <label class="radio">
      <input
        type="radio"
        name="source"
        value={value}
        checked={current === value}
        onChange={() => onPick(value)}
      />
      <span>{label}</span>
      {children}
    </label>
  );
}

function SourceForm(): JSX.Element {
  const { state, send } = useStore();
  const current = state.media?.source ?? 'pattern';
  const [kind, setKind] = useState<SourceKind>(() => parseSource(current).kind);
  const [camera, setCamera] = useState(() => String(parseSource(current).camera));
  const [path, setPath] = useState(() => parseSource(current).path);

  useEffect(() => {
    const parsed = parseSource(current);
    setKind(parsed.kind);
    setCamera(String(parsed.camera));
    setPath(parsed.path);
  }, [current]);

  const wanted =
    kind === 'pattern' ? 'pattern' : kind === 'camera' ? `camera:${camera.trim()}` : `file:${path}`;
  const valid =
    kind === 'pattern' ||
    (kind === 'camera' && /^\d{1,2}$/.test(camera.trim())) ||
    (kind === 'file' && path.trim().length > 0);

  return (
    <form
      class="source-form"
      aria-label="Video source"
      onSubmit={(event) => {
        event.preventDefault();
        if (valid) send({ cmd: 'set-source', source: wanted });
      }}
    >
      <fieldset class="fieldset">
        <legend class="section-title">Source</legend>
        <p class="muted small">Now: {describeSource(current)}</p>
        <SourceChoice value="camera" label="Camera" current={kind} onPick={setKind}>
          <input
            class="input input-inline"
            type="number"
            min={0}
            max={99}
            aria-label="Camera number"
            value={camera}
            disabled={kind !== 'camera'}
            onInput={(event) => setCamera(event.currentTarget.value)}
          />
        </SourceChoice>
        <SourceChoice value="file" label="Video file" current={kind} onPick={setKind} />
        {kind === 'file' && (
          <input
            class="input"
            type="text"
            placeholder="/home/you/Videos/clip.avi"
            aria-label="Video file path"
            value={path}
            spellcheck={false}
            onInput={(event) => setPath(event.currentTarget.value)}
          />
        )}
        <SourceChoice value="pattern" label="Test pattern" current={kind} onPick={setKind} />
        <button
          type="submit"
          class="button button-small"
          aria-label="Use this video source"
          disabled={!valid || wanted === current}
        >
          Use this source
        </button>
      </fieldset>
    </form>
  );
}

export function SettingsPanel({
  theme,
  onTheme,
  notifications,
  onEnableNotifications,
}: {
  theme: ThemeChoice;
  onTheme: (choice: ThemeChoice) => void;
  notifications: NotificationState;
  onEnableNotifications: () => void;
}): JSX.Element {
  const { state, send } = useStore();
  const media = state.media;
  const resolution = media ? `${media.width}x${media.height}` : undefined;
  const enabled = media?.enabled ?? true;
  return (
    <div class="panel-body settings">
      <div class="panel-intro">
        <h2 class="panel-title">Settings</h2>
      </div>
      <section class="setting">
        <div class="setting-row">
          <div>
            <h3 class="section-title">Video</h3>
            <p class="muted small">{enabled ? 'Others see you.' : 'Nobody sees you.'}</p>
          </div>
          <button
            type="button"
            role="switch"
            class={`switch ${enabled ? 'switch-on' : ''}`}
            aria-checked={enabled}
            aria-label="Video on"
            onClick={() => send({ cmd: 'video', enabled: !enabled })}
          >
            <span class="switch-thumb" />
          </button>
        </div>
      </section>
      <VoiceSettings />
      <section class="setting">
        <SourceForm />
      </section>
      <section class="setting">
        <h3 class="section-title">Resolution</h3>
        <Segmented
          label="Resolution"
          options={RESOLUTIONS}
          value={RESOLUTIONS.find((option) => option === resolution)}
          format={(value) => value.replace('x', ' × ')}
          onChange={(value) => send({ cmd: 'set-video', resolution: value })}
        />
        <h3 class="section-title">Frame rate</h3>
        <Segmented
          label="Frame rate"
          options={FRAME_RATES}
          value={FRAME_RATES.find((option) => option === media?.fps)}
          format={(value) => `${value} fps`}
          onChange={(value) => send({ cmd: 'set-video', fps: value })}
        />
      </section>
      <section class="setting">
        <h3 class="section-title">Appearance</h3>
        <Segmented<ThemeChoice>
          label="Theme"
          options={['system', 'light', 'dark']}
          value={theme}
          format={(value) => (value === 'system' ? 'System' : value === 'light' ? 'Light' : 'Dark')}
          onChange={onTheme}
        />
      </section>
      <section class="setting">
        <h3 class="section-title">Notifications</h3>
        {notifications === 'granted' && (
          <p class="muted small">
            Invites show a desktop notification when meshcall is not in front.
          </p>
        )}
        {notifications === 'denied' && (
          <p class="muted small">
            Blocked. Allow notifications for this page in the browser to get them.
          </p>
        )}
        {notifications === 'unsupported' && <p class="muted small">Not available here.</p>}
        {notifications === 'default' && (
          <button
            type="button"
            class="button button-small"
            aria-label="Allow desktop notifications for invites"
            onClick={onEnableNotifications}
          >
            Allow notifications for invites
          </button>
        )}
      </section>
      {state.self && (
        <section class="setting about">
          <h3 class="section-title">This computer</h3>
          <dl class="facts">
            <dt>Name</dt>
            <dd>{state.self.name}</dd>
            <dt>Key fingerprint</dt>
            <dd class="mono">{state.self.fingerprint}</dd>
            <dt>Port</dt>
            <dd class="mono">{state.self.port}</dd>
          </dl>
        </section>
      )}
    </div>
  );
}
