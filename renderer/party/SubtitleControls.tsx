/**
 * This viewer's subtitles: a file from their own disk (read in the page, never sent), shown
 * as cues of a text track the page adds to its <video>, and a delay to line them up. Another
 * viewer's choice changes nothing here, and ours nothing there.
 */
import type { JSX, RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { msg } from '../i18n/catalog.js';
import { useI18n } from '../i18n/context.js';
import { useStore } from '../state/store.js';
import { Icon } from '../components/Icon.js';
import type { SubtitleCue } from './subtitles.js';
import { MAX_SUBTITLE_BYTES, parseSubtitles } from './subtitles.js';

const DELAY_STEP_S = 0.25;

export function SubtitleControls({
  video,
}: {
  video: RefObject<HTMLVideoElement | null>;
}): JSX.Element {
  const { dispatch } = useStore();
  const { t, number } = useI18n();
  const input = useRef<HTMLInputElement>(null);
  const track = useRef<TextTrack | null>(null);
  const [cues, setCues] = useState<SubtitleCue[] | null>(null);
  const [delay, setDelay] = useState(0);
  const [shown, setShown] = useState(true);

  // The cues, moved by the delay, on the one track this page adds to the film.
  useEffect(() => {
    const element = video.current;
    if (!element || !cues) return;
    track.current ??= element.addTextTrack('subtitles', t('party.subtitles.own'));
    const current = track.current;
    for (const cue of Array.from(current.cues ?? [])) current.removeCue(cue);
    for (const cue of cues) {
      const start = Math.max(0, cue.start + delay);
      current.addCue(new VTTCue(start, Math.max(start + 0.01, cue.end + delay), cue.text));
    }
    current.mode = shown ? 'showing' : 'hidden';
  }, [video, cues, delay, shown, t]);

  const refuse = (reason: string): void =>
    dispatch({
      type: 'toast',
      kind: 'error',
      title: msg('party.subtitles.refused'),
      message: msg('party.subtitles.refused.reason', { reason }),
    });

  const pick = async (file: File | undefined): Promise<void> => {
    if (!file) return;
    if (file.size > MAX_SUBTITLE_BYTES) return refuse('tooLarge');
    const parsed = parseSubtitles(await file.text());
    if (!parsed.ok) return refuse(parsed.reason);
    setCues(parsed.cues);
    setShown(true);
  };

  const delayText = number(delay, {
    style: 'unit',
    unit: 'second',
    unitDisplay: 'short',
    signDisplay: 'exceptZero',
    maximumFractionDigits: 2,
  });
  return (
    <span class="party-subtitles">
      <input
        ref={input}
        type="file"
        class="visually-hidden"
        accept=".srt,.vtt,.ass,.ssa,.sbv,.sub,text/vtt"
        aria-label={t('party.subtitles.pick')}
        data-party-subtitles
        onChange={(event) => {
          void pick(event.currentTarget.files?.[0]);
          event.currentTarget.value = '';
        }}
      />
      <button
        type="button"
        class="party-button"
        aria-pressed={cues !== null && shown}
        aria-label={cues ? t('party.subtitles.toggle') : t('party.subtitles.pick')}
        title={cues ? t('party.subtitles.toggle') : t('party.subtitles.pick')}
        onClick={() => (cues ? setShown(!shown) : input.current?.click())}
      >
        <Icon name="subtitles" />
      </button>
      {cues && (
        <>
          <button
            type="button"
            class="party-button party-small"
            aria-label={t('party.subtitles.earlier')}
            title={t('party.subtitles.earlier')}
            onClick={() => setDelay((d) => d - DELAY_STEP_S)}
          >
            <Icon name="minus" size={14} />
          </button>
          <span class="party-delay" aria-live="polite" title={t('party.subtitles.delay')}>
            {delayText}
          </span>
          <button
            type="button"
            class="party-button party-small"
            aria-label={t('party.subtitles.later')}
            title={t('party.subtitles.later')}
            onClick={() => setDelay((d) => d + DELAY_STEP_S)}
          >
            <Icon name="plus" size={14} />
          </button>
          <button
            type="button"
            class="party-button party-small"
            aria-label={t('party.subtitles.other')}
            title={t('party.subtitles.other')}
            onClick={() => input.current?.click()}
          >
            <Icon name="folder" size={14} />
          </button>
        </>
      )}
    </span>
  );
}
