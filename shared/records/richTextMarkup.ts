import type { RichMark, RichNode } from './richTextJson';

/*
 * Rich text as plain text that keeps what a reader sees: Markdown for the editor's own marks and
 * blocks (StarterKit: bold, italic, strike, code, underline, links; headings, lists, quotes, code
 * blocks, rules), Pandoc's bracketed spans for any other mark. A proposal's version history shows
 * its description this way, so "We will ~~not~~ pool the fund" reads as the change it is where the
 * plain text would show none. Plain paragraphs read exactly as fragmentText does (one line each,
 * trimmed, empty ones left out). It is for people to read and compare, not to parse back: whether
 * two descriptions differ is decided on their structure (richTextJson.ts), never on this text.
 */

const markOrder = (a: RichMark, b: RichMark) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0);

function withMark(text: string, mark: RichMark): string {
  switch (mark.type) {
    case 'bold':
      return `**${text}**`;
    case 'italic':
      return `*${text}*`;
    case 'strike':
      return `~~${text}~~`;
    case 'code':
      return `\`${text}\``;
    case 'underline':
      return `<u>${text}</u>`;
    case 'link':
      return `[${text}](${String(mark.attrs?.['href'] ?? '')})`;
    default: {
      const attrs = Object.entries(mark.attrs ?? {})
        .filter(([, value]) => value !== null)
        .map(([key, value]) => ` ${key}=${JSON.stringify(value)}`)
        .join('');
      return `[${text}]{.${mark.type}${attrs}}`;
    }
  }
}

function inline(nodes: readonly RichNode[]): string {
  return nodes
    .map((node) => {
      if (node.type === 'text') return [...(node.marks ?? [])].sort(markOrder).reduce(withMark, node.text ?? '');
      if (node.type === 'hardBreak') return '\n';
      return inline(node.content ?? []);
    })
    .join('');
}

const indent = (lines: readonly string[], first: string, rest: string): string[] => lines.map((line, i) => (i === 0 ? first : rest) + line);

/** A block node as its lines. */
function blockLines(node: RichNode): string[] {
  const content = node.content ?? [];
  const children = () => content.flatMap(blockLines);
  switch (node.type) {
    case 'paragraph':
      return inline(content).split('\n');
    case 'heading':
      return [`${'#'.repeat(Number(node.attrs?.['level'] ?? 1) || 1)} ${inline(content)}`];
    case 'blockquote':
      return children().map((line) => `> ${line}`);
    case 'bulletList':
      return content.flatMap((item) => indent(blockLines(item), '- ', '  '));
    case 'orderedList': {
      const start = Number(node.attrs?.['start'] ?? 1) || 1;
      return content.flatMap((item, i) => indent(blockLines(item), `${start + i}. `, '   '));
    }
    case 'codeBlock':
      return ['```' + String(node.attrs?.['language'] ?? ''), ...inline(content).split('\n'), '```'];
    case 'horizontalRule':
      return ['---'];
    default:
      // listItem, and nodes this text has no form for: their content, as blocks or as one line.
      return content.some((child) => child.type !== 'text' && child.type !== 'hardBreak') ? children() : inline(content).split('\n');
  }
}

/** `blocks` (a fragment's ProseMirror JSON) as text, one line per block, empty blocks left out. */
export function richTextMarkup(blocks: readonly RichNode[]): string {
  return blocks
    .map((block) => blockLines(block).join('\n').trim())
    .filter(Boolean)
    .join('\n');
}
