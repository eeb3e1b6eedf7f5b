import type { Server } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  auditQuerySchema,
  createInvitationRequestSchema,
  hubAddressSchema,
  revokeRequestSchema,
  setRoleRequestSchema,
  setStewardScopesRequestSchema,
  settingsUpdateSchema,
} from '../../shared/sync/adminProtocol';
import type { AuthenticatedDevice, Hub } from '../hub/hub';
import { HubError } from '../hub/hubError';
import {
  allAuditEntries,
  auditCsv,
  createInvitation,
  getSettings,
  listAudit,
  listInvitations,
  listOrganizations,
  revokeDevice,
  revokeOrganization,
  setOrganizationRole,
  setStewardScopes,
  updateSettings,
  withdrawInvitation,
  invitationDaysRefusal,
  type AdminContext,
} from '../hub/networkAdmin';
import { parseJson, parseRequest } from './parseRequest';

/*
 * The secretariat's administration on the wire (docs/PROTOCOL.md, "Administration"): every route
 * authenticates like push and pull, then refuses any credential that is not the secretariat's with
 * `admin-only` before its body is read. The acts themselves are server/hub/networkAdmin.ts, which
 * the command line calls too.
 */

export interface AdminRouteOptions {
  readonly hub: Hub;
  /** httpServer's authentication (the same token checks and per-credential rate limit as every route). */
  readonly authenticate: (request: FastifyRequest) => Promise<void>;
  readonly deviceOf: (request: FastifyRequest) => AuthenticatedDevice;
}

const ADMIN_BODY_LIMIT = 256 * 1024;

/** Refusals that say what a field allows where the schema's own words would not (`Too small: expected number to be >=1`). */
const fieldRefusal = (issue: z.core.$ZodIssue): HubError | null => (issue.path[0] === 'expiresInDays' ? invitationDaysRefusal() : null);

export function registerAdminRoutes(app: FastifyInstance<Server>, options: AdminRouteOptions): void {
  const { hub, authenticate, deviceOf } = options;

  const secretariatOnly = async (request: FastifyRequest): Promise<void> => {
    await authenticate(request);
    if (deviceOf(request).role !== 'secretariat') throw new HubError('admin-only', 'only the secretariat may run the network');
  };
  const routeOptions = { onRequest: secretariatOnly, bodyLimit: ADMIN_BODY_LIMIT };

  const contextOf = async (request: FastifyRequest): Promise<AdminContext> => {
    const device = deviceOf(request);
    const credential = await hub.storage.getCredential(device.credentialId);
    return {
      storage: hub.storage,
      actor: { orgId: device.orgId, credentialId: device.credentialId, deviceName: credential?.deviceName ?? '' },
      now: hub.clock(),
      announce: (event) => hub.announce(event),
    };
  };

  const body = <T>(request: FastifyRequest, schema: z.ZodType<T>, options: { emptyIsObject?: boolean } = {}): T => {
    const text = Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '';
    return parseRequest(schema, options.emptyIsObject && text.trim() === '' ? {} : parseJson(text), fieldRefusal);
  };

  const param = (request: FastifyRequest, name: string): string => (request.params as Record<string, string>)[name] ?? '';

  const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');

  app.post('/v1/admin/invitations', routeOptions, async (request, reply) => {
    const parsed = body(request, createInvitationRequestSchema);
    // The address this request reached the hub at, unless the console names the one members use.
    const hubAddress = parsed.hubAddress ?? `${request.protocol}://${request.headers.host ?? ''}`;
    if (!hubAddressSchema.safeParse(hubAddress).success) throw new HubError('bad-request', 'hubAddress: give the address members reach the hub at');
    noStore(reply);
    return createInvitation(await contextOf(request), { ...parsed, hubAddress });
  });

  app.get('/v1/admin/invitations', routeOptions, async (_request, reply) => {
    noStore(reply);
    return { invitations: await listInvitations(hub.storage, hub.clock()) };
  });

  app.post('/v1/admin/invitations/:id/withdraw', routeOptions, async (request, reply) => {
    body(request, z.strictObject({}), { emptyIsObject: true });
    noStore(reply);
    return { invitation: await withdrawInvitation(await contextOf(request), param(request, 'id')) };
  });

  app.get('/v1/admin/orgs', routeOptions, async (request, reply) => {
    noStore(reply);
    return { orgs: await listOrganizations(hub.storage, deviceOf(request).credentialId) };
  });

  app.post('/v1/admin/devices/:credentialId/revoke', routeOptions, async (request, reply) => {
    const { reason, wipe } = body(request, revokeRequestSchema);
    noStore(reply);
    return { device: await revokeDevice(await contextOf(request), param(request, 'credentialId'), { reason, wipe: wipe ?? false }) };
  });

  app.post('/v1/admin/orgs/:orgId/revoke', routeOptions, async (request, reply) => {
    const { reason, wipe } = body(request, revokeRequestSchema);
    noStore(reply);
    return { org: await revokeOrganization(await contextOf(request), param(request, 'orgId'), { reason, wipe: wipe ?? false }) };
  });

  app.put('/v1/admin/orgs/:orgId/role', routeOptions, async (request, reply) => {
    const { role } = body(request, setRoleRequestSchema);
    noStore(reply);
    return { org: await setOrganizationRole(await contextOf(request), param(request, 'orgId'), role) };
  });

  app.put('/v1/admin/orgs/:orgId/steward-scopes', routeOptions, async (request, reply) => {
    const { scopes } = body(request, setStewardScopesRequestSchema);
    noStore(reply);
    return { org: await setStewardScopes(await contextOf(request), param(request, 'orgId'), scopes) };
  });

  app.get('/v1/admin/settings', routeOptions, async (_request, reply) => {
    noStore(reply);
    return { settings: await getSettings(hub.storage) };
  });

  app.put('/v1/admin/settings', routeOptions, async (request, reply) => {
    const update = body(request, settingsUpdateSchema);
    noStore(reply);
    return { settings: await updateSettings(await contextOf(request), update) };
  });

  app.get('/v1/admin/audit', routeOptions, async (request, reply) => {
    const query = Object.fromEntries(new URL(request.url, 'http://hub.invalid').searchParams);
    const { format, limit, before } = parseRequest(auditQuerySchema, query);
    noStore(reply);
    if (format === 'csv') {
      return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="fieldwise-audit.csv"').send(auditCsv(await allAuditEntries(hub.storage)));
    }
    const pageSize = limit ?? 200;
    const entries = await listAudit(hub.storage, { ...(before !== undefined ? { before } : {}), limit: pageSize + 1 });
    const page = entries.slice(0, pageSize);
    return { entries: page, nextBefore: entries.length > pageSize ? page.at(-1)!.id : null };
  });
}
