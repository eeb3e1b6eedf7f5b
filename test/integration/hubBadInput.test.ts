import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { issueToken, newSecret } from '../../server/hub/tokens';
import { entryMutators, type EntryInput } from '../../shared/records/entry';
import { errorBodySchema, limits, type ErrorCode, type JoinResponse } from '../../shared/sync/protocol';
import { startTestHub, type TestHub } from '../support/hub';
import { createUpdate, editContext, pull, push, pushBody, request, toBase64, type HubAnswer } from '../support/hubRequests';

/*
 * Every bad input gets the status and code docs/PROTOCOL.md gives it, writes nothing, and leaves
 * the hub serving everyone else. Tokens never reach the logs.
 */

const entryInput: EntryInput = { kind: 'practice', title: 'Straw mulch', language: 'en' };

let hub: TestHub;
let sender: JoinResponse;
let bystander: JoinResponse;
/** Every token a test used, forged ones included: none may appear in the logs. */
const tokensSeen = new Set<string>();
let counter = 0;

const freshEntry = (who: JoinResponse) => ({ id: `entry-bad-input-${++counter}`, type: 'entry', update: createUpdate('entry', entryInput, editContext(who.org.id, 'member')) });
const validBody = (who: JoinResponse) => {
  const record = freshEntry(who);
  return JSON.stringify({ records: [{ id: record.id, type: record.type, update: toBase64(record.update) }] });
};

beforeAll(async () => {
  hub = await startTestHub();
  sender = await hub.join(await hub.invite('Dali Rural Education Fund', 'member'));
  bystander = await hub.join(await hub.invite('Heqing Water Users Association', 'member'));
  tokensSeen.add(sender.token).add(bystander.token);
});

afterAll(async () => {
  await hub?.close();
});

function expectErrorBody(answer: HubAnswer, status: number, code: ErrorCode): void {
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status, body: { error: { code } } });
  errorBodySchema.parse(answer.body);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
}

/** The refusal is the documented one, nothing was written, and another organization is still served. */
async function expectRefused(send: () => Promise<HubAnswer>, status: number, code: ErrorCode): Promise<HubAnswer> {
  const lastSeq = await hub.storage.lastSeq();
  const answer = await send();
  expectErrorBody(answer, status, code);
  expect(await hub.storage.lastSeq()).toBe(lastSeq);
  const other = await pushBody(hub.url, bystander.token, validBody(bystander));
  expect(other.status).toBe(200);
  return answer;
}

/** Two transactions on one doc: the second one's update alone builds on changes the hub lacks. */
function secondTransactionOnly(): Uint8Array {
  const doc = new Y.Doc();
  const ctx = editContext(sender.org.id, 'member');
  doc.transact(() => entryMutators.setFields.apply(doc, { title: 'First', kind: 'lesson', language: 'en' }, ctx));
  const afterFirst = Y.encodeStateVector(doc);
  doc.transact(() => entryMutators.setFields.apply(doc, { title: 'Second' }, ctx));
  const update = Y.encodeStateAsUpdate(doc, afterFirst);
  doc.destroy();
  return update;
}

