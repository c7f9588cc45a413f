/**
 * A read-only view of the page's audio for diagnostics (and the UI test, through the
 * browser's devtools protocol): `window.meshcallVoice`. It exposes measurements only,
 * never the nodes themselves, so nothing outside the engine can rewire the graph.
 */
export interface OutputPeak {
  /** Centre frequency of the strongest bin of the output mix. */
  hz: number;
  /** Its level in dBFS (AnalyserNode's scale). */
  db: number;
}

export interface VoiceDiagnostics {
  outputPeak(): OutputPeak | null;
  micLevel(): number;
  counts(): { sent: number; received: number; bad: number };
}

interface Measured {
  /** The output mix's analyser, once audio runs. */
  readonly analyserNow: AnalyserNode | null;
  readonly micLevel: number;
  readonly counts: { sent: number; received: number; bad: number };
}

export function outputPeak(engine: Measured): OutputPeak | null {
  const analyser = engine.analyserNow;
  if (!analyser) return null;
  const bins = new Float32Array(analyser.frequencyBinCount);
  analyser.getFloatFrequencyData(bins);
  let best = 0;
  for (let i = 1; i < bins.length; i++)
    if ((bins[i] ?? -Infinity) > (bins[best] ?? -Infinity)) best = i;
  const db = bins[best] ?? -Infinity;
  if (!Number.isFinite(db)) return null;
  return { hz: (best * analyser.context.sampleRate) / analyser.fftSize, db };
}

declare global {
  interface Window {
    meshcallVoice?: VoiceDiagnostics;
  }
}

/** Returns a function that removes the view again. */
export function installDiagnostics(engine: Measured): () => void {
  const view: VoiceDiagnostics = Object.freeze({
    outputPeak: () => outputPeak(engine),
    micLevel: () => engine.micLevel,
    counts: () => ({ ...engine.counts }),
  });
  Object.defineProperty(window, 'meshcallVoice', {
    value: view,
    configurable: true,
    writable: false,
  });
  return () => {
    if (window.meshcallVoice === view) delete window.meshcallVoice;
  };
}
