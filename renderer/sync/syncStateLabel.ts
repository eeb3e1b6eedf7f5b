import type { TFunction } from 'i18next';
import { hubRefusalKey } from '../i18n/refusalText';
import type { SessionSync } from '../session/session';

/*
 * What the sync bar says, as a catalog key and its values: pure, so the wording of every state is
 * tested without a browser. `state` is the language-independent name end-to-end tests read.
 *
 * Each state stands on a fact, never on the absence of one:
 * - offline: the platform says there is no network, or the engine's last request got no answer;
 * - synced: the last session succeeded and nothing since says the hub is gone (the live socket may
 *   still be opening: the hub answered a moment ago);
 * - unreachable: synced at T, but since then a request or the live socket found no hub;
 * - error: the hub answered with a refusal (or this device's store failed), with words for why
 *   and the next try, the same instant the Sync screen and its log show.
 */

export type SyncLabelState = 'demo' | 'locked' | 'no-token' | 'offline' | 'connecting' | 'syncing' | 'synced' | 'unreachable' | 'error';

export interface SyncLabel {
  readonly state: SyncLabelState;
  readonly key: string;
  /** Plain values; `reason` (when present) is itself a catalog key: see syncLabelText. */
  readonly values: Record<string, string | number>;
  readonly pendingCount: number;
  /** Changes the hub refused, kept on this device (the sync engine's quarantine). */
  readonly refusedCount: number;
  readonly isSyncNowPossible: boolean;
  /** When the engine tries again by itself; null when it does not (or is not waiting). */
  readonly nextRetryAt: number | null;
}

/** What the platform says beside the engine: `navigator.onLine` and its events in the browser. */
export interface PlatformFacts {
  readonly isOnline: boolean;
}

const AUTH_CODES = new Set(['unauthorized', 'token-expired', 'token-revoked']);

/**
 * The catalog key of an engine failure's reason: a hub code in words, the store's own failure, or
 * (a code this app does not know, none at all) that the hub answered with an error. Never the
 * engine's English message.
 */
export function syncFailureKey(code: string | null): string {
  if (code === 'local') return 'sync.reason.local';
  if (code === null) return 'sync.reason.hubError';
  return hubRefusalKey(code) ?? 'sync.reason.hubError';
}

/** What the user can do about a failure the engine stopped on (a refused credential). */
function stoppedActionKey(code: string | null): string {
  return code !== null && AUTH_CODES.has(code) ? 'sync.action.joinAgain' : 'sync.action.syncNow';
}

export function syncLabel(sync: SessionSync, formatTime: (at: number) => string, platform: PlatformFacts = { isOnline: true }): SyncLabel {
  const none = { refusedCount: 0, isSyncNowPossible: false, nextRetryAt: null };
  switch (sync.kind) {
    case 'demo':
      return { ...none, state: 'demo', key: 'sync.state.demo', values: {}, pendingCount: sync.pendingCount };
    case 'locked':
      return { ...none, state: 'locked', key: 'sync.state.locked', values: {}, pendingCount: sync.pendingCount };
    case 'no-token':
      return { ...none, state: 'no-token', key: 'sync.state.noToken', values: {}, pendingCount: sync.pendingCount };
    case 'engine':
      break;
  }
  const { status } = sync;
  const base = { pendingCount: status.pendingCount, refusedCount: status.quarantinedCount, isSyncNowPossible: true };
  const lastSyncedAt = status.lastSyncedAt ?? (status.state === 'synced' ? status.at : null);
  const offline = (nextRetryAt: number | null): SyncLabel => {
    const values: Record<string, string> = {};
    if (lastSyncedAt !== null) values.synced = formatTime(lastSyncedAt);
    if (nextRetryAt !== null) values.time = formatTime(nextRetryAt);
    const key = `sync.state.offline${lastSyncedAt !== null ? 'Synced' : ''}${nextRetryAt !== null ? 'Retry' : ''}`;
    return { ...base, state: 'offline', key, values, nextRetryAt };
  };
  // The platform knows the network is gone before any request times out; a sync under way says more.
  if (!platform.isOnline && status.state !== 'syncing' && status.state !== 'error') return offline(status.state === 'offline' ? status.nextRetryAt : null);
  switch (status.state) {
    case 'offline':
      return offline(status.nextRetryAt);
    case 'connecting':
      return { ...base, state: 'connecting', key: 'sync.state.connecting', values: {}, nextRetryAt: null };
    case 'syncing':
      if (status.total === null) return { ...base, state: 'syncing', key: `sync.state.${status.phase}Unknown`, values: { done: status.done }, nextRetryAt: null };
      return { ...base, state: 'syncing', key: `sync.state.${status.phase}`, values: { done: status.done, total: status.total }, nextRetryAt: null };
    case 'synced':
      if (status.isLive) return { ...base, state: 'synced', key: 'sync.state.syncedLive', values: { time: formatTime(status.at) }, nextRetryAt: null };
      // Without the live socket, "synced" holds only while nothing since has found the hub gone.
      if (status.unreachableSince === null || status.unreachableSince < status.at)
        return { ...base, state: 'synced', key: 'sync.state.synced', values: { time: formatTime(status.at) }, nextRetryAt: null };
      return { ...base, state: 'unreachable', key: 'sync.state.syncedNotLive', values: { time: formatTime(status.at) }, nextRetryAt: null };
    case 'error':
      return status.nextRetryAt === null
        ? { ...base, state: 'error', key: 'sync.state.errorStopped', values: { reason: syncFailureKey(status.code), action: stoppedActionKey(status.code) }, nextRetryAt: null }
        : { ...base, state: 'error', key: 'sync.state.error', values: { reason: syncFailureKey(status.code), time: formatTime(status.nextRetryAt) }, nextRetryAt: status.nextRetryAt };
  }
}

/** The label in words: its reason and action keys translated first. */
export function syncLabelText(t: TFunction, label: SyncLabel): string {
  const values: Record<string, string | number> = { ...label.values };
  if (typeof values.reason === 'string') values.reason = t(values.reason);
  if (typeof values.action === 'string') values.action = t(values.action);
  return t(label.key, values);
}
