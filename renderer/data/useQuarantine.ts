import { useEffect, useState } from 'react';
import type { QuarantinedEntry } from '../../shared/sync/syncEngine';
import type { Session, SessionSync } from '../session/session';
import { useSessionSyncOf } from '../session/SessionContext';

const quarantinedCountOf = (sync: SessionSync): number => (sync.kind === 'engine' ? sync.status.quarantinedCount : 0);

/** The hub's refusals of this record's changes, kept locally by the sync engine's quarantine. */
export function useQuarantine(session: Session, recordId: string): readonly QuarantinedEntry[] {
  const count = useSessionSyncOf(session, quarantinedCountOf);
  const [entries, setEntries] = useState<readonly QuarantinedEntry[]>([]);
  useEffect(() => {
    const engine = session.syncEngine;
    if (!engine || count === 0) {
      setEntries([]);
      return;
    }
    let isCurrent = true;
    void engine.quarantined().then((all) => {
      if (isCurrent) setEntries(all.filter((entry) => entry.recordId === recordId));
    });
    return () => {
      isCurrent = false;
    };
  }, [session, recordId, count]);
  return entries;
}
