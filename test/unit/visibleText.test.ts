import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hasVisibleText } from '../../shared/records/visibleText';
import { reasonText } from '../../shared/records/fieldSchemas';

/*
 * The one rule for "a reason was given" (shared/records/visibleText.ts), which the forms, the
 * mutators' inputs, the record invariants and the hub all call.
 */

const INVISIBLE = ['', ' ', '\t\n', '\u200b', '\u2060', '\u200d\u200c', '\u00ad', '\ufeff', '\u3164', '\u115f\u1160', '\uffa0', '\u2800', '\u3000', '\u180e', '\u034f', '\ufe0f', '\u17b4', '\u0000\u001f', '\u2028\u2029'];

describe('hasVisibleText', () => {
  it.each(INVISIBLE.map((text) => [JSON.stringify(text), text]))('finds nothing to read in %s', (_shown, text) => {
    expect(hasVisibleText(text)).toBe(false);
    expect(reasonText().safeParse(text).success).toBe(false);
  });

  it.each(['Floods the lower fields', '下游的田会被淹', '洪水', '🌊', '\u200b.', '١', 'ℌ', '\u3164가'])('reads %s as given', (text) => {
    expect(hasVisibleText(text)).toBe(true);
    expect(reasonText().safeParse(text).success).toBe(true);
  });

  it('finds nothing in any string made of invisibles alone, and a letter among them always', () => {
    const invisible = fc.constantFrom(...INVISIBLE.join(''));
    fc.assert(
      fc.property(fc.array(invisible), fc.array(invisible), (before, after) => {
        expect(hasVisibleText(before.join('') + after.join(''))).toBe(false);
        expect(hasVisibleText(`${before.join('')}a${after.join('')}`)).toBe(true);
      }),
      { seed: 19 },
    );
  });
});
