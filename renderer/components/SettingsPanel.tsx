import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ThemeChoice } from '../hooks/useTheme.js';
import type { NotificationState } from '../hooks/useNotifications.js';
import type { SourceKind } from '../lib/format.js';
import { describeSource, parseSource } from '../lib/format.js';
import { useI18n } from '../i18n/context.js';
import { isLocale, LOCALE_NAMES, LOCALES } from '../i18n/locales.js';

import { useStore } from '../state/store.js';
import { NameSetting } from './NameSetting.js';
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
  const { t, text } = useI18n();
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
      aria-label={t('source.label')}
      onSubmit={(event) => {
        event.preventDefault();
        if (valid) send({ cmd: 'set-source', source: wanted });
      }}
    >
      <fieldset class="fieldset">
        <legend class="section-title">{t('source.title')}</legend>
        <p class="muted small">{t('source.now', { source: text(describeSource(current)) })}</p>
        <SourceChoice value="camera" label={t('source.camera')} current={kind} onPick={setKind}>
          <input
            class="input input-inline"
            type="number"
            min={0}
            max={99}
            aria-label={t('source.camera.input')}
            value={camera}
            disabled={kind !== 'camera'}
            onInput={(event) => setCamera(event.currentTarget.value)}
          />
        </SourceChoice>
        <SourceChoice value="file" label={t('source.file')} current={kind} onPick={setKind} />
        {kind === 'file' && (
          <input
            class="input"
            type="text"
            placeholder={t('source.file.placeholder')}
            aria-label={t('source.file.input')}
            value={path}
            spellcheck={false}
            onInput={(event) => setPath(event.currentTarget.value)}
          />
        )}
        <SourceChoice value="pattern" label={t('source.pattern')} current={kind} onPick={setKind} />
        <button
          type="submit"
          class="button button-small"
          aria-label={t('source.use.label')}
          disabled={!valid || wanted === current}
        >
          {t('source.use')}
        </button>
      </fieldset>
    </form>
  );
}

/** Where a friend can add us by hand when the network blocks discovery (Nearby → Add). */
function ThisComputer(): JSX.Element | null {
  const { state } = useStore();
  const { t } = useI18n();
  const self = state.self;
  if (!self) return null;
  const addresses = self.addresses ?? [];
  return (
    <section class="setting" aria-labelledby="this-computer">
      <h3 class="section-title" id="this-computer">
        {t('settings.thisComputer')}
      </h3>
      <p class="muted small">{t('settings.thisComputer.intro')}</p>
      <dl class="this-computer">
        <dt>{t('settings.thisComputer.addresses')}</dt>
        <dd data-self-addresses>
          {addresses.length > 0 ? addresses.join(', ') : t('settings.thisComputer.noAddress')}
        </dd>
        <dt>{t('add.port')}</dt>
        <dd data-self-port>{self.port}</dd>
      </dl>
    </section>
  );
}

/** The interface language: the browser's ("Automatic") or one picked here, kept like the theme. */
function LanguagePicker(): JSX.Element {
  const { t, choice, setChoice } = useI18n();
  return (
    <label class="field">
      <span class="field-label">{t('settings.language')}</span>
      <select
        class="input"
        data-setting="language"
        value={choice}
        onChange={(event) => {
          const value = event.currentTarget.value;
          setChoice(isLocale(value) ? value : 'system');
        }}
      >
        <option value="system">{t('settings.language.system')}</option>
        {LOCALES.map((locale) => (
          <option key={locale} value={locale} lang={locale}>
            {LOCALE_NAMES[locale]}
          </option>
        ))}
      </select>
    </label>
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
  const { t } = useI18n();

  const media = state.media;
  const resolution = media ? `${media.width}x${media.height}` : undefined;
  const enabled = media?.enabled ?? true;
  return (
    <div class="panel-body settings">
      <div class="panel-intro">
        <h2 class="panel-title">{t('settings.title')}</h2>
      </div>
      <NameSetting />
      <section class="setting">
        <div class="setting-row">
          <div>
            <h3 class="section-title">{t('settings.video')}</h3>
            <p class="muted small">{enabled ? t('settings.video.on') : t('settings.video.off')}</p>
          </div>
          <button
            type="button"
            role="switch"
            class={`switch ${enabled ? 'switch-on' : ''}`}
            aria-checked={enabled}
            aria-label={t('settings.video.switch')}
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
        <h3 class="section-title">{t('settings.resolution')}</h3>
        <Segmented
          label={t('settings.resolution')}
          options={RESOLUTIONS}
          value={RESOLUTIONS.find((option) => option === resolution)}
          format={(value) => value.replace('x', ' × ')}
          onChange={(value) => send({ cmd: 'set-video', resolution: value })}
        />
        <h3 class="section-title">{t('settings.fps')}</h3>
        <Segmented
          label={t('settings.fps')}
          options={FRAME_RATES}
          value={FRAME_RATES.find((option) => option === media?.fps)}
          format={(value) => t('unit.fps', { value })}
          onChange={(value) => send({ cmd: 'set-video', fps: value })}
        />
      </section>
      <section class="setting">
        <h3 class="section-title">{t('settings.appearance')}</h3>
        <Segmented<ThemeChoice>
          label={t('settings.theme')}
          options={['system', 'light', 'dark']}
          value={theme}
          format={(value) => t(`settings.theme.${value}`)}
          onChange={onTheme}
        />
        <LanguagePicker />
      </section>
      <ThisComputer />
      <section class="setting">
        <h3 class="section-title">{t('settings.notifications')}</h3>
        {notifications === 'granted' && (
          <p class="muted small">{t('settings.notifications.granted')}</p>
        )}
        {notifications === 'denied' && (
          <p class="muted small">{t('settings.notifications.denied')}</p>
        )}
        {notifications === 'unsupported' && (
          <p class="muted small">{t('settings.notifications.unsupported')}</p>
        )}
        {notifications === 'default' && (
          <button
            type="button"
            class="button button-small"
            aria-label={t('settings.notifications.allow.label')}
            onClick={onEnableNotifications}
          >
            {t('settings.notifications.allow')}
          </button>
        )}
      </section>
      {state.self && (
        <section class="setting about">
          <h3 class="section-title">{t('settings.computer')}</h3>
          <dl class="facts">
            <dt>{t('settings.computer.name')}</dt>
            <dd>{state.self.name}</dd>
            <dt>{t('settings.computer.fingerprint')}</dt>
            <dd class="mono">{state.self.fingerprint}</dd>
            <dt>{t('add.port')}</dt>
            <dd class="mono">{state.self.port}</dd>
          </dl>
        </section>
      )}
    </div>
  );
}
