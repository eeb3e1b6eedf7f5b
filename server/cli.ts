import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { roleSchema, type Role } from '../shared/records/recordType';
import { bundleLimits, bundleMediaLevels, bundleMediaLevelSchema } from '../shared/sync/bundle';
import { exportOrgBundle } from './hub/bundles';
import { Hub } from './hub/hub';
import { loadHubKey } from './hub/hubKey';
import type { OrgQuotas } from './hub/quotas';
import { HubError } from './hub/hubError';
import {
  allAuditEntries,
  auditCsv,
  COMMAND_LINE_ACTOR,
  createInvitation,
  initNetwork,
  listInvitations,
  listOrganizations,
  revokeDevice,
  revokeOrganization,
  setOrganizationRole,
  setStewardScopes,
  withdrawInvitation,
  type AdminContext,
} from './hub/networkAdmin';
import { hubAddressSchema } from '../shared/sync/adminProtocol';
import type { HubStorage } from './storage/hubStorage';
import type { HubBlobStorage } from './storage/hubBlobStorage';
import { FileHubBlobStorage } from './storage/fileHubBlobStorage';
import type { PostgresHubStorage } from './storage/postgresStorage';
import { secretModeWarnings } from './storage/secretFileModes';
import { openSqliteStorage } from './storage/sqliteStorage';

/*
 * `npm run hub -- <command>`: what the secretariat runs. Commands print their result last, so
 * scripts can take the invitation code from the last line.
 */

