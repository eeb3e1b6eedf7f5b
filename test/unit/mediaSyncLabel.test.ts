import { describe, expect, it } from 'vitest';
import { catalogs } from '../../renderer/i18n/catalogs';
import { mediaSyncLabel, mediaSyncText } from '../../renderer/sync/mediaSyncLabel';
import type { BlobSyncStatus } from '../../shared/sync/blobSync';

// The sync bar's media line (issue 18): progress apart from text, in both languages.

const base: BlobSyncStatus = { state: 'idle', policy: 'full', progress: { total: 0, done: 0, totalBytes: 0, doneBytes: 0, uploads: 0 }, unavailableCount: 0, refusedCount: 0, nextRetryAt: null, reason: null };

describe('the media line of the sync bar', () => {
  it('counts renditions moved of those to move, with the share of bytes', () => {
    const label = mediaSyncLabel({ ...base, state: 'transferring', progress: { total: 12, done: 3, totalBytes: 1000, doneBytes: 250, uploads: 12 } });
    expect(label).toEqual({ kind: 'progress', done: 3, total: 12, percent: 25 });
    expect(mediaSyncText(label)).toEqual({ key: 'mediaSync.progress', values: { done: 3, total: 12, percent: 25 } });
  });

  it('says media waits while text syncs or the link is down, and what the hub lacks or refused once idle', () => {
    const left = { total: 12, done: 4, totalBytes: 1000, doneBytes: 300, uploads: 12 };
    expect(mediaSyncLabel({ ...base, state: 'waiting-for-text', progress: left })).toEqual({ kind: 'waiting', left: 8 });
    expect(mediaSyncLabel({ ...base, state: 'offline', progress: left })).toEqual({ kind: 'waiting', left: 8 });
    expect(mediaSyncLabel({ ...base, unavailableCount: 2 })).toEqual({ kind: 'unavailable', count: 2 });
    expect(mediaSyncLabel({ ...base, refusedCount: 1 })).toEqual({ kind: 'refused', count: 1 });
    expect(mediaSyncText(mediaSyncLabel(base))).toBeNull();
    expect(mediaSyncText(mediaSyncLabel(null))).toBeNull();
    expect(mediaSyncLabel({ ...base, state: 'off', policy: 'none' })).toEqual({ kind: 'off' });
  });

  it('has every key it names in English and Chinese', () => {
    const statuses: BlobSyncStatus[] = [
      { ...base, state: 'transferring', progress: { total: 2, done: 1, totalBytes: 2, doneBytes: 1, uploads: 1 } },
      { ...base, state: 'waiting-for-text', progress: { total: 2, done: 1, totalBytes: 2, doneBytes: 1, uploads: 1 } },
      { ...base, state: 'off' },
      { ...base, unavailableCount: 1 },
      { ...base, refusedCount: 1 },
    ];
    for (const language of ['en', 'zh-CN'] as const) {
      const media = (catalogs[language] as Record<string, Record<string, unknown>>)['mediaSync']!;
      for (const status of statuses) {
        const key = mediaSyncText(mediaSyncLabel(status))!.key.replace('mediaSync.', '');
        expect(media[key] ?? media[`${key}_other`], `${language} ${key}`).toBeTypeOf('string');
      }
    }
  });
});
