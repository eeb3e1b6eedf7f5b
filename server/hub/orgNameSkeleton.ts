import { orgNameKey } from '../../shared/records/org';
import { visibleText } from '../../shared/records/visibleText';

/*
 * Look-alike letters of other scripts, for the organization-name check (orgNames.ts): a name is
 * reduced to a skeleton in the manner of Unicode TR39 (decompose, map each character that looks
 * like a Latin letter to that letter, recompose), so "Xishan Co-op" with a Cyrillic "С" or a Greek
 * "Ο" is the same name as the Latin one. The table is small and chosen: the Cyrillic and Greek
 * letters that render as a Latin letter in common fonts, and the Latin look-alikes TR39 lists
 * (1, I and | for l, 0 for o, rn for m, vv for w). Full-width forms are folded by NFKC before.
 * Han, kana and every other script pass through unchanged, so Chinese names compare as before.
 */

/** Characters that render as a Latin letter, each to that letter, in both cases where it matters. */
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  // Latin look-alikes of l and o (TR39)
  I: 'l',
  '1': 'l',
  '|': 'l',
  ǀ: 'l',
  '0': 'o',
  ı: 'i',
  ɑ: 'a',
  // Cyrillic capitals
  А: 'A',
  В: 'B',
  С: 'C',
  Е: 'E',
  Н: 'H',
  І: 'l',
  Ӏ: 'l',
  Ј: 'J',
  К: 'K',
  М: 'M',
  О: 'O',
  Р: 'P',
  Ѕ: 'S',
  Т: 'T',
  Х: 'X',
  У: 'Y',
  Ү: 'Y',
  Ԛ: 'Q',
  Ԝ: 'W',
  // Cyrillic small letters
  а: 'a',
  с: 'c',
  ԁ: 'd',
  е: 'e',
  һ: 'h',
  і: 'i',
  ј: 'j',
  ӏ: 'l',
  о: 'o',
  р: 'p',
  ԛ: 'q',
  ѕ: 's',
  ԝ: 'w',
  х: 'x',
  у: 'y',
  ү: 'y',
  // Greek capitals
  Α: 'A',
  Β: 'B',
  Ε: 'E',
  Ζ: 'Z',
  Η: 'H',
  Ι: 'l',
  Κ: 'K',
  Μ: 'M',
  Ν: 'N',
  Ο: 'O',
  Ρ: 'P',
  Τ: 'T',
  Υ: 'Y',
  Χ: 'X',
  // Greek small letters
  α: 'a',
  γ: 'y',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  υ: 'u',
  χ: 'x',
  ϲ: 'c',
  ϳ: 'j',
  // Lisu capitals (TR39): drawn as the Latin capitals
  ꓮ: 'A', ꓐ: 'B', ꓚ: 'C', ꓓ: 'D', ꓰ: 'E', ꓝ: 'F', ꓖ: 'G', ꓧ: 'H', ꓲ: 'l', ꓙ: 'J', ꓗ: 'K', ꓡ: 'L', ꓟ: 'M',
  ꓠ: 'N', ꓳ: 'O', ꓑ: 'P', ꓣ: 'R', ꓢ: 'S', ꓔ: 'T', ꓴ: 'U', ꓦ: 'V', ꓪ: 'W', ꓫ: 'X', ꓬ: 'Y', ꓜ: 'Z',
  // Cherokee capitals (TR39): drawn as the Latin capitals
  Ꭺ: 'A', Ᏼ: 'B', Ꮯ: 'C', Ꭰ: 'D', Ꭼ: 'E', Ꮐ: 'G', Ꮋ: 'H', Ꭻ: 'J', Ꮶ: 'K', Ꮮ: 'L', Ꮇ: 'M', Ꮲ: 'P',
  Ꮪ: 'S', Ꭲ: 'T', Ꮩ: 'V', Ꮃ: 'W', Ꮓ: 'Z',
};

/** Letter pairs that read as one Latin letter (TR39). */
const LOOK_ALIKE_PAIRS: readonly (readonly [RegExp, string])[] = [
  [/rn/gu, 'm'],
  [/vv/gu, 'w'],
];

/** The TR39-style skeleton: decomposed, look-alikes mapped, recomposed. Case is kept. */
export function skeleton(text: string): string {
  let mapped = Array.from(text.normalize('NFD'), (char) => LOOK_ALIKES[char] ?? char).join('');
  for (const [pair, letter] of LOOK_ALIKE_PAIRS) mapped = mapped.replace(pair, letter);
  return mapped.normalize('NFC');
}

/**
 * The keys a name is compared by; two names are the same name when they share one. Case is folded
 * both after the skeleton (a Cyrillic capital "Н" reads as H, though its small letter does not read
 * as h) and before it (a Latin capital I, which reads as l, is still the same name in small letters).
 */
export function orgNameKeys(name: string): readonly string[] {
  const seen = visibleText(name);
  const folded = orgNameKey(seen);
  // Folded again after the skeleton: a Lisu capital has no small letter, and maps to a Latin capital.
  return [...new Set([orgNameKey(skeleton(folded)), orgNameKey(skeleton(seen))])];
}

/** Whether two organization names read the same: case, width, spacing, invisible and look-alike letters aside. */
export function isSameOrgName(a: string, b: string): boolean {
  const keys = orgNameKeys(a);
  return orgNameKeys(b).some((key) => keys.includes(key));
}
