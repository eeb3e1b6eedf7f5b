import { describe, expect, it } from 'vitest';
import { hubServingPage } from '../../renderer/platform/hubServingPage';

/*
 * The join form fills in the hub's address only when the page came from a hub: the page's origin
 * answers /v1/hub-info as a hub does (docs/PROTOCOL.md). Any other server, a page fallback that
 * answers every path with index.html, or the desktop's app:// page is no hub.
 */

const asked: string[] = [];
const answering = (status: number, body: string, contentType = 'application/json') => (url: string) => {
  asked.push(url);
  return Promise.resolve(new Response(body, { status, headers: { 'content-type': contentType } }));
};

describe('the hub that served the page', () => {
  it('is the page\'s origin when that origin answers hub-info as a hub', async () => {
    asked.length = 0;
    const url = await hubServingPage('https://hub.example.org/#/library', answering(200, JSON.stringify({ kind: 'fieldwise-hub', networkId: 'n1', webApp: true })));
    expect(url).toBe('https://hub.example.org');
    expect(asked).toEqual(['https://hub.example.org/v1/hub-info']);
    expect(await hubServingPage('http://192.168.1.10:8787/index.html', answering(200, '{"kind":"fieldwise-hub"}'))).toBe('http://192.168.1.10:8787');
  });

  it('is none for any other server, a page fallback, a failure, or the desktop app', async () => {
    expect(await hubServingPage('http://127.0.0.1:5173/', answering(404, ''))).toBeNull();
    expect(await hubServingPage('http://127.0.0.1:5173/', answering(200, '<!doctype html><div id="root"></div>', 'text/html'))).toBeNull();
    expect(await hubServingPage('http://127.0.0.1:5173/', answering(200, '{"kind":"something-else"}'))).toBeNull();
    expect(await hubServingPage('http://127.0.0.1:5173/', () => Promise.reject(new TypeError('Failed to fetch')))).toBeNull();
    asked.length = 0;
    expect(await hubServingPage('app://fieldwise/index.html', answering(200, '{"kind":"fieldwise-hub"}'))).toBeNull();
    expect(asked).toEqual([]);
  });
});
