import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { entry, entryMutators, type EntryInput } from '../../shared/records/entry';
import { fragmentText } from '../../shared/records/layout';
import type { EditContext } from '../../shared/records/recordModule';
import { PullFrameReader, type JoinResponse, type PulledRecord } from '../../shared/sync/protocol';
import { startTestHub, type TestHub } from '../support/hub';

/*
 * The standard Yjs endpoint against the real y-websocket client: its edits go through the hub's
 * write path, pushes reach it live, and a refused edit reaches no one.
 */

let hub: TestHub;
let member: JoinResponse;
let observer: JoinResponse;
let outsider: JoinResponse;
const opened: { provider: WebsocketProvider; doc: Y.Doc }[] = [];

beforeAll(async () => {
  hub = await startTestHub();
  member = await hub.join(await hub.invite('River Aid'));
  observer = await hub.join(await hub.invite('Watchers', 'observer'));
  outsider = await hub.join(await hub.invite('Hill Trust'));
});

afterEach(() => {
  for (const { provider, doc } of opened.splice(0)) {
    provider.destroy();
    // The provider leaves its Awareness (and the Awareness's timer) to the doc's destroy.
    doc.destroy();
  }
});

afterAll(async () => {
  await hub.close();
});

const sharedEntry: EntryInput = {
  kind: 'practice',
  title: 'Rainwater tanks',
  language: 'en',
  body: 'Field notes from the river',
  sharing: 'network',
  attribution: { holderKind: 'community', holderName: 'Riverside village', consent: 'credit-by-name' },
};

/** A Fieldwise client's copy of one entry: edits it locally and pushes what changed. */
class FieldwiseEntry {
  readonly id = `entry-${randomUUID()}`;
  readonly doc = new Y.Doc();

  constructor(private readonly device: JoinResponse) {}

  get context(): EditContext {
    return { orgId: this.device.org.id, deviceId: this.device.deviceId, role: 'member', now: Date.now() };
  }

  async create(input: EntryInput = sharedEntry): Promise<void> {
    await this.change((doc) => entry.create(doc, entry.parseInput(input), this.context));
  }

  async change(edit: (doc: Y.Doc) => void): Promise<void> {
    const before = Y.encodeStateVector(this.doc);
    edit(this.doc);
    const update = Y.encodeStateAsUpdate(this.doc, before);
    const response = await fetch(`${hub.url}/v1/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.device.token}` },
      body: JSON.stringify({ records: [{ id: this.id, type: 'entry', update: Buffer.from(update).toString('base64') }] }),
    });
    expect(response.status, await response.clone().text()).toBe(200);
  }

  /** Pulls from the start and applies this entry's update; returns what the hub sent. */
  async pull(): Promise<PulledRecord> {
    const pulled = await pullRecord(this.device.token, this.id);
    if (!pulled) throw new Error(`${this.id} was not pulled`);
    Y.applyUpdate(this.doc, pulled.update);
    return pulled;
  }

  destroy(): void {
    this.doc.destroy();
  }
}

async function pullRecord(token: string, id: string): Promise<PulledRecord | undefined> {
  const response = await fetch(`${hub.url}/v1/pull?since=0&projections=1`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  const frames = new PullFrameReader().push(new Uint8Array(await response.arrayBuffer()));
  return frames.flatMap((frame) => (frame.kind === 'page' ? frame.records : [])).find((record) => record.meta.id === id);
}

function connect(token: string, recordId: string): { provider: WebsocketProvider; doc: Y.Doc } {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`${hub.url.replace(/^http/, 'ws')}/yjs`, recordId, doc, {
    connect: true,
    params: { token },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    // Without this, two providers of one room in one process talk over a BroadcastChannel and
    // bypass the hub altogether.
    disableBc: true,
    // Keeps the reconnect timer the provider schedules on destroy short.
    maxBackoffTime: 100,
  });
  const connection = { provider, doc };
  opened.push(connection);
  return connection;
}

async function connectSynced(token: string, recordId: string): Promise<{ provider: WebsocketProvider; doc: Y.Doc }> {
  const connection = connect(token, recordId);
  await waitFor(() => connection.provider.synced, 'the provider to sync');
  return connection;
}

