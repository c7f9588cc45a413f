import type { JSX } from 'preact';
import type { ThemeChoice } from '../hooks/useTheme.js';
import type { NotificationState } from '../hooks/useNotifications.js';
import { useI18n } from '../i18n/context.js';
import { CameraTrouble, useSourceFailure } from '../camera/CameraTrouble.js';
import { SourceForm } from '../camera/SourceForm.js';
import { isLocale, LOCALE_NAMES, LOCALES } from '../i18n/locales.js';

import { useStore } from '../state/store.js';
import { SoundSettings } from './SoundSettings.js';
import { NameSetting } from './NameSetting.js';
import { VoiceSettings } from './VoiceSettings.js';
import { Segmented, Switch } from './bits.js';
import { MirrorSetting } from './TileControls.js';

const RESOLUTIONS = ['320x240', '640x480', '1280x720'] as const;
const FRAME_RATES = [15, 30] as const;

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
  const failure = useSourceFailure();
  const starting = enabled && media?.sourceState?.state === 'starting';
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
            {!failure && (
              <p class="muted small" data-video-status>
                {!enabled
                  ? t('settings.video.off')
                  : starting
                    ? t('camera.settings.starting')
                    : t('settings.video.on')}
              </p>
            )}
          </div>
          <Switch
            on={enabled}
            label={t('settings.video.switch')}
            onChange={(next) => send({ cmd: 'video', enabled: next })}
          />
        </div>
        {failure && <CameraTrouble failure={failure} />}
      </section>
      <section class="setting">
        <MirrorSetting />
      </section>
      <VoiceSettings />
      <SoundSettings />
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
