import { useEffect, useState } from 'react';
import type { Session } from '../session/session';
import { useSessionSyncOf } from '../session/SessionContext';
import { isCredentialRefused, standingOfAnswer, type DeviceStanding } from './deviceStanding';

/** This device's standing at the hub: asked once each time sync stops on a refused credential. */
export function useDeviceStanding(session: Session): DeviceStanding {
  const isRefused = useSessionSyncOf(session, isCredentialRefused);
  const [standing, setStanding] = useState<DeviceStanding>({ kind: 'ok' });
  useEffect(() => {
    if (!isRefused) return;
    let isCurrent = true;
    void (async () => {
      try {
        const response = await session.hubRequest('/v1/network-status', { method: 'GET' });
        if (!response || !isCurrent) return;
        const answer = standingOfAnswer(response.status, await response.text());
        if (isCurrent) setStanding(answer);
      } catch {
        // No answer: the hub is asked again the next time sync stops.
      }
    })();
    return () => {
      isCurrent = false;
    };
  }, [session, isRefused]);
  return standing;
}
