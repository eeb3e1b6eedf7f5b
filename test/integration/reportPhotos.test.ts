// Reports show the chosen photos from this device's blob store, preview size, and follow the rules
// the text follows: a photo whose consent is pending, on an entry left out for its labels, or on a
// private entry never reaches the HTML or the PDF, by any path. Read back by real tools: Chromium
// prints the PDF, pdfimages lists what is embedded and pdftotext reads the captions, csv-parse
// reads the CSV. A photo not on the device, or whose stored bytes are damaged, says "photo not
// downloaded" in the report's language and the rest of the report is made.
import { parse } from 'csv-parse/sync';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlobContent, BlobRef } from '../../shared/blobs/blobRef';
import { describeBlob } from '../../shared/blobs/describeBlob';
import { MemoryDeviceBlobStore } from '../../shared/blobs/memoryDeviceBlobStore';
import { openClient, type FieldwiseClient } from '../../shared/client/client';
import type { Attachment } from '../../shared/records/attachments';
import { entryMutators, type EntryInput } from '../../shared/records/entry';
import { buildReport } from '../../shared/reports/buildReport';
import { exportReportText } from '../../shared/reports/exportReport';
import { lastHeardFrom } from '../../shared/reports/lastHeardFrom';
import { choosablePhotos, photoKey } from '../../shared/reports/reportAttachments';
import { loadReportData, type ReportData } from '../../shared/reports/reportData';
import type { ReportLocale, ReportModel } from '../../shared/reports/reportModel';
import { knownReportPhotos, loadReportPhotos, type ReportBlobReader } from '../../shared/reports/reportPhotos';
import { memoryStorage } from '../../shared/store/memoryStorage';
import { uniqueName } from '../support/clients';
import { jpegOf, launchReportBrowser, pdfImages, printHtmlToPdf, readPdf } from '../e2e/support/reportPdf';
import { reportLocale } from './reportsFixture';

const squash = (text: string) => text.replace(/\s+/g, '');
const pause = () => Promise.resolve();
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
// Every canvas JPEG opens with the same headers: the end of its scan data tells one from another.
const tailOf = (bytes: Uint8Array) => base64(bytes).slice(-160, -8);

const shared: EntryInput = {
  kind: 'practice',
  title: '',
  language: 'en',
  attribution: { holderKind: 'community', holderName: 'Fengyu village', consent: 'community-approved' },
  sharing: 'network',
};

type NewAttachment = Omit<Attachment, 'addedAt' | 'addedBy'>;