const usage = `usage: npm run hub -- <command> [options]
  init    --data DIR --network NAME [--topic TOPIC] [--secretariat-name NAME]
                                                              create a network; prints the secretariat's invitation
  invite  --data DIR --org-name NAME --role ROLE [--days N] [--hub URL]
                                                              invite an organization (member|steward|observer); with --hub also prints the link
  invite  --data DIR --org ORG_ID [--days N] [--hub URL]      invite another device of an organization
  invitations --data DIR                                      list invitations with their ids and states
  withdraw --data DIR --invitation INV_ID                     withdraw a pending invitation
  revoke  --data DIR (--credential ID | --org ORG_ID) [--reason TEXT] [--wipe]
                                                              revoke a device or a whole organization (--wipe: erase at next contact)
  orgs    --data DIR                                          list organizations with their last-seen time
  devices --data DIR                                          list devices with their credential ids
  role    --data DIR --org ORG_ID --role ROLE                 change an organization's role (member|steward|observer)
  grant   --data DIR --org ORG_ID --scopes LIST               set a steward's scopes (comma-separated: proposals,offers,review; '' withdraws all)
  audit   --data DIR [--csv]                                  print the audit log (JSON lines, or CSV)
  backup  --data DIR --out FILE                               a consistent copy, also while serving
  compact --data DIR                                          trim long update logs now
  gc-blobs --data DIR                                         delete blobs no record has referenced for 7 days, and uploads idle for a day (also daily while serving)
  key     --data DIR                                          print the hub's public seal key (to check results offline)
  repair-ids --data DIR                                       move records off ids reserved for another type (also done at every start)
  serve   --data DIR [--host 127.0.0.1] [--port 8787] [--tls-cert FILE --tls-key FILE] [--web-app DIR]
          [--quota-records-per-minute 2000] [--quota-storage-mib 512]   per-organization quotas (serve, import-bundle)
                                                              also serves the web app at its address (renderer/dist when built)
  import-bundle --data DIR FILE                               commit a device's sync bundle (from a USB stick)
  export-bundle --data DIR --org ORG_ID --since CHECKPOINT [--media none|thumbnails|previews|originals] FILE
                                                               write what ORG may read since CHECKPOINT, signed, with media up to that level
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
  media: { type: 'string' },
  'web-app': { type: 'string' },
  'secretariat-name': { type: 'string' },
  days: { type: 'string' },
  hub: { type: 'string' },
  invitation: { type: 'string' },
  reason: { type: 'string' },
  wipe: { type: 'boolean' },
  scopes: { type: 'string' },
  csv: { type: 'boolean' },
  'quota-records-per-minute': { type: 'string' },
  'quota-storage-mib': { type: 'string' },
} as const;

/** The renderer's build in this checkout, which `serve` offers at the hub's address when it is there. */
const DEFAULT_WEB_APP_DIR = resolve(import.meta.dirname, '..', 'renderer', 'dist');

/** Commands that take one file path after their options. */
const FILE_COMMANDS = new Set(['import-bundle', 'export-bundle']);

class UsageError extends Error {}

/** Runs `use` on a hub over `storage`, then stops the hub's validation workers, so the command exits. */
async function withHub<T>(options: Parameters<typeof Hub.open>[0], use: (hub: Hub) => Promise<T>): Promise<T> {
  const hub = await Hub.open(options);
  try {
    return await use(hub);
  } finally {
    await hub.close();
  }
}

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

/** Blobs beside the records: files in the data folder (blobs/), or rows in the same PostgreSQL schema. */
async function openBlobStorage(values: { data?: string; 'database-url'?: string }, storage: HubStorage): Promise<HubBlobStorage> {
  if (values['database-url'] && 'pool' in storage) {
    const { openPostgresHubBlobStorage } = await import('./storage/postgresHubBlobStorage');
    return openPostgresHubBlobStorage({ pool: (storage as PostgresHubStorage).pool });
  }
  if (!values.data) throw new UsageError('--data DIR (or --database-url) is required');
  return new FileHubBlobStorage(values.data);
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
  if (!parsed.success || parsed.data === 'secretariat') throw new UsageError('--role must be one of member, steward, observer');
  return parsed.data;
}

/** The parsed options: strings, and booleans for the flags. */
type CliValues = { [K in keyof typeof options]?: (typeof options)[K]['type'] extends 'boolean' ? boolean : string };

/** `--quota-records-per-minute`, `--quota-storage-mib`: each organization's quotas (server/hub/quotas.ts); defaults when absent. */
function quotaOptions(values: CliValues): Partial<OrgQuotas> {
  const quotas: { newRecordsPerMinute?: number; storedBytes?: number } = {};
  if (values['quota-records-per-minute'] !== undefined) {
    const perMinute = Number(values['quota-records-per-minute']);
    if (!Number.isSafeInteger(perMinute) || perMinute < 1) throw new UsageError('--quota-records-per-minute must be a whole number of at least 1');
    quotas.newRecordsPerMinute = perMinute;
  }
  if (values['quota-storage-mib'] !== undefined) {
    const mib = Number(values['quota-storage-mib']);
    if (!Number.isSafeInteger(mib) || mib < 1) throw new UsageError('--quota-storage-mib must be a whole number of at least 1');
    quotas.storedBytes = mib * 1024 * 1024;
  }
  return quotas;
}

async function serve(values: CliValues, storage: HubStorage): Promise<void> {
  // Loaded here: Fastify and its plugins would add about a second to every other command, which
  // scripts (and tests holding keep-alive connections while a command runs) wait for.
  const { startHubServer, jsonLogger } = await import('./http/httpServer');
  const { createYjsRoute } = await import('./http/yjsEndpoint');
  const hub = await Hub.open({ storage, quotas: quotaOptions(values), blobs: await openBlobStorage(values, storage) });
  for (const move of hub.repairs) jsonLogger({ level: 'warn', message: 'moved a record off an id reserved for another type', ...move });
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
  const compaction = setInterval(() => void hub.compact().catch(() => undefined), 60_000);
  // Seals proposals whose closing plus grace has passed (governance): every 20 s is well inside the
  // settle margin, and sealing is idempotent across processes.
  const stopSealing = hub.startSealTimer(20_000, (error) =>
    jsonLogger({ level: 'error', message: 'sealing failed', error: error instanceof Error ? error.message : String(error) }),
  );
  // Blobs no record references any more, past their grace, and abandoned uploads: at start and daily.
  const stopBlobCollection = hub.startBlobCollectionTimer(
    24 * 3600_000,
    (result) => jsonLogger({ level: 'info', message: 'blobs collected', ...result }),
    (error) => jsonLogger({ level: 'error', message: 'blob collection failed', error: error instanceof Error ? error.message : String(error) }),
  );
  jsonLogger({ level: 'info', message: 'hub serving', url: server.url, networkId: hub.networkId, webApp: servesWebApp ? webAppDir : null });
  if (!servesWebApp) jsonLogger({ level: 'info', message: 'no built web app to serve (npm run build:renderer): members need the desktop app or another copy of the web app' });
  const stop = async () => {
    clearInterval(compaction);
    stopSealing();
    stopBlobCollection();
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
  if (command === 'init' || command === 'serve') {
    const secrets = [...(values.data ? [values.data, join(values.data, 'hub.sqlite'), join(values.data, 'blobs'), join(values.data, 'blob-uploads')] : []), ...(values['tls-key'] ? [values['tls-key']] : [])];
    for (const warning of secretModeWarnings(secrets)) console.error(warning);
  }
  if (command === 'serve') return serve(values, storage);
  const admin = (): AdminContext => ({ storage, actor: COMMAND_LINE_ACTOR, now: Date.now() });
  try {
    switch (command) {
      case 'init': {
        if (!values.network?.trim()) throw new UsageError('--network NAME is required');
        const invitation = await initNetwork(storage, {
          name: values.network,
          ...(values.topic ? { topic: values.topic } : {}),
          ...(values['secretariat-name'] ? { secretariatName: values['secretariat-name'] } : {}),
        });
        console.log(`network "${values.network}" created; invitation for the secretariat (valid until ${new Date(invitation.expiresAt).toISOString()}):`);
        console.log(invitation.code);
        break;
      }
      case 'invite': {
        const days = values.days === undefined ? undefined : Number(values.days);
        if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 90)) throw new UsageError('--days must be a whole number from 1 to 90');
        if (values.hub !== undefined && !hubAddressSchema.safeParse(values.hub).success) throw new UsageError('--hub must be an http(s) address without a trailing slash');
        const common = { ...(days !== undefined ? { expiresInDays: days } : {}), ...(values.hub !== undefined ? { hubAddress: values.hub } : {}) };
        if (!values.org && !values['org-name']?.trim()) throw new Error('an invitation needs --org-name (a new organization) or --org (another device)');
        const created = values.org
          ? await createInvitation(admin(), { orgId: values.org, ...common })
          : await createInvitation(admin(), { ...(values['org-name'] ? { orgName: values['org-name'] } : {}), role: parseRole(values.role), ...common });
        const { invitation } = created;
        console.log(`invitation ${invitation.id} for ${invitation.orgId} as ${invitation.role} (valid until ${new Date(invitation.expiresAt).toISOString()}):`);
        if (created.link) console.log(`link: ${created.link}`);
        console.log(created.code);
        break;
      }
      case 'invitations': {
        for (const row of await listInvitations(storage, Date.now())) {
          const used = row.usedBy ? `${row.usedBy.credentialId} ${row.usedBy.deviceName}` : '';
          console.log(`${row.id}\t${row.state}\t${row.orgId}\t${row.role}\t${new Date(row.expiresAt).toISOString()}\t${row.orgName}\t${used}`);
        }
        break;
      }
      case 'withdraw': {
        if (!values.invitation) throw new UsageError('withdraw needs --invitation INV_ID (see `invitations`)');
        console.log(`invitation ${(await withdrawInvitation(admin(), values.invitation)).id} withdrawn`);
        break;
      }
      case 'revoke': {
        const revocation = { reason: values.reason?.trim() || null, wipe: values.wipe ?? false };
        if (values.credential) {
          const device = await revokeDevice(admin(), values.credential, revocation);
          console.log(`device ${device.credentialId} (${device.deviceName})${device.wipe ? ' is to be wiped at next contact' : ''}`);
          console.log('1 credential(s) revoked');
        } else if (values.org) {
          const org = await revokeOrganization(admin(), values.org, revocation);
          console.log(`organization ${org.id} (${org.name}) revoked; its pending invitations withdrawn`);
          console.log(`${org.devices.filter((device) => device.revokedAt === org.revokedAt).length} credential(s) revoked`);
        } else throw new UsageError('revoke needs --credential ID or --org ORG_ID');
        break;
      }
      case 'devices': {
        for (const org of await listOrganizations(storage, null)) {
          for (const device of org.devices) {
            const seen = device.lastSeenAt ? new Date(device.lastSeenAt).toISOString() : 'never';
            const state = device.revokedAt ? (device.wipe ? 'wiped' : 'revoked') : 'active';
            console.log(`${device.credentialId}\t${state}\t${org.id}\t${device.role}\t${seen}\t${device.appVersion ?? '-'}\t${org.name}\t${device.deviceName}`);
          }
        }
        break;
      }
      case 'role': {
        if (!values.org) throw new UsageError('role needs --org ORG_ID and --role ROLE');
        const org = await setOrganizationRole(admin(), values.org, parseRole(values.role));
        console.log(`${org.id} (${org.name}) is now ${org.role}`);
        break;
      }
      case 'grant': {
        if (!values.org || values.scopes === undefined) throw new UsageError('grant needs --org ORG_ID and --scopes LIST');
        const scopes = values.scopes.split(',').map((scope) => scope.trim()).filter(Boolean);
        const org = await setStewardScopes(admin(), values.org, scopes);
        console.log(`${org.id} (${org.name}) may run: ${org.stewardScopes.join(', ') || 'nothing'}`);
        break;
      }
      case 'audit': {
        const entries = await allAuditEntries(storage);
        if (values.csv) process.stdout.write(auditCsv(entries));
        else for (const entry of entries) console.log(JSON.stringify(entry));
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
      case 'repair-ids': {
        const { repairs } = await withHub({ storage }, async (hub) => hub);
        for (const move of repairs) console.log(`moved ${move.type} ${move.fromId} (of ${move.ownerOrg}; the id is reserved for a ${move.reservedFor}) to ${move.toId}`);
        console.log(`${repairs.length} record(s) moved`);
        break;
      }
      case 'compact': {
        console.log(`${await withHub({ storage }, (hub) => hub.compact({ minUpdates: 1, limit: 100_000 }))} record(s) compacted`);
        break;
      }
      case 'gc-blobs': {
        const blobs = await openBlobStorage(values, storage);
        const result = await withHub({ storage, blobs }, (hub) => hub.collectBlobs());
        console.log(`${result.deletedBlobs} blob(s) deleted, ${result.discardedUploads} abandoned upload(s) discarded`);
        break;
      }
      case 'import-bundle': {
        const result = await withHub({ storage, quotas: quotaOptions(values) }, (hub) => hub.importBundle(bundleBytes!));
        const { header } = result;
        console.log(`bundle from device ${header.deviceId} of ${header.orgId} (written ${new Date(header.createdAt).toISOString()}): ${header.recordCount} record(s)`);
        console.log(`${result.committedCount} record(s) committed, ${header.recordCount - result.committedCount} already up to date; hub seq ${await storage.lastSeq()}`);
        if (header.blobCount > 0) console.log(`${result.storedBlobs.length} of ${header.blobCount} blob(s) taken (media: ${header.media})`);
        for (const refused of result.refusedBlobs) console.log(`blob ${refused.sha256} refused: ${refused.code}: ${refused.message}`);
        break;
      }
      case 'export-bundle': {
        if (!values.org) throw new UsageError('--org ORG_ID is required');
        const since = Number(values.since ?? '');
        if (values.since === undefined || !Number.isSafeInteger(since) || since < 0) throw new UsageError('--since CHECKPOINT (a sequence number, 0 for everything) is required');
        const media = bundleMediaLevelSchema.safeParse(values.media ?? 'none');
        if (!media.success) throw new UsageError(`--media must be one of ${bundleMediaLevels.join(', ')}`);
        const { bytes, header, leftOutCount } = await withHub({ storage }, (hub) => exportOrgBundle(hub, { orgId: values.org!, since, signer: hub.hubKey, media: media.data }));
        writeFileAtomically(positionals[0]!, bytes);
        console.log(`${header.recordCount} record(s) for ${header.orgId}, changes ${header.fromSeq + 1}..${header.toSeq} (${bytes.length} bytes)`);
        console.log(`media ${header.media}: ${header.blobCount} blob(s), ${header.blobBytes} bytes${leftOutCount > 0 ? `; ${leftOutCount} left out (the bundle is capped at ${bundleLimits.maxBundleBytes} bytes)` : ''}`);
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
