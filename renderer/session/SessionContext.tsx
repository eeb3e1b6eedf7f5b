import { createContext, useContext, useEffect, useState } from 'react';
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
