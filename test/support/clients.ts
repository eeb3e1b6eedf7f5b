import 'fake-indexeddb/auto';
import { openClient, type ClientOptions, type FieldwiseClient, type Identity } from '../../shared/client/client';
import { dexieStorage } from '../../shared/store/dexieStorage';
import { memoryStorage as plainMemoryStorage } from '../../shared/store/memoryStorage';
import type { StoreStorage } from '../../shared/store/storeStorage';
import { validatedStorage } from '../../shared/store/validatedStorage';

/*
 * Headless clients for tests. Rows are validated against the schemas (ajv), which production
 * leaves out for speed; fake-indexeddb gives a persistent store that survives close and reopen.
 */

let counter = 0;
const uniqueName = (prefix: string) => `${prefix}-${process.pid}-${Date.now()}-${++counter}`;

export function memoryStorage(): StoreStorage {
  return validatedStorage(plainMemoryStorage());
}

export function indexedDbStorage(): StoreStorage {
  return validatedStorage(dexieStorage());
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
