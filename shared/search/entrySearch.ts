import MiniSearch, { type Options, type Query } from 'minisearch';
import type { EntryProjection } from '../records/entry';
import { isWithinRegion } from '../records/region';
import { indexTerms, queryWords, type QueryWord } from './searchTerms';

/*
 * The local full-text index over entries: title, summary, body with the template sections, and
 * tags. It lives in memory (in the renderer, inside a worker: shared/search/searchPort.ts), is
 * kept on disk between sessions as its JSON (shared/search/persistedSearch.ts), and follows the
 * store's change stream; nothing in it needs the network.
 */

/**
 * The version of what an index holds and how it is cut into terms. A stored index of another
 * version is rebuilt instead of loaded: bump it whenever the fields, the stored fields, the
 * tokenizer (searchTerms.ts) or MiniSearch's serialization change.
 */
export const ENTRY_INDEX_FORMAT = 2;

export interface SearchableEntry {
  readonly id: string;
  readonly ownerOrg: string;
  readonly projection: EntryProjection;
}

export interface SearchFilters {
  readonly kind?: string;
  readonly tag?: string;
  /** This administrative path and everything inside it. */
  readonly region?: readonly string[];
  readonly ownerOrg?: string;
  readonly status?: string;
}

export interface SearchHit {
  readonly id: string;
  readonly score: number;
}

interface IndexedEntry {
  id: string;
  title: string;
  summary: string;
  text: string;
  tags: string;
  kind: string;
  tagList: string[];
  region: readonly string[];
  ownerOrg: string;
  status: string;
}

const FUZZY_MIN_LENGTH = 4;

function toIndexed({ id, ownerOrg, projection: p }: SearchableEntry): IndexedEntry {
  return {
    id,
    title: p.title,
    summary: p.summary,
    text: [p.body, ...Object.values(p.sections)].filter(Boolean).join('\n'),
    tags: p.tags.join(' '),
    kind: p.kind,
    tagList: p.tags,
    region: p.region,
    ownerOrg,
    status: p.status,
  };
}

function toQuery(word: QueryWord): Query {
  if (word.kind === 'han') return { queries: word.grams, combineWith: 'AND', prefix: false, fuzzy: false };
  return {
    queries: [word.term],
    prefix: true,
    fuzzy: word.term.length >= FUZZY_MIN_LENGTH ? 0.2 : false,
  };
}

function matchesFilters(entry: IndexedEntry, filters: SearchFilters): boolean {
  if (filters.kind !== undefined && entry.kind !== filters.kind) return false;
  if (filters.status !== undefined && entry.status !== filters.status) return false;
  if (filters.ownerOrg !== undefined && entry.ownerOrg !== filters.ownerOrg) return false;
  if (filters.tag !== undefined && !entry.tagList.includes(filters.tag)) return false;
  if (filters.region !== undefined && !isWithinRegion(entry.region, filters.region)) return false;
  return true;
}

const indexOptions: Options<IndexedEntry> = {
  fields: ['title', 'summary', 'text', 'tags'],
  storeFields: ['kind', 'tagList', 'region', 'ownerOrg', 'status'],
  tokenize: indexTerms,
  // Terms are normalized by the tokenizer; query leaves are single terms already.
  processTerm: (term) => term,
  searchOptions: { tokenize: (term) => [term], boost: { title: 3, tags: 2, summary: 1.5 } },
};

export class EntrySearch {
  private constructor(private readonly index: MiniSearch<IndexedEntry>) {}

  static empty(): EntrySearch {
    return new EntrySearch(new MiniSearch<IndexedEntry>(indexOptions));
  }

  /** An index from `toJSON` of the same ENTRY_INDEX_FORMAT; throws on text that is not one. */
  static fromJSON(json: string): EntrySearch {
    return new EntrySearch(MiniSearch.loadJSON<IndexedEntry>(json, indexOptions));
  }

  /** The whole index as text, for `fromJSON` in a later session. */
  toJSON(): string {
    return JSON.stringify(this.index);
  }

  get size(): number {
    return this.index.documentCount;
  }

  /** Adds or replaces an entry. */
  put(entry: SearchableEntry): void {
    if (this.index.has(entry.id)) this.index.discard(entry.id);
    this.index.add(toIndexed(entry));
  }

  putAll(entries: Iterable<SearchableEntry>): void {
    const fresh: IndexedEntry[] = [];
    for (const entry of entries) {
      if (this.index.has(entry.id)) this.index.discard(entry.id);
      fresh.push(toIndexed(entry));
    }
    this.index.addAll(fresh);
  }

  remove(id: string): void {
    if (this.index.has(id)) this.index.discard(id);
  }

  /** Every query word must match; best first, ties by id so results are stable. */
  search(text: string, filters: SearchFilters = {}): SearchHit[] {
    const words = queryWords(text);
    if (words.length === 0) return [];
    const results = this.index.search(
      { queries: words.map(toQuery), combineWith: 'AND' },
      { filter: (result) => matchesFilters(result as unknown as IndexedEntry, filters) },
    );
    return results
      .map((result) => ({ id: String(result.id), score: result.score }))
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}
