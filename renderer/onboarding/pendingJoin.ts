import { z } from 'zod';

/*
 * The join a person started, kept across the one reload the desktop asks for when it lets the page
 * reach a new hub (the hub is in the page's Content-Security-Policy, which a page keeps from its
 * load). Kept in sessionStorage: this window only, gone when it closes, read back like any input
 * from outside, and removed as soon as the join goes on. The passphrase is never kept; where one is
 * needed, the person types it again.
 */

const pendingJoinSchema = z.strictObject({
  code: z.string(),
  /** Already normalized (normalizeHubUrl). */
  hubUrl: z.string(),
  deviceName: z.string(),
});
export type PendingJoin = z.infer<typeof pendingJoinSchema>;

export const PENDING_JOIN_KEY = 'fieldwise.pendingJoin';

type SessionStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export function savePendingJoin(storage: SessionStore, join: PendingJoin): void {
  storage.setItem(PENDING_JOIN_KEY, JSON.stringify(join));
}

/** The pending join, or null when there is none or what is stored is not one. */
export function readPendingJoin(storage: SessionStore): PendingJoin | null {
  try {
    const raw = storage.getItem(PENDING_JOIN_KEY);
    if (raw === null) return null;
    const parsed = pendingJoinSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function clearPendingJoin(storage: SessionStore): void {
  storage.removeItem(PENDING_JOIN_KEY);
}
