import type { SyncLogEvent } from '../../shared/sync/syncLog';
import { syncFailureKey } from './syncStateLabel';

/*
 * The Sync screen's log in words: pure, so the wording of every event is tested without a browser.
 * `keys` are values that are themselves catalog keys (a phase, a reason), translated before use.
 */

/** Words for the transport's failure: a hub code in the user's language, else what kind of failure. */
function failureKey(event: Extract<SyncLogEvent, { kind: 'error' }>): string {
  if (event.phase === 'local') return 'sync.reason.local';
  // No status: no answer came (the engine's message, e.g. "Failed to fetch", is for support only).
  if (event.status === null && event.code === null) return 'sync.reason.network';
  return syncFailureKey(event.code);
}

/**
 * The catalog key and values that describe one log event, all in words: no sequence numbers, close
 * codes or the engine's English messages. `retryAt`: when the engine now tries again, for the latest
 * error while it is still waiting, so the log names the same next try as the bar.
 */
export function describeEvent(event: SyncLogEvent, formatTime: (at: number) => string, retryAt: number | null): { key: string; values: Record<string, string | number>; keys: Record<string, string> } {
  switch (event.kind) {
    case 'start':
    case 'stop':
      return { key: `sync.log.${event.kind}`, values: {}, keys: {} };
    case 'push':
      return { key: 'sync.log.push', values: { count: event.records }, keys: {} };
    case 'pull':
      return { key: 'sync.log.pull', values: { count: event.records }, keys: {} };
    case 'error': {
      const keys = { phase: `sync.phase.${event.phase}`, reason: failureKey(event) };
      const nextAt = retryAt ?? (event.retryInMs === null ? null : event.at + event.retryInMs);
      return nextAt === null ? { key: 'sync.log.errorStopped', values: {}, keys } : { key: 'sync.log.error', values: { time: formatTime(nextAt) }, keys };
    }
    case 'quarantine':
      return { key: 'sync.log.quarantine', values: { record: event.recordId }, keys: { reason: syncFailureKey(event.code) } };
    case 'live-connect':
      return { key: 'sync.log.liveConnect', values: {}, keys: {} };
    case 'live-disconnect':
      return { key: 'sync.log.liveDisconnect', values: {}, keys: {} };
  }
}

