import type { BlobSyncStatus } from '../../shared/sync/blobSync';

/*
 * What the sync bar says of media, apart from text (issue 18): text first, so media has its own
 * line and never hides the record sync's state. Plain data with catalog keys under `mediaSync.`.
 */

export type MediaSyncLabel =
  | { readonly kind: 'none' }
  | { readonly kind: 'off' }
  | { readonly kind: 'waiting'; readonly left: number }
  | { readonly kind: 'progress'; readonly done: number; readonly total: number; readonly percent: number }
  | { readonly kind: 'unavailable'; readonly count: number }
  | { readonly kind: 'refused'; readonly count: number }
  | { readonly kind: 'idle' };

export function mediaSyncLabel(status: BlobSyncStatus | null): MediaSyncLabel {
  if (!status || status.state === 'stopped') return { kind: 'none' };
  if (status.state === 'off') return { kind: 'off' };
  const { progress } = status;
  const left = progress.total - progress.done;
  if (status.state === 'transferring' && progress.total > 0) {
    const percent = progress.totalBytes > 0 ? Math.min(100, Math.floor((progress.doneBytes / progress.totalBytes) * 100)) : 100;
    return { kind: 'progress', done: progress.done, total: progress.total, percent };
  }
  if ((status.state === 'waiting-for-text' || status.state === 'offline' || status.state === 'error') && left > 0) return { kind: 'waiting', left };
  if (status.unavailableCount > 0) return { kind: 'unavailable', count: status.unavailableCount };
  if (status.refusedCount > 0) return { kind: 'refused', count: status.refusedCount };
  return { kind: 'idle' };
}

/** The catalog key and values of a label; null for nothing to show. */
export function mediaSyncText(label: MediaSyncLabel): { readonly key: string; readonly values: Record<string, number> } | null {
  switch (label.kind) {
    case 'none':
    case 'idle':
      return null;
    case 'off':
      return { key: 'mediaSync.off', values: {} };
    case 'waiting':
      return { key: 'mediaSync.waiting', values: { count: label.left } };
    case 'progress':
      return { key: 'mediaSync.progress', values: { done: label.done, total: label.total, percent: label.percent } };
    case 'unavailable':
      return { key: 'mediaSync.unavailable', values: { count: label.count } };
    case 'refused':
      return { key: 'mediaSync.refused', values: { count: label.count } };
  }
}
