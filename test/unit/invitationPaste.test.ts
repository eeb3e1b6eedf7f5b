import { describe, expect, it } from 'vitest';
import { parseInvitation } from '../../renderer/admin/invitationLink';

/*
 * Found by the walk: invitations as people really pass them on in WeChat, e-mail and
 * letters. The link ends a sentence, sits after a full-width colon, or is wrapped in brackets or
 * quotes; the hub address and the code are labelled "地址：" and "邀请码：". Each must read back as
 * the hub and the code exactly: a code with a trailing "。" is a wrong code at the hub, and the
 * user cannot see why.
 */

const CODE = 'FW-7K2M-Q9XD-4HJT-0PRS-8VWZ-AB3C-EFG5';
const HUB = 'http://192.168.1.5:8080';
const LINK = `${HUB}/#invitation=${CODE}`;
const EXPECTED = { hubUrl: HUB, code: CODE };

describe('an invitation pasted from a real message', () => {
  it('drops the sentence punctuation that ends the link', () => {
    expect(parseInvitation(`${LINK}。`)).toEqual(EXPECTED);
    expect(parseInvitation(`Join here: ${LINK}.`)).toEqual(EXPECTED);
    expect(parseInvitation(`链接: ${LINK}，谢谢`)).toEqual(EXPECTED);
  });

  it('finds the link glued to Chinese text without a space', () => {
    expect(parseInvitation(`邀请链接：${LINK}`)).toEqual(EXPECTED);
    expect(parseInvitation(`请打开${LINK}加入`)).toEqual(EXPECTED);
  });

  it('finds the link inside brackets or quotes', () => {
    for (const [open, close] of [['<', '>'], ['(', ')'], ['"', '"'], ['【', '】'], ['“', '”']] as const) {
      expect(parseInvitation(`${open}${LINK}${close}`)).toEqual(EXPECTED);
    }
  });

  it('reads an address and a code labelled with full-width colons', () => {
    expect(parseInvitation(`地址：${HUB} 邀请码：${CODE}`)).toEqual(EXPECTED);
    expect(parseInvitation(`${HUB}/，${CODE}`)).toEqual(EXPECTED);
  });
});