describe('reports show the chosen photos from this device, and no other', { timeout: 180_000 }, () => {
  let client: FieldwiseClient;
  let store: MemoryDeviceBlobStore;
  let data: ReportData;
  let en: ReportLocale;
  let zh: ReportLocale;
  let browser: Browser;
  let now = 0;
  let roofId = '';
  /** Every rendition by name, with its bytes. */
  const blobs = new Map<string, { content: BlobContent; bytes: Uint8Array }>();
  const context = (locale: ReportLocale, includePhotos?: boolean, leftOutPhotos?: ReadonlySet<string>) => ({ data, locale, now, lastSyncAt: lastHeardFrom(data, now), lastSyncSource: 'derived' as const, includePhotos, leftOutPhotos });
  const everyStatus = { statuses: ['draft', 'shared', 'endorsed'] } as const;

  async function rendition(name: string, widthPx: number, heightPx: number, from: string, to: string, isStored = true): Promise<BlobContent> {
    const bytes = await jpegOf(browser, widthPx, heightPx, from, to);
    const content = describeBlob(bytes, 'image/jpeg');
    blobs.set(name, { content, bytes });
    if (isStored) await store.put(content, bytes);
    return content;
  }
  const photo = (name: string, ref: BlobRef, caption: string, consent: Attachment['consent'] = 'given'): NewAttachment => ({ kind: 'photo', ref, name, caption, consent, keepsLocation: false });
  async function entry(input: Partial<EntryInput> & { title: string }, attachments: Record<string, NewAttachment>): Promise<string> {
    const id = await client.create('entry', { ...shared, ...input });
    for (const [key, attachment] of Object.entries(attachments)) await client.mutate(id, entryMutators.addAttachment, { id: key, attachment });
    return id;
  }
  const hashOf = (name: string) => blobs.get(name)!.content.sha256;
  const dataUrlOf = (name: string) => `data:image/jpeg;base64,${base64(blobs.get(name)!.bytes)}`;

  beforeAll(async () => {
    browser = await launchReportBrowser();
    store = new MemoryDeviceBlobStore();
    client = await openClient({ storage: memoryStorage(), name: uniqueName('report-photos'), identity: { orgId: 'org-fengyu', deviceId: 'dev-1', role: 'member' } });
    // The original of each photo is never on the device: a report never needs it.
    const original = (label: string) => describeBlob(new TextEncoder().encode(`original ${label}`), 'image/jpeg');

    const wellPreview = await rendition('well-preview', 480, 360, '#2f6f9f', '#e0c068');
    const wellThumbnail = await rendition('well-thumbnail', 120, 90, '#2f6f9f', '#e0c068');
    const pendingPreview = await rendition('pending-preview', 440, 330, '#5a3a7d', '#e0d0f0');
    const voice = describeBlob(new TextEncoder().encode('an elder speaking'), 'audio/webm');
    roofId = await entry(
      { title: 'Roof tanks for the dry season' },
      {
        well: photo('well.jpg', { ...original('well'), variants: { preview: wellPreview, thumbnail: wellThumbnail } }, 'The new tank behind the school'),
        pending: photo('grandmother.jpg', { ...original('pending'), variants: { preview: pendingPreview } }, 'Grandmother Li at the spring', 'pending'),
        voice: { kind: 'audio', ref: { ...voice, variants: {} }, name: 'elder.webm', caption: 'Elder He explains the tanks', consent: 'given', keepsLocation: false, durationMs: 60_000 },
        fees: { kind: 'document', ref: { ...describeBlob(new TextEncoder().encode('fees'), 'application/pdf'), variants: {} }, name: '=HYPERLINK("http://x")', caption: '', consent: 'not-needed', keepsLocation: false },
      },
    );

    // The preview never came down; the thumbnail did.
    const terracePreview = await rendition('terrace-preview', 500, 375, '#3a7d44', '#d9e8c4', false);
    const terraceThumbnail = await rendition('terrace-thumbnail', 100, 75, '#3a7d44', '#d9e8c4');
    // Neither rendition is on the device; another's stored bytes are damaged (read through `damaged` below).
    const missingPreview = await rendition('missing-preview', 300, 200, '#000000', '#ffffff', false);
    const corruptPreview = await rendition('corrupt-preview', 320, 240, '#804000', '#ffffff');
    await entry(
      { title: 'Terraces that keep the water' },
      {
        terrace: photo('terrace.jpg', { ...original('terrace'), variants: { preview: terracePreview, thumbnail: terraceThumbnail } }, 'Stone edges after the rains'),
        missing: photo('missing.jpg', { ...original('missing'), variants: { preview: missingPreview } }, ''),
        corrupt: photo('corrupt.jpg', { ...original('corrupt'), variants: { preview: corruptPreview } }, 'Damaged on disk'),
      },
    );

    const secretPreview = await rendition('secret-preview', 400, 300, '#7d3a3a', '#f0d0d0');
    await entry({ title: 'The mountain prayer', labels: [{ id: 'tk-secret-sacred', texts: { en: 'Never told outside', zh: '不得外传' } }] }, { secret: photo('altar.jpg', { ...original('secret'), variants: { preview: secretPreview } }, 'The altar stone') });

    const privatePreview = await rendition('private-preview', 360, 270, '#7d6a3a', '#f0ecd0');
    await entry({ title: 'Draft: seed selection', sharing: 'private' }, { draft: photo('seeds.jpg', { ...original('private'), variants: { preview: privatePreview } }, 'Seeds on a tray') });

    data = await loadReportData(client);
    now = Date.now() + 1;
    [en, zh] = await Promise.all([reportLocale('en'), reportLocale('zh-CN')]);
  });

  afterAll(async () => {
    await browser?.close();
    await client?.close();
  });

  /** The store as the report reads it, with the corrupt preview's bytes flipped as a damaged disk would. */
  const damaged = (): ReportBlobReader => ({
    get: async (sha256) => {
      const bytes = await store.get(sha256);
      const middle = bytes ? bytes.length >> 1 : 0;
      if (bytes && sha256 === hashOf('corrupt-preview')) bytes[middle] = bytes[middle]! ^ 0xff;
      return bytes;
    },
  });

  async function documentOf(locale: ReportLocale, includePhotos?: boolean): Promise<{ model: ReportModel; html: string }> {
    const model = buildReport(context(locale, includePhotos), { kind: 'digest', options: everyStatus });
    const photos = await loadReportPhotos(model, damaged());
    return { model, html: await exportReportText(model, 'html', { pause, valueLabel: 'n', photos }) };
  }

  it('embeds the allowed photos in the HTML as data: URLs of their previews (else thumbnails), with caption and alt text', async () => {
    const { html } = await documentOf(en);
    expect(html).toContain(`<img src="${dataUrlOf('well-preview')}" alt="The new tank behind the school">`);
    expect(html).toContain(`<img src="${dataUrlOf('terrace-thumbnail')}" alt="Stone edges after the rains">`);
    expect(html).toContain('<figcaption>The new tank behind the school <span class="name">(well.jpg)</span></figcaption>');
    expect(html.match(/<img /g)).toHaveLength(2);
    // The preview was there, so the thumbnail is not embedded as well.
    expect(html).not.toContain(tailOf(blobs.get('well-thumbnail')!.bytes));
    // The other attachments by name.
    expect(html).toContain('<li>Voice recording: elder.webm; Elder He explains the tanks</li>');
  });

  it('never lets a photo with consent pending, on an entry left out for its labels, or on a private entry into the HTML', async () => {
    expect(new Set([...blobs.values()].map(({ bytes }) => tailOf(bytes))).size).toBe(blobs.size);
    for (const includePhotos of [true, false]) {
      const { html } = await documentOf(en, includePhotos);
      for (const name of ['pending-preview', 'secret-preview', 'private-preview']) {
        expect(html).not.toContain(base64(blobs.get(name)!.bytes));
        expect(html).not.toContain(tailOf(blobs.get(name)!.bytes));
      }
      // A pending attachment is not even named; the entry says one is not shown.
      expect(html).not.toContain('grandmother.jpg');
      expect(html).not.toContain('Grandmother Li');
      expect(html).toContain('1 attachment is not shown: the knowledge holder&#39;s consent for it is pending.');
      expect(html).not.toContain('altar.jpg');
      // A private draft the digest was asked to list: its photo is named, not shown.
      expect(html).toContain('<li>Photo: seeds.jpg; Seeds on a tray</li>');
    }
    expect((await documentOf(en)).html).toContain('Photos of an entry that is not shared are not shown.');
  });

  it('reads only the renditions the report may show from the blob store', async () => {
    const asked: string[] = [];
    const model = buildReport(context(en), { kind: 'digest', options: everyStatus });
    await loadReportPhotos(model, { get: async (sha256) => (asked.push(sha256), store.get(sha256)) });
    expect(new Set(asked)).toEqual(new Set(['well-preview', 'terrace-preview', 'terrace-thumbnail', 'missing-preview', 'corrupt-preview'].map(hashOf)));
  });

  it('takes again what an earlier read found, without reading, as the preview does on every change', async () => {
    const model = buildReport(context(en), { kind: 'digest', options: everyStatus });
    const reads = new Map<string, string | null>();
    expect(knownReportPhotos(model, reads)).toBeNull();
    const first = await loadReportPhotos(model, damaged(), { known: reads, onRead: (sha256, url) => reads.set(sha256, url) });
    expect(reads.get(hashOf('missing-preview'))).toBeNull();
    expect(reads.get(hashOf('corrupt-preview'))).toBeNull();
    const again = await loadReportPhotos(model, { get: () => Promise.reject(new Error('read again')) }, { known: reads });
    expect(again).toEqual(first);
    expect(knownReportPhotos(model, reads)).toEqual(first);
    // Photos off: nothing to read, nothing shown.
    expect(knownReportPhotos(buildReport(context(en, false), { kind: 'digest', options: everyStatus }), new Map())).toEqual(new Map());
  });

  it('says "photo not downloaded" for a photo that is not on the device or whose bytes are damaged, and makes the rest', async () => {
    const { html } = await documentOf(en);
    expect(html).toContain('<p class="photo-missing">Photo not downloaded: missing.jpg</p>');
    expect(html).toContain('<p class="photo-missing">Photo not downloaded: corrupt.jpg<br>Damaged on disk</p>');
    expect(html).not.toContain(tailOf(blobs.get('corrupt-preview')!.bytes));
    expect(html).toContain('Terraces that keep the water');
    // A store that fails to read is a photo not downloaded too, not a failed report.
    const model = buildReport(context(en), { kind: 'digest', options: everyStatus });
    const photos = await loadReportPhotos(model, { get: () => Promise.reject(new Error('the database is closed')) });
    expect(photos.size).toBe(0);
    const without = await exportReportText(model, 'html', { pause, valueLabel: 'n', photos });
    expect(without.match(/class="photo-missing"/g)).toHaveLength(4);
    expect((await documentOf(zh)).html).toContain('照片未下载：missing.jpg');
  });

  it('embeds exactly the allowed photos in the PDF (pdfimages) with their captions (pdftotext), in English and Chinese', async () => {
    for (const locale of [en, zh]) {
      const { model } = await documentOf(locale);
      const photos = await loadReportPhotos(model, damaged());
      const pdf = await printHtmlToPdf(browser, await exportReportText(model, 'pdf', { pause, valueLabel: 'n', photos }));
      const images = pdfImages(pdf).map((image) => `${image.widthPx}x${image.heightPx}`);
      expect(images.sort()).toEqual(['100x75', '480x360']);
      const text = squash(readPdf(pdf).text);
      expect(text).toContain(squash('The new tank behind the school (well.jpg)'));
      expect(text).toContain(squash('Stone edges after the rains (terrace.jpg)'));
      expect(text).toContain(squash(locale === en ? 'Photo not downloaded: missing.jpg' : '照片未下载：missing.jpg'));
      expect(text).not.toContain(squash('The altar stone'));
      expect(pdf.length).toBeLessThan(2_000_000);
    }
  });

  it('leaves photos out of the document when the report is asked to, and says so', async () => {
    const { model, html } = await documentOf(en, false);
    expect(model.criteria).toContain('Photos: not included');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('data:image');
    expect(html).toContain('<li>Photo: well.jpg; The new tank behind the school</li>');
    const pdf = await printHtmlToPdf(browser, await exportReportText(model, 'pdf', { pause, valueLabel: 'n', photos: await loadReportPhotos(model, store) }));
    expect(pdfImages(pdf)).toEqual([]);
    expect((await documentOf(zh, true)).model.criteria).toContain('照片：已包含（预览尺寸）');
  });

  it('leaves out a photo the person chose to, naming it, and offers only photos the report may show', async () => {
    expect(choosablePhotos(data.entries).map((photo) => photo.name).sort()).toEqual(['corrupt.jpg', 'missing.jpg', 'terrace.jpg', 'well.jpg']);
    const model = buildReport(context(en, true, new Set([photoKey(roofId, 'well')])), { kind: 'digest', options: everyStatus });
    expect(model.criteria).toContain('Photos: included (preview size), 1 left out by choice');
    const html = await exportReportText(model, 'html', { pause, valueLabel: 'n', photos: await loadReportPhotos(model, store) });
    expect(html).not.toContain(tailOf(blobs.get('well-preview')!.bytes));
    expect(html).not.toContain(tailOf(blobs.get('well-thumbnail')!.bytes));
    expect(html).toContain('<li>Photo: well.jpg; The new tank behind the school</li>');
    expect(html).toContain(dataUrlOf('terrace-thumbnail'));
  });

  it('lists attachments by name in the CSV column "Attachments" (parsed back), a formula-like name kept as text', async () => {
    for (const [locale, column, first] of [
      [en, 'Attachments', 'Photo: well.jpg; The new tank behind the school'],
      [zh, '附件', '照片：well.jpg；The new tank behind the school'],
    ] as const) {
      const model = buildReport(context(locale), { kind: 'digest', options: everyStatus });
      const rows = parse((await exportReportText(model, 'csv', { pause, valueLabel: 'n' })).replace(/^\uFEFF/, ''), { relax_column_count: true }) as string[][];
      const at = rows[0]!.indexOf(column);
      expect(at).toBe(rows[0]!.length - 1);
      const roof = rows.find((row) => row[1] === 'Roof tanks for the dry season')!;
      // One line per attachment shown (oldest first, then by id), then why one is not.
      const lines = roof[at]!.split('\n');
      expect(lines).toHaveLength(4);
      expect(lines).toContain(first);
      expect(lines.some((line) => line.endsWith('=HYPERLINK("http://x")'))).toBe(true);
      expect(lines[3]).toBe(locale === en ? "1 attachment is not shown: the knowledge holder's consent for it is pending." : '1 个附件未显示：知识持有者尚未同意。');
      expect(roof[at]).not.toMatch(/^[=+\-@]/);
      const cells = rows.flat().join('\n');
      expect(cells).not.toContain('grandmother.jpg');
      expect(cells).not.toContain('altar.jpg');
      expect(rows.find((row) => row[1] === 'Draft: seed selection')![at]).toContain('seeds.jpg');
    }
  });

  it('lists attachments by name under each entry in the Markdown', async () => {
    const model = buildReport(context(en), { kind: 'digest', options: everyStatus });
    const markdown = await exportReportText(model, 'markdown', { pause, valueLabel: 'n' });
    expect(markdown).toContain('**Attachments**\n\n- ');
    expect(markdown).toContain('\n- Photo: well.jpg; The new tank behind the school\n');
    expect(markdown).toContain('\n- Voice recording: elder.webm; Elder He explains the tanks\n');
    expect(markdown).toContain("- *1 attachment is not shown: the knowledge holder's consent for it is pending.*");
    expect(markdown).not.toContain('data:image');
    expect(markdown).not.toContain('grandmother.jpg');
  });
});
