import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { roleSchema, type Role } from '../shared/records/recordType';
import { bundleLimits } from '../shared/sync/bundle';
import { exportOrgBundle } from './hub/bundles';
import { compactRecords } from './hub/compaction';
import { Hub } from './hub/hub';
import { loadHubKey } from './hub/hubKey';
import { HubError } from './hub/hubError';
import { initNetwork, inviteOrg } from './hub/networkAdmin';
import type { HubStorage } from './storage/hubStorage';
import { openSqliteStorage } from './storage/sqliteStorage';

/*
 * `npm run hub -- <command>`: what the secretariat runs. Commands print their result last, so
 * scripts can take the invitation code from the last line.
 */

const usage = `usage: npm run hub -- <command> [options]
  init    --data DIR --network NAME [--topic TOPIC]           create a network; prints the secretariat's invitation
  invite  --data DIR --org-name NAME --role ROLE              invite an organization (member|steward|observer|secretariat)
  invite  --data DIR --org ORG_ID                             invite another device of an organization
  revoke  --data DIR (--credential ID | --org ORG_ID)         revoke device credentials
  orgs    --data DIR                                          list organizations with their last-seen time
  backup  --data DIR --out FILE                               a consistent copy, also while serving
  compact --data DIR                                          trim long update logs now
  key     --data DIR                                          print the hub's public seal key (to check results offline)
  serve   --data DIR [--host 127.0.0.1] [--port 8787] [--tls-cert FILE --tls-key FILE] [--web-app DIR]
                                                              also serves the web app at its address (renderer/dist when built)
  import-bundle --data DIR FILE                               commit a device's sync bundle (from a USB stick)
  export-bundle --data DIR --org ORG_ID --since CHECKPOINT FILE   write what ORG may read since CHECKPOINT, signed
every command also takes --database-url postgres://… instead of --data (PostgreSQL instead of SQLite)`;

const options = {
  data: { type: 'string' },
  'database-url': { type: 'string' },
  network: { type: 'string' },
  topic: { type: 'string' },
  'org-name': { type: 'string' },
  org: { type: 'string' },
  role: { type: 'string' },
  credential: { type: 'string' },
  out: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  since: { type: 'string' },
  'web-app': { type: 'string' },
} as const;

/** The renderer's build in this checkout, which `serve` offers at the hub's address when it is there. */
const DEFAULT_WEB_APP_DIR = resolve(import.meta.dirname, '..', 'renderer', 'dist');

/** Commands that take one file path after their options. */
const FILE_COMMANDS = new Set(['import-bundle', 'export-bundle']);

class UsageError extends Error {}

async function openStorage(values: { data?: string; 'database-url'?: string }): Promise<HubStorage> {
  if (values['database-url']) {
    const { openPostgresStorage } = await import('./storage/postgresStorage');
    const storage = await openPostgresStorage({ connectionString: values['database-url'] });
    await storage.migrate();
    return storage;
  }
  if (!values.data) throw new UsageError('--data DIR (or --database-url) is required');
  const storage = openSqliteStorage(join(values.data, 'hub.sqlite'));
  await storage.migrate();
  return storage;
}

function readBundleFile(file: string): Uint8Array {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new UsageError(`cannot read ${file}`);
  }
  if (size > bundleLimits.maxBundleBytes) throw new UsageError(`${file} is ${size} bytes; a bundle may be at most ${bundleLimits.maxBundleBytes}`);
  return new Uint8Array(readFileSync(file));
}

/** Written beside the target and renamed, so a stick pulled out mid-write never holds half a bundle under the final name. */
function writeFileAtomically(file: string, bytes: Uint8Array): void {
  const partial = `${file}.partial`;
  const handle = openSync(partial, 'w');
  try {
    writeSync(handle, bytes);
    fsyncSync(handle);
  } finally {
    closeSync(handle);
  }
  renameSync(partial, file);
}

function parseRole(value: string | undefined): Role {
  const parsed = roleSchema.safeParse(value ?? 'member');
  if (!parsed.success) throw new UsageError(`--role must be one of ${roleSchema.options.join(', ')}`);
  return parsed.data;
}

