import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { entry, entryMutators, type EntryInput } from '../../shared/records/entry';
import { entryReviewMutators, pinnedVersionOf, versionOfDoc } from '../../shared/records/entryReview';
import { setFragmentText } from '../../shared/records/layout';
import { network, NETWORK_RECORD_ID } from '../../shared/records/network';
import type { NetworkSettings } from '../../shared/sync/adminProtocol';
import type { JoinResponse } from '../../shared/sync/protocol';
import { startTestHub, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, pull, push, request, type HubAnswer } from '../support/hubRequests';
import { yjsEdit } from '../support/writeEntryPoints';

/*
 * The optional practice sections after WOCAT (resource persons, how it was introduced, costs and
 * labour days, spread), through a real hub: the secretariat turns them on in PUT /v1/admin/settings
 * and members read the setting in the network record they pull; an entry's `section.<name>`
 * fragment of an optional section is taken by push and /yjs, read by other organizations, and
 * carried in a submission the hub checks against the entry; a section name no template has is
 * refused as bad-structure. Turning a section off keeps what was written in it.
 */

let hub: TestHub;
let sec: JoinResponse;
let alpha: JoinResponse;
let beta: JoinResponse;

beforeAll(async () => {
  hub = await startTestHub();
  sec = await hub.join(hub.secretariatCode, 'Secretariat desk');
  alpha = await hub.join(await hub.invite('Erhai Terrace Cooperative'));
  beta = await hub.join(await hub.invite('Cangshan Women Farmers'));
});
afterAll(async () => {
  await hub?.close();
});

