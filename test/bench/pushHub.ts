import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hub } from '../../server/hub/hub';
import { initNetwork, inviteOrg } from '../../server/hub/networkAdmin';
import { startHubServer } from '../../server/http/httpServer';
import { openSqliteStorage } from '../../server/storage/sqliteStorage';

/*
 * The hub for push.bench.ts, in a child process of its own (the load generator must not share its
 * thread): SQLite in a temporary folder, `argv[2]` validation workers (0 = validate on the main
 * thread, as before the worker), `argv[3]` organizations invited. Prints one JSON line with the
 * URL and the invitation codes; exits when stdin closes.
 */

const workers = Number(process.argv[2] ?? '2');
const orgs = Number(process.argv[3] ?? '50');
const dataDir = mkdtempSync(join(tmpdir(), 'fieldwise-bench-push-'));
const storage = openSqliteStorage(join(dataDir, 'hub.sqlite'));
await storage.migrate();
await initNetwork(storage, { name: 'Push bench network' });
const codes: string[] = [];
for (let o = 0; o < orgs; o++) codes.push((await inviteOrg(storage, { orgName: `Push org ${o + 1}`, role: 'member' })).code);
const hub = await Hub.open({ storage, validation: { workers } });
hub.startValidation();
const server = await startHubServer({ hub, port: 0, requestsPerMinute: 1_000_000, logger: () => undefined });
console.log(JSON.stringify({ url: server.url, codes }));
process.stdin.resume();
process.stdin.on('end', () => {
  void (async () => {
    await server.close();
    await hub.close();
    await storage.close();
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  })();
});