async function serve(values: Record<string, string | undefined>, storage: HubStorage): Promise<void> {
  // Loaded here: Fastify and its plugins would add about a second to every other command, which
  // scripts (and tests holding keep-alive connections while a command runs) wait for.
  const { startHubServer, jsonLogger } = await import('./http/httpServer');
  const { createYjsRoute } = await import('./http/yjsEndpoint');
  const hub = await Hub.open({ storage });
  hub.startValidation();
  const yjs = createYjsRoute(hub);
  const port = Number(values.port ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be a port number');
  if (Boolean(values['tls-cert']) !== Boolean(values['tls-key'])) throw new UsageError('--tls-cert and --tls-key go together');
  const tls = values['tls-cert'] && values['tls-key'] ? { cert: readFileSync(values['tls-cert']), key: readFileSync(values['tls-key']) } : undefined;
  let stopFanout: (() => Promise<void>) | null = null;
  if (values['database-url']) {
    const { startPgFanout } = await import('./storage/pgFanout');
    stopFanout = await startPgFanout(storage, hub);
  }
  const { isWebAppBuild } = await import('./http/webApp');
  const webAppDir = values['web-app'] ? resolve(values['web-app']) : DEFAULT_WEB_APP_DIR;
  const servesWebApp = isWebAppBuild(webAppDir);
  if (values['web-app'] && !servesWebApp) throw new UsageError(`--web-app ${values['web-app']} holds no built web app (index.html and content-security-policy.txt); run npm run build:renderer`);
  const server = await startHubServer({ hub, host: values.host ?? '127.0.0.1', port, ...(tls ? { tls } : {}), upgradeRoutes: [yjs], ...(servesWebApp ? { webAppDir } : {}) });
  const compaction = setInterval(() => void compactRecords(storage).catch(() => undefined), 60_000);
  // Seals proposals whose closing plus grace has passed (governance): every 20 s is well inside the
  // settle margin, and sealing is idempotent across processes.
  const stopSealing = hub.startSealTimer(20_000, (error) =>
    jsonLogger({ level: 'error', message: 'sealing failed', error: error instanceof Error ? error.message : String(error) }),
  );
  jsonLogger({ level: 'info', message: 'hub serving', url: server.url, networkId: hub.networkId, webApp: servesWebApp ? webAppDir : null });
  if (!servesWebApp) jsonLogger({ level: 'info', message: 'no built web app to serve (npm run build:renderer): members need the desktop app or another copy of the web app' });
  const stop = async () => {
    clearInterval(compaction);
    stopSealing();
    yjs.close();
    await server.close();
    await stopFanout?.();
    await hub.close();
    await storage.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({ args: rest, options, strict: true, allowPositionals: true });
  if (!command || command === 'help' || command === '--help') {
    console.log(usage);
    return;
  }
  if (FILE_COMMANDS.has(command) ? positionals.length !== 1 : positionals.length > 0) {
    throw new UsageError(FILE_COMMANDS.has(command) ? `${command} needs exactly one FILE` : `unexpected argument ${positionals[0]}`);
  }
  // Read before the storage opens: a missing file is a usage problem, not a hub one.
  const bundleBytes = command === 'import-bundle' ? readBundleFile(positionals[0]!) : null;
  const storage = await openStorage(values);
  if (command === 'serve') return serve(values, storage);
  try {
    switch (command) {
      case 'init': {
        if (!values.network?.trim()) throw new UsageError('--network NAME is required');
        const invitation = await initNetwork(storage, { name: values.network, ...(values.topic ? { topic: values.topic } : {}) });
        console.log(`network "${values.network}" created; invitation for the secretariat (valid until ${new Date(invitation.expiresAt).toISOString()}):`);
        console.log(invitation.code);
        break;
      }
      case 'invite': {
        const invitation = values.org
          ? await inviteOrg(storage, { orgId: values.org })
          : await inviteOrg(storage, { ...(values['org-name'] ? { orgName: values['org-name'] } : {}), role: parseRole(values.role) });
        console.log(`invitation for ${invitation.orgId} as ${invitation.role} (valid until ${new Date(invitation.expiresAt).toISOString()}):`);
        console.log(invitation.code);
        break;
      }
      case 'revoke': {
        const target = values.credential ? { credentialId: values.credential } : values.org ? { orgId: values.org } : null;
        if (!target) throw new UsageError('revoke needs --credential ID or --org ORG_ID');
        console.log(`${await storage.revokeCredentials(target, Date.now())} credential(s) revoked`);
        break;
      }
      case 'orgs': {
        for (const org of await storage.listOrgs()) {
          const seen = org.lastSeenAt ? new Date(org.lastSeenAt).toISOString() : 'never';
          console.log(`${org.id}\t${org.role}\t${seen}\t${org.name}`);
        }
        break;
      }
      case 'backup': {
        if (!values.out) throw new UsageError('--out FILE is required');
        await storage.backup(values.out);
        console.log(`backup written to ${values.out}`);
        break;
      }
      case 'key': {
        if (!(await storage.getMeta('networkId'))) throw new Error('no network here yet: run `hub init` first');
        console.log((await loadHubKey(storage)).publicKey);
        break;
      }
      case 'compact': {
        console.log(`${await compactRecords(storage, { minUpdates: 1, limit: 100_000 })} record(s) compacted`);
        break;
      }
      case 'import-bundle': {
        const result = await (await Hub.open({ storage })).importBundle(bundleBytes!);
        const { header } = result;
        console.log(`bundle from device ${header.deviceId} of ${header.orgId} (written ${new Date(header.createdAt).toISOString()}): ${header.recordCount} record(s)`);
        console.log(`${result.committedCount} record(s) committed, ${header.recordCount - result.committedCount} already up to date; hub seq ${await storage.lastSeq()}`);
        break;
      }
      case 'export-bundle': {
        if (!values.org) throw new UsageError('--org ORG_ID is required');
        const since = Number(values.since ?? '');
        if (values.since === undefined || !Number.isSafeInteger(since) || since < 0) throw new UsageError('--since CHECKPOINT (a sequence number, 0 for everything) is required');
        const hub = await Hub.open({ storage });
        const { bytes, header } = await exportOrgBundle(hub, { orgId: values.org, since, signer: hub.hubKey });
        writeFileAtomically(positionals[0]!, bytes);
        console.log(`${header.recordCount} record(s) for ${header.orgId}, changes ${header.fromSeq + 1}..${header.toSeq} (${bytes.length} bytes)`);
        console.log(`bundle written to ${positionals[0]!}`);
        break;
      }
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } finally {
    await storage.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
    console.error(`${error.message}\n\n${usage}`);
    process.exitCode = 2;
    return;
  }
  // A refusal (a bad bundle): its code and sentence, no stack; nothing was written.
  if (error instanceof HubError) console.error(`refused (${error.code}): ${error.message}`);
  else console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
