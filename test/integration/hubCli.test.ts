import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { joinResponseSchema } from '../../shared/sync/protocol';
import { runHubCommand, runHubCommandAsync, startHubProcess, type HubProcess } from '../support/hubProcess';
import { randomBytes } from 'node:crypto';
import { describeBlob } from '../../shared/blobs/describeBlob';
import { entryMutators } from '../../shared/records/entry';
import { getBlob, uploadBlob } from '../support/blobRequests';
import { createUpdate, editContext, push } from '../support/hubRequests';

/* The command line as the secretariat uses it, with the hub serving in a process of its own. */

const CODE = /^FW(-[0-9A-Z]{4}){5}$/;

describe('hub command line', () => {
  let data: string;
  let serving: HubProcess;
  let secretariatCode: string;

  beforeAll(async () => {
    data = mkdtempSync(join(tmpdir(), 'fieldwise-cli-'));
    const init = runHubCommand(['init', '--data', data, '--network', 'Water Network 水网络', '--topic', 'rural water']);
    expect(init.status, init.stderr).toBe(0);
    secretariatCode = init.lastLine;
    serving = await startHubProcess(['--data', data]);
  }, 60_000);

  afterAll(async () => {
    await serving?.kill();
    rmSync(data, { recursive: true, force: true });
  });

  const join_ = async (code: string, deviceName = 'laptop') => {
    const response = await fetch(`${serving.url}/v1/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, deviceName }) });
    return { status: response.status, body: (await response.json()) as unknown };
  };

  it('init prints the secretariat invitation as its last line, and refuses a second network', () => {
    expect(secretariatCode).toMatch(CODE);
    const again = runHubCommand(['init', '--data', data, '--network', 'Another']);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toContain('already holds a network');
  });

  it('serves health and turns invitations into device credentials', async () => {
    const health = await fetch(`${serving.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true });

    const secretariat = await join_(secretariatCode, 'office');
    expect(secretariat.status).toBe(200);
    expect(joinResponseSchema.parse(secretariat.body).role).toBe('secretariat');
    expect((await join_(secretariatCode)).status).toBe(403); // used once

    const invite = runHubCommand(['invite', '--data', data, '--org-name', '西山合作社', '--role', 'steward']);
    expect(invite.status, invite.stderr).toBe(0);
    expect(invite.lastLine).toMatch(CODE);
    const steward = joinResponseSchema.parse((await join_(invite.lastLine)).body);
    expect(steward).toMatchObject({ role: 'steward', org: { name: '西山合作社' } });

    const orgs = runHubCommand(['orgs', '--data', data]);
    const line = orgs.stdout.split('\n').find((l) => l.includes('西山合作社'));
    expect(line).toContain('steward');
    expect(line).not.toContain('never'); // joined: last-seen is set
  });

  it('revoke refuses the next request and closes live connections within 5 seconds', async () => {
    // Not the blocking form: a slow CLI start would stall this process past the hub's keep-alive
    // timeout, and the join's fetch would reuse a socket the hub has closed.
    const invite = await runHubCommandAsync(['invite', '--data', data, '--org-name', 'Revoked Org', '--role', 'member']);
    const member = joinResponseSchema.parse((await join_(invite.lastLine)).body);
    const socket = new WebSocket(`${serving.url.replace('http', 'ws')}/v1/live`);
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'hello', token: member.token }));
    await new Promise((resolve) => socket.once('message', resolve));
    const closed = new Promise<{ code: number; at: number }>((resolve) => socket.once('close', (code) => resolve({ code, at: Date.now() })));

    const revoke = await runHubCommandAsync(['revoke', '--data', data, '--org', member.org.id]);
    // Timed from the command's end (the revocation is written just before it exits), so the
    // command's own start-up on a busy machine does not count against the hub.
    const revokedAt = Date.now();
    expect(revoke.lastLine).toBe('1 credential(s) revoked');
    const refused = await fetch(`${serving.url}/v1/pull?since=0`, { headers: { authorization: `Bearer ${member.token}` } });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { code: 'token-revoked' } });
    const { code, at } = await closed;
    expect(code).toBe(4403);
    expect(at - revokedAt).toBeLessThan(5_000);
  });

  it('lists devices and invitations with their ids, withdraws an invitation, grants steward scopes and revokes with wipe', async () => {
    const invite = await runHubCommandAsync(['invite', '--data', data, '--org-name', 'Granted Org', '--role', 'steward', '--days', '3', '--hub', 'https://hub.example.org']);
    expect(invite.status, invite.stderr).toBe(0);
    expect(invite.stdout).toContain(`link: https://hub.example.org/#invitation=${invite.lastLine}`);
    const steward = joinResponseSchema.parse((await join_(invite.lastLine, 'granted laptop')).body);

    const devices = await runHubCommandAsync(['devices', '--data', data]);
    const deviceLine = devices.stdout.split('\n').find((l) => l.startsWith(steward.credentialId));
    expect(deviceLine).toContain('active');
    expect(deviceLine).toContain('granted laptop');

    const spare = await runHubCommandAsync(['invite', '--data', data, '--org', steward.org.id]);
    const invitations = await runHubCommandAsync(['invitations', '--data', data]);
    const pendingId = invitations.stdout.split('\n').find((l) => l.includes('\tpending\t') && l.includes(steward.org.id))!.split('\t')[0]!;
    expect((await runHubCommandAsync(['withdraw', '--data', data, '--invitation', pendingId])).status).toBe(0);
    expect((await join_(spare.lastLine)).body).toMatchObject({ error: { code: 'invitation-withdrawn' } });
    const again = await runHubCommandAsync(['withdraw', '--data', data, '--invitation', pendingId]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('refused (invitation-not-pending)');

    const grant = await runHubCommandAsync(['grant', '--data', data, '--org', steward.org.id, '--scopes', 'proposals,review']);
    expect(grant.lastLine).toContain('may run: proposals, review');
    const unknown = await runHubCommandAsync(['grant', '--data', data, '--org', steward.org.id, '--scopes', 'everything']);
    expect(unknown.stderr).toContain('refused (unknown-scope)');

    const revoke = await runHubCommandAsync(['revoke', '--data', data, '--credential', steward.credentialId, '--reason', 'laptop stolen', '--wipe']);
    expect(revoke.lastLine).toBe('1 credential(s) revoked');
    const refused = await fetch(`${serving.url}/v1/pull?since=0`, { headers: { authorization: `Bearer ${steward.token}` } });
    expect(await refused.json()).toMatchObject({ error: { code: 'device-wiped', reason: 'laptop stolen' } });

    const audit = await runHubCommandAsync(['audit', '--data', data]);
    const actions = audit.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { action: string }).action);
    expect(actions).toEqual(expect.arrayContaining(['init', 'invite', 'join', 'withdraw-invitation', 'set-steward-scopes', 'revoke-device']));
    // Ten commands, each a process start of a few seconds on a busy machine.
  }, 180_000);

  it('serves blobs from files in the data folder, and gc-blobs keeps what a record references', async () => {
    const invite = await runHubCommandAsync(['invite', '--data', data, '--org-name', 'Photo Org', '--role', 'member']);
    const member = joinResponseSchema.parse((await join_(invite.lastLine)).body);
    const photo = new Uint8Array(randomBytes(5000));
    const content = describeBlob(photo, 'image/jpeg');
    const ctx = editContext(member.org.id, 'member');
    const update = createUpdate('entry', { kind: 'practice', title: 'Drip line', language: 'en' }, ctx, (doc) =>
      entryMutators.addAttachment.apply(doc, { id: 'drip', attachment: { kind: 'photo', ref: { ...content, variants: {} }, name: 'drip.jpg', caption: '', consent: 'not-needed', keepsLocation: false } }, ctx),
    );
    expect((await push(serving.url, member.token, [{ id: 'entry-cli-photo', type: 'entry', update }])).status).toBe(200);
    expect((await uploadBlob(serving.url, member.token, content, photo, 2000)).status).toBe(204);
    expect(statSync(join(data, 'blobs', content.sha256.slice(0, 2), content.sha256)).size).toBe(5000);
    const gc = await runHubCommandAsync(['gc-blobs', '--data', data]);
    expect([gc.status, gc.lastLine]).toEqual([0, '0 blob(s) deleted, 0 abandoned upload(s) discarded']);
    expect(Buffer.from((await getBlob(serving.url, member.token, content.sha256)).bytes).equals(Buffer.from(photo))).toBe(true);
  });

  it('backs up a consistent copy while serving', () => {
    const out = join(data, 'backups', 'hub-copy.sqlite');
    const backup = runHubCommand(['backup', '--data', data, '--out', out]);
    expect(backup.status, backup.stderr).toBe(0);
    expect(statSync(out).size).toBeGreaterThan(0);
    const copy = new Database(out, { readonly: true });
    const network = copy.prepare("SELECT projection FROM records WHERE id = 'network'").get() as { projection: string };
    copy.close();
    expect(JSON.parse(network.projection)).toMatchObject({ name: 'Water Network 水网络', topic: 'rural water' });
  });

  it('explains bad usage with exit code 2', () => {
    const missing = runHubCommand(['invite', '--data', data, '--role', 'member']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('--org-name');
    const badRole = runHubCommand(['invite', '--data', data, '--org-name', 'X', '--role', 'king']);
    expect(badRole.status).toBe(2);
    expect(badRole.stderr).toContain('--role must be one of');
    expect(runHubCommand(['frobnicate', '--data', data]).status).toBe(2);
  });
});
