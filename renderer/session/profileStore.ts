import { clearProfile, deviceProfileSchema, readProfile, writeProfile, type DeviceProfile } from './deviceProfile';

/*
 * The device profile kept where it survives a crash. Chromium writes localStorage to disk seconds
 * late, so a browser killed right after joining came back to the onboarding screen and opened no
 * database: the entries were still in IndexedDB, under a name nothing pointed to. The profile now
 * goes into IndexedDB too (a committed transaction is on disk), and localStorage stays the fast
 * first read.
 */

const DATABASE = 'fieldwise-device';
const STORE = 'profile';
const KEY = 'current';

type SettingsStore = Parameters<typeof readProfile>[0];

function openDevice(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('cannot open the device database'));
  });
}

async function inStore<T>(mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDevice();
  try {
    return await new Promise<T>((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const request = action(transaction.objectStore(STORE));
      // Resolved on the transaction's completion, not the request's: only then is it committed.
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error ?? new Error('device database write failed'));
      transaction.onabort = () => reject(transaction.error ?? new Error('device database write aborted'));
    });
  } finally {
    db.close();
  }
}

export async function saveProfile(settings: SettingsStore, profile: DeviceProfile): Promise<void> {
  writeProfile(settings, profile);
  await inStore('readwrite', (store) => store.put(JSON.stringify(profile), KEY));
}

/** The profile from localStorage, else the durable copy (restored to localStorage), else null. */
export async function loadProfile(settings: SettingsStore): Promise<DeviceProfile | null> {
  const fast = readProfile(settings);
  if (fast) return fast;
  const raw = await inStore<unknown>('readonly', (store) => store.get(KEY)).catch(() => undefined);
  if (typeof raw !== 'string') return null;
  try {
    const parsed = deviceProfileSchema.safeParse(JSON.parse(raw));
    if (!parsed.success) return null;
    writeProfile(settings, parsed.data);
    return parsed.data;
  } catch {
    return null;
  }
}

export async function forgetProfile(settings: SettingsStore): Promise<void> {
  clearProfile(settings);
  await inStore('readwrite', (store) => store.delete(KEY));
}
