/*
 * What a text shows. A required reason (a consent block, a facilitator's witness, an offer's
 * closure, an interest's decline, opening or cancelling a vote) counts as given only when it holds
 * something a reader can see: `trim()` keeps zero-width spaces, joiners and Hangul fillers, which
 * read as a blank line. The client's forms and validators and the hub's checks call these, so a
 * reason the form lets through is one the hub takes. Organization names compare by the same
 * visible text (server/hub/orgNameSkeleton.ts).
 */

/** Blanks drawn as a space but not White_Space (Hangul fillers, the blank Braille pattern). */
const BLANKS = /[\u115F\u1160\u3164\uFFA0\u2800]/gu;

/**
 * The text as it shows: NFKC, default-ignorable code points dropped (format characters, but also
 * the combining grapheme joiner, variation selectors and Khmer inherent vowels, marks or letters
 * drawn as nothing), and the blanks drawn as a space read as one.
 */
export function visibleText(text: string): string {
  return text.normalize('NFKC').replace(BLANKS, ' ').replace(/\p{Default_Ignorable_Code_Point}/gu, '');
}

/** Whether `text` holds a visible character: anything but spaces, controls and invisible marks. */
export function hasVisibleText(text: string): boolean {
  return /[^\s\p{Cc}\p{Cf}\p{Z}]/u.test(visibleText(text));
}