describe('POST /v1/push refuses bad input with its documented error', () => {
  const cases: { name: string; status: number; code: ErrorCode; send: () => Promise<HubAnswer> }[] = [
    { name: 'a body that is not JSON', status: 400, code: 'bad-json', send: () => pushBody(hub.url, sender.token, 'records=1') },
    { name: 'malformed JSON', status: 400, code: 'bad-json', send: () => pushBody(hub.url, sender.token, '{"records": [') },
    { name: 'an empty body', status: 400, code: 'bad-json', send: () => pushBody(hub.url, sender.token, '') },
    {
      name: 'an unknown field in the request',
      status: 400,
      code: 'bad-request',
      send: () => pushBody(hub.url, sender.token, JSON.stringify({ ...JSON.parse(validBody(sender)), force: true })),
    },
    {
      name: 'an unknown field in a record',
      status: 400,
      code: 'bad-request',
      send: () => {
        const record = freshEntry(sender);
        return pushBody(hub.url, sender.token, JSON.stringify({ records: [{ ...record, update: toBase64(record.update), ownerOrg: bystander.org.id }] }));
      },
    },
    { name: 'a push of no records', status: 400, code: 'bad-request', send: () => pushBody(hub.url, sender.token, JSON.stringify({ records: [] })) },
    { name: 'a record id with a slash', status: 400, code: 'bad-request', send: () => push(hub.url, sender.token, [{ ...freshEntry(sender), id: 'entry/../x' }]) },
    { name: 'an update that is not base64', status: 400, code: 'bad-request', send: () => pushBody(hub.url, sender.token, JSON.stringify({ records: [{ id: 'entry-x', type: 'entry', update: '%%%' }] })) },
    {
      name: 'one record twice in a batch',
      status: 400,
      code: 'bad-request',
      send: () => {
        const record = freshEntry(sender);
        return push(hub.url, sender.token, [record, record]);
      },
    },
    { name: 'an unknown record type', status: 400, code: 'unknown-type', send: () => push(hub.url, sender.token, [{ ...freshEntry(sender), type: 'poll' }]) },
    { name: 'a record type of the wrong case', status: 400, code: 'unknown-type', send: () => push(hub.url, sender.token, [{ ...freshEntry(sender), type: 'Entry' }]) },
    {
      name: 'a truncated update',
      status: 400,
      code: 'bad-update',
      send: () => {
        const record = freshEntry(sender);
        return push(hub.url, sender.token, [{ ...record, update: record.update.slice(0, Math.floor(record.update.length / 2)) }]);
      },
    },
    {
      name: 'garbage bytes as an update',
      status: 400,
      code: 'bad-update',
      send: () => push(hub.url, sender.token, [{ ...freshEntry(sender), update: new TextEncoder().encode('not a yjs update at all') }]),
    },
    { name: 'an empty update', status: 400, code: 'bad-update', send: () => push(hub.url, sender.token, [{ ...freshEntry(sender), update: new Uint8Array(0) }]) },
    { name: 'an update that builds on changes the hub lacks', status: 400, code: 'missing-dependency', send: () => push(hub.url, sender.token, [{ ...freshEntry(sender), update: secondTransactionOnly() }]) },
    {
      name: 'an update over 1 MiB',
      status: 413,
      code: 'update-too-large',
      send: () => push(hub.url, sender.token, [{ ...freshEntry(sender), update: randomBytes(limits.maxUpdateBytes + 1) }]),
    },
    {
      name: 'a batch of 501 records',
      status: 413,
      code: 'batch-too-large',
      send: () => push(hub.url, sender.token, Array.from({ length: limits.maxRecordsPerPush + 1 }, () => freshEntry(sender))),
    },
    {
      name: 'a body over 8 MiB',
      status: 413,
      code: 'body-too-large',
      send: () => pushBody(hub.url, sender.token, `{"records": [], "padding": "${'x'.repeat(limits.maxBodyBytes)}"}`),
    },
    {
      name: 'a gzip body over 8 MiB once decompressed',
      status: 413,
      code: 'body-too-large',
      send: () => pushBody(hub.url, sender.token, gzipSync(`{"records": [], "padding": "${'x'.repeat(limits.maxBodyBytes)}"}`), { 'content-encoding': 'gzip' }),
    },
    {
      name: 'a body that claims gzip but is not',
      status: 400,
      code: 'bad-request',
      send: () => pushBody(hub.url, sender.token, validBody(sender), { 'content-encoding': 'gzip' }),
    },
    {
      name: 'an unsupported content encoding',
      status: 400,
      code: 'bad-request',
      send: () => pushBody(hub.url, sender.token, validBody(sender), { 'content-encoding': 'compress' }),
    },
  ];

  for (const { name, status, code, send } of cases) {
    it(`refuses ${name} with ${status} ${code}`, async () => {
      await expectRefused(send, status, code);
    });
  }

  it('names the refused record in the error', async () => {
    const record = { ...freshEntry(sender), type: 'poll' };
    const answer = await expectRefused(() => push(hub.url, sender.token, [freshEntry(sender), record]), 400, 'unknown-type');
    expect(answer.body).toMatchObject({ error: { recordId: record.id } });
    const garbage = { ...freshEntry(sender), update: new Uint8Array([1, 2, 3]) };
    expect((await expectRefused(() => push(hub.url, sender.token, [freshEntry(sender), garbage]), 400, 'bad-update')).body).toMatchObject({ error: { recordId: garbage.id } });
  });

  it('refuses an update to an existing record that builds on changes the hub lacks', async () => {
    const record = freshEntry(sender);
    expect((await push(hub.url, sender.token, [record])).status).toBe(200);
    const stored = await hub.storage.getRecord(record.id);
    await expectRefused(() => push(hub.url, sender.token, [{ ...record, update: secondTransactionOnly() }]), 400, 'missing-dependency');
    expect(await hub.storage.getRecord(record.id)).toEqual(stored);
  });

  it('accepts a valid gzip-encoded body, and the very same push again without a new change', async () => {
    const body = gzipSync(validBody(sender));
    const lastSeq = await hub.storage.lastSeq();
    const first = await pushBody(hub.url, sender.token, body, { 'content-encoding': 'gzip' });
    expect(first).toMatchObject({ status: 200, body: { seq: lastSeq + 1 } });
    const retried = await pushBody(hub.url, sender.token, body, { 'content-encoding': 'gzip' });
    expect(retried).toMatchObject({ status: 200, body: { seq: lastSeq + 1 } });
    expect(await hub.storage.lastSeq()).toBe(lastSeq + 1);
  });
});