function closedWith(provider: WebsocketProvider): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => provider.once('closed', (event) => resolve(event)));
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

const bodyOf = (doc: Y.Doc): string => fragmentText(doc.getXmlFragment('body'));

/** What an editor bound to the body does when someone types a new paragraph. */
function appendParagraph(doc: Y.Doc, text: string): void {
  const paragraph = new Y.XmlElement('paragraph');
  paragraph.insert(0, [new Y.XmlText(text)]);
  doc.getXmlFragment('body').push([paragraph]);
}

const refusals = (recordId: string): number => hub.logs.filter((entry) => entry.path === '/yjs' && entry.recordId === recordId && entry.code === 'forbidden').length;

describe('standard Yjs endpoint', () => {
  it('commits a provider edit through the write path and relays later pushes to it live', async () => {
    const laptop = new FieldwiseEntry(member);
    try {
      await laptop.create();
      const { doc } = await connectSynced(member.token, laptop.id);
      expect(bodyOf(doc)).toBe('Field notes from the river');

      doc.transact(() => {
        appendParagraph(doc, 'Edited live in the browser');
        doc.getMap('fields').set('title', 'Rainwater tanks, revised');
      });
      await waitFor(async () => (await pullRecord(member.token, laptop.id))?.meta.projection?.title === 'Rainwater tanks, revised', 'the hub to commit the edit');
      const committed = await laptop.pull();
      expect(committed.meta.projection?.body).toBe('Field notes from the river\nEdited live in the browser');

      const started = Date.now();
      await laptop.change((local) => appendParagraph(local, 'Pushed from the laptop'));
      await waitFor(() => bodyOf(doc).includes('Pushed from the laptop'), 'the push to reach the provider');
      expect(Date.now() - started).toBeLessThan(5_000);

      expect(bodyOf(doc)).toBe('Field notes from the river\nEdited live in the browser\nPushed from the laptop');
      expect(bodyOf(laptop.doc)).toBe(bodyOf(doc));
      expect(laptop.doc.getMap('fields').get('title')).toBe('Rainwater tanks, revised');
    } finally {
      laptop.destroy();
    }
  });

  it("relays one provider's committed edits to another provider of the record", async () => {
    const laptop = new FieldwiseEntry(member);
    try {
      await laptop.create();
      const first = await connectSynced(member.token, laptop.id);
      const second = await connectSynced(outsider.token, laptop.id);
      appendParagraph(first.doc, 'Typed by the first editor');
      await waitFor(() => bodyOf(second.doc).includes('Typed by the first editor'), 'the edit to reach the second provider');
    } finally {
      laptop.destroy();
    }
  });

  for (const [who, device] of [
    ['an observer', () => observer],
    ['a member of another organization', () => outsider],
  ] as const) {
    it(`changes nothing for ${who}, and no other provider sees the refused edit`, async () => {
      const laptop = new FieldwiseEntry(member);
      try {
        await laptop.create();
        const owner = await connectSynced(member.token, laptop.id);
        const intruder = await connectSynced(device().token, laptop.id);
        const before = (await hub.storage.getRecord(laptop.id))!;
        const refusedBefore = refusals(laptop.id);

        intruder.doc.transact(() => {
          appendParagraph(intruder.doc, 'Scribbled by someone who may not write');
          intruder.doc.getMap('fields').set('title', 'Defaced');
        });
        await waitFor(() => refusals(laptop.id) > refusedBefore, 'the hub to refuse the edit');

        const after = (await hub.storage.getRecord(laptop.id))!;
        expect(after.seq).toBe(before.seq);
        expect(Buffer.from(after.state).equals(Buffer.from(before.state))).toBe(true);
        // A later push reaches the owner's provider: had the refused edit been relayed, it would
        // have come first.
        await laptop.change((local) => entryMutators.setSection.apply(local, { section: 'results', text: 'Tanks full by June' }, laptop.context));
        await waitFor(() => fragmentText(owner.doc.getXmlFragment('section.results')) === 'Tanks full by June', 'the push to reach the owner');
        expect(bodyOf(owner.doc)).toBe('Field notes from the river');
        expect(owner.doc.getMap('fields').get('title')).toBe('Rainwater tanks');
      } finally {
        laptop.destroy();
      }
    });
  }

  it('relays awareness between providers and removes a closed connection\'s state', async () => {
    const laptop = new FieldwiseEntry(member);
    try {
      await laptop.create();
      const ana = await connectSynced(member.token, laptop.id);
      const ben = await connectSynced(observer.token, laptop.id);
      ana.provider.awareness.setLocalStateField('user', { name: 'Ana', color: '#0a7' });
      const anaId = ana.doc.clientID;
      await waitFor(() => (ben.provider.awareness.getStates().get(anaId) as { user?: { name: string } } | undefined)?.user?.name === 'Ana', "Ana's presence to reach Ben");

      // Cut Ana's socket without a goodbye: the hub, not Ana's client, must clear her presence.
      ana.provider.shouldConnect = false;
      (ana.provider.ws as unknown as WebSocket).terminate();
      await waitFor(() => !ben.provider.awareness.getStates().has(anaId), "Ana's presence to be removed");
    } finally {
      laptop.destroy();
    }
  });

  it('closes a provider with a bad token (4401) and the provider stops reconnecting', async () => {
    const laptop = new FieldwiseEntry(member);
    try {
      await laptop.create();
      const { provider } = connect(`${member.token}x`, laptop.id);
      expect(await closedWith(provider)).toEqual({ code: 4401, reason: 'unauthorized' });
      expect(provider.shouldConnect).toBe(false);
    } finally {
      laptop.destroy();
    }
  });

  it('closes a provider for an unknown record and for a private draft of another organization alike (4404): the code tells nothing of what exists', async () => {
    const unknown = connect(member.token, `entry-${randomUUID()}`);
    expect(await closedWith(unknown.provider)).toEqual({ code: 4404, reason: 'not-found' });

    const draft = new FieldwiseEntry(member);
    try {
      await draft.create({ ...sharedEntry, sharing: 'private' });
      const outside = connect(outsider.token, draft.id);
      expect(await closedWith(outside.provider)).toEqual({ code: 4404, reason: 'not-found' });
      expect(bodyOf(outside.doc)).toBe('');
    } finally {
      draft.destroy();
    }
  });

  it("closes other organizations' providers before relaying the change that makes an entry private", async () => {
    const laptop = new FieldwiseEntry(member);
    try {
      await laptop.create();
      const outside = await connectSynced(outsider.token, laptop.id);
      const owner = await connectSynced(member.token, laptop.id);
      const closed = closedWith(outside.provider);
      await laptop.change((local) => {
        entryMutators.setSharing.apply(local, 'private', laptop.context);
        appendParagraph(local, 'Names of the families we visited');
      });
      expect(await closed).toEqual({ code: 4403, reason: 'forbidden' });
      await waitFor(() => bodyOf(owner.doc).includes('Names of the families'), 'the change to reach the owner');
      expect(bodyOf(outside.doc)).not.toContain('Names of the families');
    } finally {
      laptop.destroy();
    }
  });

  it("closes a revoked credential's provider (4403)", async () => {
    const laptop = new FieldwiseEntry(member);
    const tablet = await hub.join(await hub.inviteDevice(member.org.id), 'tablet');
    try {
      await laptop.create();
      const { provider } = await connectSynced(tablet.token, laptop.id);
      const closed = closedWith(provider);
      await hub.storage.revokeCredentials({ credentialId: tablet.credentialId }, Date.now());
      expect(await closed).toEqual({ code: 4403, reason: 'token-revoked' });
    } finally {
      laptop.destroy();
    }
  });

  it('writes no token to the log', () => {
    const logged = JSON.stringify(hub.logs);
    expect(hub.logs.some((entry) => entry.path === '/yjs' && entry.code === 'forbidden')).toBe(true);
    for (const device of [member, observer, outsider]) expect(logged).not.toContain(device.token);
    expect(logged).not.toContain('token=');
  });
});
