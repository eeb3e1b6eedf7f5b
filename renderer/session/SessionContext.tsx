import { createContext, useCallback, useContext, useEffect, useState, useSyncExternalStore } from 'react';
import type { Platform } from '../platform/platform';
import type { Session, SessionSync } from './session';

export interface SessionContextValue {
  readonly session: Session;
  readonly platform: Platform;
  /** Signs this device out; `isErasing` also deletes its local data. */
  readonly signOut: (isErasing: boolean) => Promise<void>;
}

export const SessionContext = createContext<SessionContextValue | null>(null);

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside a signed-in session');
  return value;
}

export function useSessionSync(session: Session): SessionSync {
  const [sync, setSync] = useState(session.syncState);
  useEffect(() => {
    setSync(session.syncState);
    return session.onDidChangeSync(setSync);
  }, [session]);
  return sync;
}

/**
 * One fact of the session's sync state, redrawing the caller only when that fact changes: every
 * keystroke in an editor changes the count of unsent changes, which a form that only wants to know
 * about refusals must not be redrawn for (it redrew every panel of the entry editor per keystroke).
 * `select` is a module-level function (a new one per render would subscribe again each render).
 */
export function useSessionSyncOf<T>(session: Session, select: (sync: SessionSync) => T): T {
  const subscribe = useCallback((onChange: () => void) => session.onDidChangeSyncOf(select, onChange), [session, select]);
  return useSyncExternalStore(subscribe, () => select(session.syncState));
}
