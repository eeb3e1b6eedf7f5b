import type { SessionSync } from '../session/session';

/*
 * What the sync bar says, as a catalog key and its values: pure, so the wording of every state is
 * tested without a browser. `state` is the language-independent name end-to-end tests read.
 */

export interface SyncLabel {
  readonly state: 'demo' | 'locked' | 'no-token' | 'offline' | 'connecting' | 'syncing' | 'synced' | 'error';
  readonly key: string;
  readonly values: Record<string, string | number>;
  readonly pendingCount: number;
  /** Changes the hub refused, kept on this device (the sync engine's quarantine). */
  readonly refusedCount: number;
  readonly isSyncNowPossible: boolean;
}

export function syncLabel(sync: SessionSync, formatTime: (at: number) => string): SyncLabel {
  switch (sync.kind) {
    case 'demo':
      return { state: 'demo', key: 'sync.state.demo', values: {}, pendingCount: sync.pendingCount, refusedCount: 0, isSyncNowPossible: false };
    case 'locked':
      return { state: 'locked', key: 'sync.state.locked', values: {}, pendingCount: sync.pendingCount, refusedCount: 0, isSyncNowPossible: false };
    case 'no-token':
      return { state: 'no-token', key: 'sync.state.noToken', values: {}, pendingCount: sync.pendingCount, refusedCount: 0, isSyncNowPossible: false };
    case 'engine':
      break;
  }
  const { status } = sync;
  const base = { pendingCount: status.pendingCount, refusedCount: status.quarantinedCount, isSyncNowPossible: true };
  switch (status.state) {
    case 'offline':
      return status.nextRetryAt === null
        ? { ...base, state: 'offline', key: 'sync.state.offline', values: {} }
        : { ...base, state: 'offline', key: 'sync.state.offlineRetry', values: { time: formatTime(status.nextRetryAt) } };
    case 'connecting':
      return { ...base, state: 'connecting', key: 'sync.state.connecting', values: {} };
    case 'syncing':
      if (status.total === null) return { ...base, state: 'syncing', key: `sync.state.${status.phase}Unknown`, values: { done: status.done } };
      return { ...base, state: 'syncing', key: `sync.state.${status.phase}`, values: { done: status.done, total: status.total } };
    case 'synced':
      // The live socket is the engine's sign that the hub is reachable: without it, the last sync
      // time alone would read as "all is well" while the link is down.
      return { ...base, state: 'synced', key: status.isLive ? 'sync.state.synced' : 'sync.state.syncedNotLive', values: { time: formatTime(status.at) } };
    case 'error':
      return status.nextRetryAt === null
        ? { ...base, state: 'error', key: 'sync.state.errorStopped', values: { reason: status.reason } }
        : { ...base, state: 'error', key: 'sync.state.error', values: { reason: status.reason, time: formatTime(status.nextRetryAt) } };
  }
}
