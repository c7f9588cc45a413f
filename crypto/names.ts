import unhomoglyph from 'unhomoglyph';

/**
 * When two display names would look alike to a person. Names are chosen by their owners and
 * travel unauthenticated in adverts, so "Аlice" (Cyrillic А) must count as "Alice" wherever a
 * name is matched against the peers we know. The comparison uses the UTS #39 skeleton (NFD,
 * default-ignorable code points dropped, Unicode's confusables.txt mapping via unhomoglyph).
 */

const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

function skeleton(text: string): string {
  return unhomoglyph(text.normalize('NFD').replace(IGNORABLE, '')).normalize('NFD');
}

/**
 * The forms a name is compared by. Case folding and the confusables mapping do not commute
 * ("I" maps to "l", "i" to itself), so both orders are kept: one catches "BiII" for "Bill",
 * the other "ALICE" for "alice".
 */
export function nameSkeletons(name: string): readonly [string, string] {
  const spaced = name.replace(/\s+/gu, ' ').trim();
  return [skeleton(spaced), skeleton(spaced.toLowerCase()).toLowerCase()];
}

/** True when a reader could take one name for the other (case, spacing and look-alikes). */
export function namesConfusable(a: string, b: string): boolean {
  const [caseA, foldedA] = nameSkeletons(a);
  const [caseB, foldedB] = nameSkeletons(b);
  return caseA === caseB || foldedA === foldedB;
}
