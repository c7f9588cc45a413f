/** Settings → Source: the cameras by name and the test pattern in one list, and a file picker. */
import type { JSX } from 'preact';
import { useI18n } from '../i18n/context.js';
import { describeSource } from '../lib/format.js';
import { useStore } from '../state/store.js';
import { useSourceName, useVideoSources, VideoFileButton } from './SourceChoices.js';

export function SourceForm(): JSX.Element {
  const { state, send } = useStore();
  const { t, text } = useI18n();
  const sources = useVideoSources();
  const nameOf = useSourceName();
  const current = state.media?.source ?? 'pattern';
  const listed = sources.some((source) => source.source === current);
  return (
    <fieldset class="fieldset source-form">
      <legend class="section-title">{t('source.title')}</legend>
      <label class="field">
        <span class="field-label">{t('source.label')}</span>
        <select
          class="input"
          data-setting="source"
          value={current}
          onChange={(event) => {
            const source = event.currentTarget.value;
            if (source !== current) send({ cmd: 'set-source', source });
          }}
        >
          {/* A file, or a camera that is gone, stays shown as what is in use. */}
          {!listed && <option value={current}>{text(describeSource(current))}</option>}
          {sources.map((source) => (
            <option key={source.source} value={source.source}>
              {nameOf(source)}
            </option>
          ))}
        </select>
      </label>
      {!sources.some((source) => source.kind === 'camera') && state.videoSources && (
        <p class="muted small">{t('camera.noneFound')}</p>
      )}
      <VideoFileButton small />
    </fieldset>
  );
}
