/**
 * This viewer's subtitles: off, one of the tracks the streamer attached (WebVTT the node
 * serves from the signed manifest), or a file from their own disk (read in the page, never
 * sent); shown as cues of one text track the page adds to its <video>, moved by a delay of
 * its own. Another viewer's choice changes nothing here, and ours nothing there.
 */
import type { JSX, RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { SubtitleCue } from '../../protocol/subtitles.js';
import { MAX_SUBTITLE_BYTES, parseSubtitles } from '../../protocol/subtitles.js';
import { msg } from '../i18n/catalog.js';
import { useI18n } from '../i18n/context.js';
import type { PartyStateEvent } from '../state/party.js';
import { useStore } from '../state/store.js';
import { Icon } from '../components/Icon.js';

const DELAY_STEP_S = 0.25;
type Choice = 'off' | 'own' | `track-${number}`;

export function SubtitleControls({
  video,
  party,
}: {
  video: RefObject<HTMLVideoElement | null>;
  party: PartyStateEvent;
}): JSX.Element {
  const { dispatch } = useStore();
  const { t, number } = useI18n();
  const input = useRef<HTMLInputElement>(null);
  const track = useRef<TextTrack | null>(null);
  const [own, setOwn] = useState<{ name: string; cues: SubtitleCue[] } | null>(null);
  const [streamer, setStreamer] = useState<Record<number, SubtitleCue[]>>({});
  const [choice, setChoice] = useState<Choice>('off');
  const [delay, setDelay] = useState(0);

  const refuse = (reason: string): void =>
    dispatch({
      type: 'toast',
      kind: 'error',
      title: msg('party.subtitles.refused'),
      message: msg('party.subtitles.refused.reason', { reason }),
    });

  const index = choice.startsWith('track-') ? Number(choice.slice(6)) : null;
  // A streamer's track is fetched from our node the first time it is chosen.
  useEffect(() => {
    if (index === null || streamer[index]) return;
    let current = true;
    void fetch(`/party/${party.party}/subtitles/${index}`)
      .then((answer) => (answer.ok ? answer.text() : Promise.reject(new Error('unavailable'))))
      .then((text) => {
        if (!current) return;
        const parsed = parseSubtitles(text);
        if (!parsed.ok) throw new Error(parsed.reason);
        setStreamer((tracks) => ({ ...tracks, [index]: parsed.cues }));
      })
      .catch(() => {
        if (!current) return;
        setChoice('off');
        refuse('unreadable');
      });
    return () => {
      current = false;
    };
  }, [index, party.party]);

  // The chosen cues, moved by the delay, on the one track this page adds to the film.
  const cues = choice === 'own' ? own?.cues : index === null ? undefined : streamer[index];
  useEffect(() => {
    const element = video.current;
    if (!element || (!cues && !track.current)) return;
    track.current ??= element.addTextTrack('subtitles', t('party.subtitles.own'));
    const current = track.current;
    for (const cue of Array.from(current.cues ?? [])) current.removeCue(cue);
    for (const cue of cues ?? []) {
      const start = Math.max(0, cue.start + delay);
      current.addCue(new VTTCue(start, Math.max(start + 0.01, cue.end + delay), cue.text));
    }
    current.mode = cues ? 'showing' : 'hidden';
  }, [video, cues, delay, t]);

  const pick = async (file: File | undefined): Promise<void> => {
    if (!file) return;
    if (file.size > MAX_SUBTITLE_BYTES) return refuse('tooLarge');
    const parsed = parseSubtitles(await file.text());
    if (!parsed.ok) return refuse(parsed.reason);
    setOwn({ name: file.name, cues: parsed.cues });
    setChoice('own');
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
      <select
        class="input party-subtitle-choice"
        aria-label={t('party.subtitles')}
        value={choice}
        onChange={(event) => setChoice(event.currentTarget.value as Choice)}
      >
        <option value="off">{t('party.subtitles.off')}</option>
        {party.subtitles.map((label, i) => (
          <option key={`track-${i}`} value={`track-${i}`}>
            {label}
          </option>
        ))}
        {own && <option value="own">{t('party.subtitles.ownFile', { name: own.name })}</option>}
      </select>
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
        aria-label={t('party.subtitles.pick')}
        title={t('party.subtitles.pick')}
        onClick={() => input.current?.click()}
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
        </>
      )}
    </span>
  );
}
