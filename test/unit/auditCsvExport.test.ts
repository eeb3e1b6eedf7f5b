import { describe, expect, it } from 'vitest';
import { adminClient } from '../../renderer/admin/adminApi';

/*
 * Found by the walk: the saved audit CSV lost the hub's byte-order mark (the answer is decoded as
 * text, which drops it), so Excel on a Chinese Windows read it as GBK.
 */

describe('the audit CSV export', () => {
  it('keeps the UTF-8 byte-order mark the hub sends, so spreadsheets read the Chinese names', async () => {
    const csv = '\uFEFFid,act,org\r\n1,invite,西山合作社\r\n';
    const client = adminClient({ hubRequest: async () => new Response(new TextEncoder().encode(csv), { status: 200, headers: { 'content-type': 'text/csv; charset=utf-8' } }) });
    const result = await client.auditCsv();
    expect(result.ok).toBe(true);
    const bytes = new TextEncoder().encode(result.ok ? result.value : '');
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(result.ok && result.value.slice(1)).toBe(csv.slice(1));
  });
});
