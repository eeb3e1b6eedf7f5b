import fc from 'fast-check';
import jsQR from 'jsqr';
import { describe, expect, it } from 'vitest';
import { codeOfFragment, invitationLink, parseInvitation } from '../../renderer/admin/invitationLink';
import { invitationQr } from '../../renderer/admin/invitationQr';

const CODE = 'FW-7K2M-Q9XD-4HJT-0PRS-8VWZ-AB3C-EFG5';
const HUB = 'https://hub.example.org';

/** The drawing as an RGBA image, `scale` pixels per module, as a camera would see a printed code. */
function rasterize(modules: readonly (readonly boolean[])[], scale: number): { data: Uint8ClampedArray; size: number } {
  const size = modules.length * scale;
  const data = new Uint8ClampedArray(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const value = modules[Math.floor(y / scale)]![Math.floor(x / scale)] ? 0 : 255;
      data.set([value, value, value, 255], (y * size + x) * 4);
    }
  }
  return { data, size };
}

describe('the one invitation', () => {
  it('reads back the hub and the code from its link', () => {
    const link = invitationLink({ hubUrl: HUB, code: CODE });
    expect(link).toBe(`${HUB}/#invitation=${CODE}`);
    expect(parseInvitation(link)).toEqual({ hubUrl: HUB, code: CODE });
  });

  it('keeps a hub under a path prefix and on a LAN address', () => {
    for (const hubUrl of ['https://example.org/fieldwise', 'http://192.168.1.20:8787']) {
      expect(parseInvitation(invitationLink({ hubUrl, code: CODE }))).toEqual({ hubUrl, code: CODE });
    }
  });

  it('finds the link inside a pasted message', () => {
    const message = `您好！请用这个邀请加入网络：\n${invitationLink({ hubUrl: HUB, code: CODE })}\n14天内有效。`;
    expect(parseInvitation(message)).toEqual({ hubUrl: HUB, code: CODE });
  });

  it('reads an address and a code written apart', () => {
    expect(parseInvitation(`${HUB}, ${CODE.toLowerCase()}`)).toEqual({ hubUrl: HUB, code: CODE });
    expect(parseInvitation(`邀请码 ${CODE.replaceAll('-', ' ')} 地址 ${HUB}。`)).toEqual({ hubUrl: HUB, code: CODE });
  });

  it('is not an invitation without both parts', () => {
    expect(parseInvitation(CODE)).toBeNull();
    expect(parseInvitation(HUB)).toBeNull();
    expect(parseInvitation(`${HUB}/#/library`)).toBeNull();
    expect(parseInvitation(`javascript:alert(1)/#invitation=${CODE}`)).toBeNull();
    expect(parseInvitation(`ftp://hub.example.org/#invitation=${CODE}`)).toBeNull();
    expect(parseInvitation(`${HUB}?x=1/#invitation=${CODE}`)).toBeNull();
    expect(parseInvitation('')).toBeNull();
  });

  it('reads a page fragment only when it names one code', () => {
    expect(codeOfFragment(`#invitation=${CODE}`)).toBe(CODE);
    expect(codeOfFragment('#invitation=')).toBeNull();
    expect(codeOfFragment('#invitation=a/b')).toBeNull();
    expect(codeOfFragment('#invitation=%E0%A4%A')).toBeNull();
    expect(codeOfFragment('#/library')).toBeNull();
  });

  it('round-trips any hub address and code (seeded)', () => {
    const codeArb = fc.array(fc.stringMatching(/^[0-9A-HJKMNP-TV-Z]{4}$/), { minLength: 1, maxLength: 8 }).map((groups) => `FW-${groups.join('-')}`);
    const hubArb = fc.tuple(fc.constantFrom('http', 'https'), fc.domain(), fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }), fc.constantFrom('', '/fieldwise', '/a/b')).map(([scheme, host, port, path]) => new URL(`${scheme}://${host}${port ? `:${port}` : ''}${path}`).href.replace(/\/+$/, ''));
    fc.assert(
      fc.property(hubArb, codeArb, (hubUrl, code) => {
        expect(parseInvitation(invitationLink({ hubUrl, code }))).toEqual({ hubUrl, code });
      }),
      { seed: 14, numRuns: 300 },
    );
  });

  it('draws a QR code that decodes to the same invitation', () => {
    const link = invitationLink({ hubUrl: 'https://fieldwise.yunnan-water.org.cn', code: CODE });
    const drawing = invitationQr(link);
    const { data, size } = rasterize(drawing.modules, 4);
    const decoded = jsQR(data, size, size);
    expect(decoded?.data).toBe(link);
    expect(parseInvitation(decoded?.data ?? '')).toEqual({ hubUrl: 'https://fieldwise.yunnan-water.org.cn', code: CODE });
    // The path draws exactly the dark modules.
    const dark = drawing.modules.flat().filter(Boolean).length;
    expect(drawing.path.match(/M/g)).toHaveLength(dark);
  });
});