describe('credentials', () => {
  const decodePayload = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  const encodePayload = (payload: Record<string, unknown>) => Buffer.from(JSON.stringify(payload)).toString('base64url');

  async function expectUnauthorized(token: string | undefined, code: ErrorCode, headers: Record<string, string> = {}): Promise<void> {
    if (token !== undefined) tokensSeen.add(token);
    await expectRefused(() => pushBody(hub.url, token, validBody(sender), headers), 401, code);
    const pulled = await pull(hub.url, token, 0, headers);
    expect(pulled.status).toBe(401);
    expect(errorBodySchema.parse(pulled.error).error.code).toBe(code);
  }

  it('refuses a request without a token', async () => {
    await expectUnauthorized(undefined, 'unauthorized');
    await expectUnauthorized(undefined, 'unauthorized', { authorization: `Basic ${Buffer.from('user:pass').toString('base64')}` });
  });

  it('refuses a token with one character of its signature changed', async () => {
    const [payload, signature] = sender.token.split('.') as [string, string];
    const at = Math.floor(signature.length / 2);
    const changed = signature[at] === 'A' ? 'B' : 'A';
    await expectUnauthorized(`${payload}.${signature.slice(0, at)}${changed}${signature.slice(at + 1)}`, 'unauthorized');
  });

  it('refuses a token whose payload was changed to claim another role or organization', async () => {
    const [, signature] = sender.token.split('.') as [string, string];
    const payload = decodePayload(sender.token);
    await expectUnauthorized(`${encodePayload({ ...payload, role: 'secretariat' })}.${signature}`, 'unauthorized');
    await expectUnauthorized(`${encodePayload({ ...payload, org: bystander.org.id })}.${signature}`, 'unauthorized');
  });

  it('refuses a token signed with another secret', async () => {
    const payload = decodePayload(sender.token);
    const forged = issueToken(newSecret(), {
      credentialId: sender.credentialId,
      orgId: sender.org.id,
      deviceId: sender.deviceId,
      role: 'secretariat',
      now: payload.iat as number,
    });
    await expectUnauthorized(forged, 'unauthorized');
  });

  it('refuses malformed tokens', async () => {
    for (const token of ['x', 'a.b.c', `${sender.token}.`, '.', sender.token.split('.')[0]!]) await expectUnauthorized(token, 'unauthorized');
  });

  it('refuses a revoked credential while the organization’s other device keeps working', async () => {
    const laptop = await hub.join(await hub.inviteDevice(sender.org.id), 'second laptop');
    tokensSeen.add(laptop.token);
    expect((await pushBody(hub.url, laptop.token, validBody(laptop))).status).toBe(200);
    expect(await hub.storage.revokeCredentials({ credentialId: laptop.credentialId }, Date.now())).toBe(1);
    await expectUnauthorized(laptop.token, 'token-revoked');
    expect((await pushBody(hub.url, sender.token, validBody(sender))).status).toBe(200);
  });

  it('refuses an expired token', async () => {
    const shortLived = await startTestHub({ tokenTtlMs: 1 });
    try {
      const joined = await shortLived.join(await shortLived.invite('Weishan Herders', 'member'));
      await sleep(20);
      const lastSeq = await shortLived.storage.lastSeq();
      const pushed = await pushBody(shortLived.url, joined.token, validBody(joined));
      expectErrorBody(pushed, 401, 'token-expired');
      const pulled = await pull(shortLived.url, joined.token, 0);
      expect(pulled.status).toBe(401);
      expect(errorBodySchema.parse(pulled.error).error.code).toBe('token-expired');
      expect(await shortLived.storage.lastSeq()).toBe(lastSeq);
      expect(JSON.stringify(shortLived.logs)).not.toContain(joined.token.split('.')[1]);
    } finally {
      await shortLived.close();
    }
  });
});

