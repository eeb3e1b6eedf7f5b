import 'fake-indexeddb/auto';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { wrappedValidateAjvStorage } from 'rxdb/plugins/validate-ajv';
import { openClient, type ClientOptions, type FieldwiseClient, type Identity } from '../../shared/client/client';

/*
 * Headless clients for tests. Rows are validated against the schemas (ajv), which production
 * leaves out for speed; fake-indexeddb gives a persistent store that survives close and reopen.
 */

let counter = 0;
const uniqueName = (prefix: string) => `${prefix}-${process.pid}-${Date.now()}-${++counter}`;

export function memoryStorage() {
  return wrappedValidateAjvStorage({ storage: getRxStorageMemory() });
}

export function indexedDbStorage() {
  return wrappedValidateAjvStorage({ storage: getRxStorageDexie() });
}

export interface TestClientOptions extends Partial<Omit<ClientOptions, 'identity'>> {
  readonly identity?: Partial<Identity>;
}

export async function memoryClient(options: TestClientOptions = {}): Promise<FieldwiseClient> {
  return openClient({
    storage: memoryStorage(),
    name: uniqueName('mem'),
    ...options,
    identity: { orgId: 'org-a', deviceId: 'dev-1', role: 'member', ...options.identity },
  });
}

export { uniqueName };
