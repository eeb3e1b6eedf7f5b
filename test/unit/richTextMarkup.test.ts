import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { fragmentText, setFragmentText } from '../../shared/records/layout';
import { fragmentJson } from '../../shared/records/richTextJson';
import { richTextMarkup } from '../../shared/records/richTextMarkup';

const paragraph = (...texts: Y.XmlText[]) => {
  const element = new Y.XmlElement('paragraph');
  element.insert(0, texts);
  return element;
};

describe('richTextMarkup', () => {
  it('reads plain paragraphs exactly as fragmentText does', () => {
    const doc = new Y.Doc();
    const fragment = doc.getXmlFragment('description');
    setFragmentText(fragment, '  We will pool the fund \n\n this year ');
    expect(richTextMarkup(fragmentJson(fragment))).toBe(fragmentText(fragment));
  });

  it('shows the marks and blocks a reader sees, so a strike-through or a new link target reads as a change', () => {
    const doc = new Y.Doc();
    const fragment = doc.getXmlFragment('description');
    const line = new Y.XmlText('We will not pool the fund, see the plan');
    const heading = new Y.XmlElement('heading');
    heading.setAttribute('level', '2');
    heading.insert(0, [new Y.XmlText('Terms')]);
    const list = new Y.XmlElement('bulletList');
    const item = new Y.XmlElement('listItem');
    item.insert(0, [paragraph(new Y.XmlText('seed first'))]);
    list.insert(0, [item]);
    fragment.insert(0, [heading, paragraph(line), list]);
    line.format('We will '.length, 'not'.length, { strike: {} });
    line.format('We will not pool the fund, see '.length, 'the plan'.length, { link: { href: 'https://network.example/plan' } });
    line.format(0, 'We'.length, { bold: {}, highlight: { color: 'red' } });
    expect(richTextMarkup(fragmentJson(fragment))).toBe(
      '## Terms\n[**We**]{.highlight color="red"} will ~~not~~ pool the fund, see [the plan](https://network.example/plan)\n- seed first',
    );
  });
});