describe('routes and query strings', () => {
  it('answers an unknown path or method with 404 not-found', async () => {
    for (const [method, path] of [
      ['GET', '/v1/nothing'],
      ['GET', '/v1/push'],
      ['POST', '/v1/pull'],
      ['GET', '/v2/pull?since=0'],
      ['DELETE', '/v1/push'],
      ['GET', '/'],
    ] as const) {
      const lastSeq = await hub.storage.lastSeq();
      expectErrorBody(await request(hub.url, path, { method, token: sender.token }), 404, 'not-found');
      expect(await hub.storage.lastSeq()).toBe(lastSeq);
    }
  });

  it('refuses a checkpoint that is not a whole number of zero or more', async () => {
    for (const since of ['-1', 'abc', '1.5', 'Infinity', '1e400', '0x10', '', ' ', '1e3', '+5']) {
      const pulled = await pull(hub.url, sender.token, since);
      expect({ since, status: pulled.status }).toEqual({ since, status: 400 });
      expect(errorBodySchema.parse(pulled.error).error.code).toBe('bad-request');
    }
    expect((await pull(hub.url, bystander.token, 0)).status).toBe(200);
  });
});

describe('rate limit', () => {
  it('answers 429 rate-limited with Retry-After past the limit, per credential', async () => {
    const limited = await startTestHub({ requestsPerMinute: 5 });
    try {
      const busy = await limited.join(await limited.invite('Busy Cooperative', 'member'));
      const calm = await limited.join(await limited.invite('Calm Cooperative', 'member'));
      for (let i = 0; i < 5; i++) expect((await pull(limited.url, busy.token, 0)).status).toBe(200);
      const lastSeq = await limited.storage.lastSeq();
      const answer = await pushBody(limited.url, busy.token, validBody(busy));
      expectErrorBody(answer, 429, 'rate-limited');
      const retryAfter = Number(answer.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
      expect(await limited.storage.lastSeq()).toBe(lastSeq);
      const pulled = await pull(limited.url, busy.token, 0);
      expect(pulled.status).toBe(429);
      errorBodySchema.parse(pulled.error);
      expect((await pushBody(limited.url, calm.token, validBody(calm))).status).toBe(200);
      const logged = JSON.stringify(limited.logs);
      for (const token of [busy.token, calm.token]) expect(logged).not.toContain(token.split('.')[1]);
    } finally {
      await limited.close();
    }
  });
});

describe('logs', () => {
  it('hold no error line for a client that drops mid-body, and the hub goes on answering', async () => {
    const { host, port } = new URL(hub.url);
    for (let i = 0; i < 3; i++) {
      const socket = connect({ host: host.split(':')[0]!, port: Number(port) });
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write('POST /v1/join HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"code":');
      await sleep(50);
      socket.destroy();
    }
    await sleep(300);
    expect(hub.logs.filter((entry) => JSON.stringify(entry).includes('"level":"error"'))).toEqual([]);
    expect((await fetch(`${hub.url}/health`)).status).toBe(200);
  });

  it('never hold a token or its signature', () => {
    expect(hub.logs.length).toBeGreaterThan(50);
    const logged = JSON.stringify(hub.logs);
    for (const token of tokensSeen) {
      expect(logged).not.toContain(token);
      for (const part of token.split('.')) if (part.length >= 16) expect(logged).not.toContain(part);
    }
  });
});
