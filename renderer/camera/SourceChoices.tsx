/**
 * Where the user picks a video source without typing indexes or paths: the cameras the node
 * found (by name), the test pattern, and "Choose a video file…". Used on the self tile when
 * the source fails and in Settings.
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { VideoSourceView } from '../../protocol/camera-api.js';
import { PathDialog } from '../components/PathDialog.js';
import { useI18n } from '../i18n/context.js';
import { parseSource } from '../lib/format.js';
import { useStore } from '../state/store.js';
import { desktopVideoPicker } from './file-picker.js';

/** The sources the node offers, asked for when a picker appears (cameras come and go). */
export function useVideoSources(): VideoSourceView[] {
  const { state, send } = useStore();
  useEffect(() => send({ cmd: 'video-sources' }), [send]);
  return state.videoSources ?? [];
}

/** A camera's name as its driver gives it, else its number. */
export function useSourceName(): (source: VideoSourceView) => string {
  const { t } = useI18n();
  return (source) =>
    source.kind === 'pattern'
      ? t('source.pattern')
      : (source.name ?? t('source.camera.number', { number: parseSource(source.source).camera }));
}

/** "Choose a video file…": the system's dialog in the desktop app, a path field in a browser. */
export function VideoFileButton({ small = false }: { small?: boolean }): JSX.Element {
  const { send } = useStore();
  const { t } = useI18n();
  const [asking, setAsking] = useState(false);
  const use = (path: string): void => send({ cmd: 'set-source', source: `file:${path}` });
  const choose = (): void => {
    const pick = desktopVideoPicker(window);
    if (!pick) {
      setAsking(true);
      return;
    }
    // The desktop app's dialog failed to open: the typed path is the way left.
    pick({ videos: t('camera.filter.videos'), all: t('camera.filter.all') }).then(
      (path) => {
        if (path) use(path);
      },
      () => setAsking(true),
    );
  };
  return (
    <>
      <button
        type="button"
        class={`button ${small ? 'button-small' : ''}`}
        data-source-action="file"
        onClick={choose}
      >
        {t('camera.chooseFile')}
      </button>
      {asking && <VideoFileDialog onUse={use} onClose={() => setAsking(false)} />}
    </>
  );
}

function VideoFileDialog({
  onUse,
  onClose,
}: {
  onUse: (path: string) => void;
  onClose: () => void;
}): JSX.Element {
  const { t } = useI18n();
  return (
    <PathDialog
      title={t('camera.file.title')}
      description={t('camera.file.intro')}
      label={t('camera.file.path')}
      placeholder={t('camera.file.placeholder')}
      submit={t('camera.file.use')}
      onUse={onUse}
      onClose={onClose}
    />
  );
}

/**
 * One button per source other than the one in use, then "Choose a video file…"; with
 * `retry`, first a "Try again" that opens the one in use again (a camera plugged back in).
 */
export function SourceButtons({
  small = false,
  retry = false,
}: {
  small?: boolean;
  retry?: boolean;
}): JSX.Element {
  const { state, send } = useStore();
  const { t } = useI18n();
  const sources = useVideoSources();
  const nameOf = useSourceName();
  const current = state.media?.source;
  // The test pattern always works, so it is offered even before the list arrives.
  const offered = sources.some((source) => source.kind === 'pattern')
    ? sources
    : [...sources, { source: 'pattern', kind: 'pattern' as const }];
  const size = small ? 'button-small' : '';
  return (
    <div class="source-buttons">
      {retry && current && (
        <button
          type="button"
          class={`button ${size}`}
          data-source-action="retry"
          onClick={() => send({ cmd: 'set-source', source: current })}
        >
          {t('camera.retry')}
        </button>
      )}
      {offered
        .filter((source) => source.source !== current)
        .map((source) => (
          <button
            key={source.source}
            type="button"
            class={`button ${size} ${source.kind === 'pattern' ? 'button-primary' : ''}`}
            data-source-action={source.source}
            onClick={() => send({ cmd: 'set-source', source: source.source })}
          >
            {source.kind === 'pattern'
              ? t('camera.useTestPattern')
              : t('camera.useCamera', { name: nameOf(source) })}
          </button>
        ))}
      <VideoFileButton small={small} />
    </div>
  );
}
