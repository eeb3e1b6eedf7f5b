import { z } from 'zod';
import type { SessionSync } from '../session/session';

/*
 * Whether the hub still takes this device (docs/PROTOCOL.md, "Revoked and wiped devices: what
 * they are told"). The sync engine stops on a refused credential; the app then asks the hub once
 * why, with any authenticated request: `device-wiped` (erase the local copy and say why) or
 * `token-revoked` (keep the data, say it was disconnected), both 401 with the secretariat's reason.
 */

export type DeviceStanding =
  | { readonly kind: 'ok' }
  | { readonly kind: 'revoked'; readonly reason: string | null; readonly revokedAt: number | null }
  | { readonly kind: 'wiped'; readonly reason: string | null; readonly revokedAt: number | null };

/** Codes after which the engine stops for good and the hub may have revoked this device. */
const STOPPING_CODES = new Set(['token-revoked', 'device-wiped', 'unauthorized']);

/** Whether the session's sync stopped on a refused credential: then the hub is asked why. */
export function isCredentialRefused(sync: SessionSync): boolean {
  return sync.kind === 'engine' && sync.status.state === 'error' && sync.status.nextRetryAt === null && STOPPING_CODES.has(sync.status.code ?? '');
}

const refusalBodySchema = z.object({
  error: z.object({ code: z.string(), reason: z.string().optional(), revokedAt: z.number().optional() }),
});

/** The standing an answer of the hub tells: only a 401 with one of the two codes is a revocation. */
export function standingOfAnswer(status: number, text: string): DeviceStanding {
  if (status !== 401) return { kind: 'ok' };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { kind: 'ok' };
  }
  const parsed = refusalBodySchema.safeParse(body);
  if (!parsed.success) return { kind: 'ok' };
  const { code, reason, revokedAt } = parsed.data.error;
  const facts = { reason: reason?.trim() ? reason : null, revokedAt: revokedAt ?? null };
  if (code === 'device-wiped') return { kind: 'wiped', ...facts };
  if (code === 'token-revoked') return { kind: 'revoked', ...facts };
  return { kind: 'ok' };
}

/** Kept across the erase, so the join form can say why this computer's copy is gone. */
const wipeNoticeSchema = z.object({ networkName: z.string(), reason: z.string().nullable(), revokedAt: z.number().nullable(), erasedAt: z.number() });
export type WipeNotice = z.infer<typeof wipeNoticeSchema>;
export const WIPE_NOTICE_KEY = 'fieldwise.wipeNotice';

type SettingsStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export function saveWipeNotice(store: SettingsStore, notice: WipeNotice): void {
  store.setItem(WIPE_NOTICE_KEY, JSON.stringify(notice));
}

export function readWipeNotice(store: SettingsStore): WipeNotice | null {
  try {
    const raw = store.getItem(WIPE_NOTICE_KEY);
    if (raw === null) return null;
    const parsed = wipeNoticeSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function clearWipeNotice(store: SettingsStore): void {
  store.removeItem(WIPE_NOTICE_KEY);
}
