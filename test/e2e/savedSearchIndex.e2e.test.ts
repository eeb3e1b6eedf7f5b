import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserProfile } from './support/browserProfile';
import { FieldwisePage } from './support/fieldwisePage';
import { serveStatic, type StaticServer } from './support/staticServer';

/*
 * The saved search index lives in a database of the search worker's own
 * (renderer/library/savedSearchIndex.ts), not beside the records: the window's thread never reads
 * or writes its text. A restarted app searches with it, and leaving the demo (erasing this device)
 * deletes it with the records: it holds the entries' words.
 */

const searchDatabases = (app: FieldwisePage) =>
  // Asked without opening any: opening a database by name creates it.
  app.page.evaluate(async () => (await indexedDB.databases()).map((database) => database.name ?? '').filter((name) => name.endsWith('-search')));

const savedIndexLength = (app: FieldwisePage, database: string) =>
  app.page.evaluate(
    (name) =>
      new Promise<number>((resolve, reject) => {
        const request = indexedDB.open(name);
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
          const db = request.result;
          if (!db.objectStoreNames.contains('index')) return resolve(0), db.close();
          const get = db.transaction('index').objectStore('index').get('entries');
          get.onsuccess = () => {
            resolve(typeof get.result?.index === 'string' ? get.result.index.length : 0);
            db.close();
          };
          get.onerror = () => reject(get.error);
        };
      }),
    database,
  );

describe('the saved search index', { timeout: 180_000 }, () => {
  let server: StaticServer;
  const profile = new BrowserProfile('saved-search-index');

  beforeAll(async () => {
    server = await serveStatic();
  });

  afterAll(async () => {
    await profile.dispose();
    await server?.close();
  });

  it('is kept in the search worker’s own database, used after a restart, and erased with the device', async () => {
    let app = new FieldwisePage(await profile.launch({ appUrl: server.url }));
    await app.open(server.url);
    await app.byTestId('demo-button').click();
    await app.search('灌溉', ['节水灌溉：塑料瓶滴灌']);
    // Saved once built (in the worker, into its own database).
    await expect.poll(async () => (await searchDatabases(app)).length, { timeout: 60_000 }).toBe(1);
    const [database] = await searchDatabases(app);
    await expect.poll(() => savedIndexLength(app, database!), { timeout: 60_000 }).toBeGreaterThan(1000);
    await profile.close();

    app = new FieldwisePage(await profile.launch({ appUrl: server.url }));
    await app.open(server.url);
    await app.byTestId('entry-row').first().waitFor();
    await app.search('water cellars', ['What we learned from three years of water cellars']);

    await app.goTo('#/settings');
    await app.byTestId('sign-out').click();
    await app.byTestId('demo-button').waitFor();
    expect(await searchDatabases(app)).toEqual([]);
  });
});
