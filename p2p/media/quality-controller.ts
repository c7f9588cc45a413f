/** Encoder settings the congestion control hands to the capture. */
export interface EncodeTarget {
  quality: number;
  scale: number;
}

const SCALES = [1, 0.75, 0.5, 0.375, 0.25];
const MIN_QUALITY = 35;
const MAX_QUALITY = 80;

/**
 * Chooses JPEG quality and encode scale from what the links carry: backs off fast
 * (a fifth of the quality at once, then a size step) and grows slowly (after two calm
 * seconds). One target for all links, because each frame is encoded and sealed once.
 */
export class QualityController {
  #quality: number;
  #scaleIndex = 0;
  #calmSince: number;
  #lastChange = 0;

  constructor(now = Date.now(), initialQuality = 75) {
    this.#quality = initialQuality;
    this.#calmSince = now;
  }

  get target(): EncodeTarget {
    return { quality: Math.round(this.#quality), scale: SCALES[this.#scaleIndex] ?? 1 };
  }

  /**
   * `congested`: some link could not take the last frame, or a receiver lost a large
   * share of frames. Returns the new target when it changed.
   */
  update(congested: boolean, now: number): EncodeTarget | null {
    const before = this.target;
    if (congested) {
      this.#calmSince = now;
      // Allow one back-off per 150 ms so one burst does not collapse the picture.
      if (now - this.#lastChange < 150) return null;
      if (this.#quality > MIN_QUALITY) {
        this.#quality = Math.max(MIN_QUALITY, this.#quality * 0.8);
      } else if (this.#scaleIndex < SCALES.length - 1) {
        this.#scaleIndex++;
        this.#quality = 60;
      }
    } else if (now - this.#calmSince >= 2000 && now - this.#lastChange >= 1000) {
      if (this.#quality < MAX_QUALITY) {
        this.#quality = Math.min(MAX_QUALITY, this.#quality + 5);
      } else if (this.#scaleIndex > 0) {
        this.#scaleIndex--;
        this.#quality = 60;
      }
    }
    const after = this.target;
    if (after.quality === before.quality && after.scale === before.scale) return null;
    this.#lastChange = now;
    return after;
  }
}
