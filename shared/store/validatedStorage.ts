import { wrappedValidateAjvStorage } from 'rxdb/plugins/validate-ajv';
import { rxStorageOf, storeStorageOf, type StoreStorage } from './storeStorage';

/**
 * The same storage with every written row checked against the schemas (ajv). Tests use it to
 * catch a row the schema would refuse; production leaves it out for speed.
 */
export function validatedStorage(storage: StoreStorage): StoreStorage {
  return storeStorageOf(wrappedValidateAjvStorage({ storage: rxStorageOf(storage) }));
}
