/*
 * Tokenizing for search in Chinese and English. Chinese has no spaces, and a dictionary segmenter
 * may keep "节水灌溉" as one word, so that a search for "灌溉" would miss it. So every run of Han
 * characters is indexed as its single characters and character pairs; a query is cut into words
 * with Intl.Segmenter, and a Chinese query word matches when all of its pairs occur. Other words
 * are runs of letters and digits, matched by prefix and with typo tolerance at query time.
 *
 * Indexing does not run the segmenter: it costs most of the tokenizing time and its whole words
 * would never be looked up (a query only looks up pairs).
 */

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
const HAN_RUN = /\p{Script=Han}+/gu;
/** Letters and digits of every script but Han, with combining marks. */
const WORD = /[\p{L}\p{N}\p{M}]+/gu;

function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

function hanGrams(run: string): string[] {
  const chars = [...run];
  if (chars.length === 1) return chars;
  const pairs: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) pairs.push(chars[i]! + chars[i + 1]!);
  return pairs;
}

/** Words that are not Han, as the indexer and the query both cut them. */
function otherWords(text: string): string[] {
  const words: string[] = [];
  for (const [word] of text.replace(HAN_RUN, ' ').matchAll(WORD)) words.push(word);
  return words;
}

/** The terms a text is indexed under: its non-Han words, and each Han character and character pair. */
export function indexTerms(text: string): string[] {
  const normalized = normalize(text);
  const terms = otherWords(normalized);
  for (const [run] of normalized.matchAll(HAN_RUN)) {
    const chars = [...run];
    terms.push(...chars);
    if (chars.length > 1) terms.push(...hanGrams(run));
  }
  return terms;
}

/** One word of a query: Latin (and other) words match fuzzily by prefix; Han words match all of their pairs. */
export type QueryWord = { kind: 'latin'; term: string } | { kind: 'han'; grams: string[] };

export function queryWords(query: string): QueryWord[] {
  // Each word and each pair of Han characters once: every one is a lookup ANDed with the others,
  // so one met again adds nothing to the answer, and a paste of "water " a thousand times held
  // the search worker for seconds (issue 17's adversarial pass).
  const words: QueryWord[] = [];
  const seen = new Set<string>();
  const isNew = (key: string) => !seen.has(key) && (seen.add(key), true);
  for (const part of segmenter.segment(normalize(query))) {
    if (!part.isWordLike) continue;
    for (const [run] of part.segment.matchAll(HAN_RUN)) {
      const grams = [...new Set(hanGrams(run))].filter((gram) => isNew(`han:${gram}`));
      if (grams.length > 0) words.push({ kind: 'han', grams });
    }
    for (const term of otherWords(part.segment)) if (isNew(`latin:${term}`)) words.push({ kind: 'latin', term });
  }
  return words;
}
