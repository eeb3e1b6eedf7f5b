import { z } from 'zod';
import { auditEntrySchema, invitationSchema, orgSchema, settingsSchema } from './adminApi';

/*
 * The console's last fetched lists, kept per network on this device, so with no connection to the
 * hub the secretariat still sees them, with the time they were fetched. Never an invitation's code
 * or link: those are shown once and kept nowhere. Read back like any input from outside.
 */

const cachedSchema = z.object({
  orgs: z.object({ at: z.number(), value: z.array(orgSchema) }).optional(),
  invitations: z.object({ at: z.number(), value: z.array(invitationSchema) }).optional(),
  settings: z.object({ at: z.number(), value: settingsSchema }).optional(),
  audit: z.object({ at: z.number(), value: z.array(auditEntrySchema) }).optional(),
});
export type AdminCache = z.infer<typeof cachedSchema>;
export type AdminCacheKey = keyof AdminCache;

type SettingsStore = Pick<Storage, 'getItem' | 'setItem'>;

const keyOf = (networkId: string) => `fieldwise.adminCache.${networkId}`;

export function readAdminCache(store: SettingsStore, networkId: string): AdminCache {
  try {
    const raw = store.getItem(keyOf(networkId));
    if (raw === null) return {};
    const parsed = cachedSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

export function writeAdminCache<K extends AdminCacheKey>(store: SettingsStore, networkId: string, key: K, entry: NonNullable<AdminCache[K]>): AdminCache {
  const next = { ...readAdminCache(store, networkId), [key]: entry };
  try {
    store.setItem(keyOf(networkId), JSON.stringify(next));
  } catch {
    // A full storage loses only the offline copy; the screen still shows what it fetched.
  }
  return next;
}
