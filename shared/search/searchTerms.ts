/*
 * Tokenizing for search in Chinese and English. Chinese has no spaces, so words come from
 * Intl.Segmenter. A dictionary segmenter may keep "节水灌溉" as one word, and then a search for
 * "灌溉" would miss it; so every run of Han characters is also indexed as single characters and
 * character pairs, and a Chinese query word matches when all of its pairs occur. Latin words are
 * matched by prefix and with typo tolerance at query time.
 */

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
const HAN_RUN = /[\p{Script=Han}]+/gu;
const HAS_HAN = /\p{Script=Han}/u;

function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

function wordsOf(text: string): string[] {
  const words: string[] = [];
  for (const part of segmenter.segment(text)) if (part.isWordLike) words.push(part.segment);
  return words;
}

function hanGrams(run: string): string[] {
  const chars = [...run];
  if (chars.length === 1) return chars;
  const pairs: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) pairs.push(chars[i]! + chars[i + 1]!);
  return pairs;
}

/** The terms a text is indexed under: its words, plus each Han character and character pair. */
export function indexTerms(text: string): string[] {
  const normalized = normalize(text);
  const terms = wordsOf(normalized);
  for (const [run] of normalized.matchAll(HAN_RUN)) {
    const chars = [...run];
    terms.push(...chars);
    if (chars.length > 1) terms.push(...hanGrams(run));
  }
  return terms;
}

/** One word of a query: Latin words match fuzzily by prefix; Han words match all of their pairs. */
export type QueryWord = { kind: 'latin'; term: string } | { kind: 'han'; grams: string[] };

export function queryWords(query: string): QueryWord[] {
  const words: QueryWord[] = [];
  for (const word of wordsOf(normalize(query))) {
    if (HAS_HAN.test(word)) {
      for (const [run] of word.matchAll(HAN_RUN)) words.push({ kind: 'han', grams: hanGrams(run) });
    } else {
      words.push({ kind: 'latin', term: word });
    }
  }
  return words;
}