const admin = (method: string, body?: unknown) =>
  request(hub.url, '/v1/admin/settings', { method, token: sec.token, headers: { 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
const settingsOf = (answer: HubAnswer) => (answer.body as { settings: NetworkSettings }).settings;

async function pulledProjection<T>(token: string, id: string, read: (doc: Y.Doc) => T): Promise<T | null> {
  const seen = (await pull(hub.url, token, 0)).records.find((record) => record.meta.id === id);
  if (!seen) return null;
  const doc = new Y.Doc();
  Y.applyUpdate(doc, seen.update);
  const projection = read(doc);
  doc.destroy();
  return projection;
}

const practice: EntryInput = {
  kind: 'practice',
  title: '梯田石埂',
  language: 'zh-CN',
  attribution: { holderKind: 'community', holderName: '洱海梯田农户', consent: 'community-approved' },
  sharing: 'network',
  sections: { context: '坡地每逢下雨就流失土壤。', resourcePersons: '杨伟，县农技站' },
};

let serial = 0;
async function storedPractice(input: EntryInput = practice): Promise<string> {
  const id = `entry-optional-${++serial}`;
  const answer = await push(hub.url, alpha.token, [{ id, type: 'entry', update: createUpdate('entry', input, editContext(alpha.org.id, 'member')) }]);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return id;
}
const stateOf = async (id: string) => (await hub.storage.getRecord(id))!.state;

describe('the network turns optional sections on (PUT /v1/admin/settings)', () => {
  it('stores them in template order, members read them in the network record, and the same choice again writes nothing', async () => {
    const answer = await admin('PUT', { optionalSections: ['spread', 'resourcePersons'] });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(settingsOf(answer).optionalSections).toEqual(['resourcePersons', 'spread']);
    expect((await hub.storage.listAudit({ limit: 1 }))[0]?.details).toMatchObject({ fields: ['optionalSections'] });
    expect(await pulledProjection(alpha.token, NETWORK_RECORD_ID, (doc) => network.read(doc).optionalSections)).toEqual(['resourcePersons', 'spread']);
    const seq = await hub.storage.lastSeq();
    expect((await admin('PUT', { optionalSections: ['resourcePersons', 'spread'] })).status).toBe(200);
    expect(await hub.storage.lastSeq()).toBe(seq);
  });

  it('refuses a name that is no optional section, or one twice (400 bad-request), writing nothing', async () => {
    const seq = await hub.storage.lastSeq();
    for (const optionalSections of [['context'], ['spread', 'spread'], ['labourCosts'], 'spread']) {
      const answer = await admin('PUT', { optionalSections });
      expect({ status: answer.status, code: (answer.body as { error?: { code?: string } }).error?.code }).toEqual({ status: 400, code: 'bad-request' });
    }
    expect(await hub.storage.lastSeq()).toBe(seq);
    expect(settingsOf(await admin('GET')).optionalSections).toEqual(['resourcePersons', 'spread']);
  });

  it('is the secretariat’s: a member is refused', async () => {
    const answer = await request(hub.url, '/v1/admin/settings', { method: 'PUT', token: alpha.token, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ optionalSections: [] }) });
    expect(answer.status).toBe(403);
  });
});

describe('an entry’s optional sections at the hub', () => {
  it('are taken by push and /yjs and read by another organization', async () => {
    const id = await storedPractice();
    expect((await hub.storage.getRecord(id))!.projection).toMatchObject({ sections: { resourcePersons: '杨伟，县农技站' } });
    const byPush = changeUpdate(await stateOf(id), (doc) => entryMutators.setSection.apply(doc, { section: 'costsAndLabour', text: '每亩约12个劳动日' }, editContext(alpha.org.id, 'member')));
    expect((await push(hub.url, alpha.token, [{ id, type: 'entry', update: byPush }])).status).toBe(200);
    // Written as a client from PROTOCOL.md writes a section: a paragraph of text in the fragment.
    expect(await yjsEdit(hub, alpha.token, id, (doc) => setFragmentText(doc.getXmlFragment('section.spread'), '三个村，约四十户'))).toBeNull();
    expect(await pulledProjection(beta.token, id, (doc) => entry.read(doc).sections)).toMatchObject({ resourcePersons: '杨伟，县农技站', costsAndLabour: '每亩约12个劳动日', spread: '三个村，约四十户' });
  });

  it('refuses a section no template has, and an optional section that is not rich text (400 bad-structure), by push and /yjs', async () => {
    const id = await storedPractice();
    const { seq, state } = (await hub.storage.getRecord(id))!;
    const changes = [
      (doc: Y.Doc) => setFragmentText(doc.getXmlFragment('section.labourCosts'), '12'),
      (doc: Y.Doc) => doc.getMap('section.spread').set('text', 'three villages'),
    ];
    for (const change of changes) {
      const answer = await push(hub.url, alpha.token, [{ id, type: 'entry', update: changeUpdate(state, change) }]);
      expect(answer).toMatchObject({ status: 400, body: { error: { code: 'bad-structure', recordId: id } } });
      expect(await yjsEdit(hub, alpha.token, id, change)).toBe('bad-structure');
    }
    expect((await hub.storage.getRecord(id))!.seq).toBe(seq);
  });

  it('are in the version a submission carries: the hub takes the honest one, refuses one that leaves them out, and the endorsement pins them', async () => {
    const id = await storedPractice();
    const state = await stateOf(id);
    const member = editContext(alpha.org.id, 'member');
    // A submission whose version leaves the optional section out is not the entry as it reads.
    const forged = changeUpdate(state, (doc) => {
      const version = versionOfDoc(doc);
      const { resourcePersons: _left, ...sections } = version.sections;
      const { resourcePersons: _rich, ...richSections } = version.rich?.sections ?? {};
      doc.getArray('log.authorSteps').push([{ kind: 'submitted', id: `${member.deviceId}:${member.now}`, byOrg: member.orgId, role: member.role, at: member.now, note: '', version: { ...version, sections, rich: { ...version.rich, sections: richSections } } }]);
    });
    expect(await push(hub.url, alpha.token, [{ id, type: 'entry', update: forged }])).toMatchObject({ status: 403, body: { error: { code: 'forbidden', recordId: id } } });
    const submit = changeUpdate(state, (doc) => entryReviewMutators.submitForReview.apply(doc, '', member));
    expect((await push(hub.url, alpha.token, [{ id, type: 'entry', update: submit }])).status).toBe(200);
    // The secretariat turns the section off; the entry keeps it, and the endorsement pins it.
    expect((await admin('PUT', { optionalSections: ['spread'] })).status).toBe(200);
    const endorse = changeUpdate(await stateOf(id), (doc) => entryReviewMutators.endorseSubmission.apply(doc, '', editContext(sec.org.id, 'secretariat')));
    expect((await push(hub.url, sec.token, [{ id, type: 'entry', update: endorse }])).status).toBe(200);
    const read = await pulledProjection(beta.token, id, (doc) => entry.read(doc));
    expect(read).toMatchObject({ status: 'endorsed', sections: { resourcePersons: '杨伟，县农技站' } });
    expect(pinnedVersionOf(read!)?.version.sections).toEqual({ context: '坡地每逢下雨就流失土壤。', resourcePersons: '杨伟，县农技站' });
  });
});
