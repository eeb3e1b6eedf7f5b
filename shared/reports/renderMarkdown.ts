import type { ReportBlock, ReportEntryAttachments, ReportModel, ReportSection } from './reportModel';

/*
 * A report in CommonMark with GitHub tables: headings, tables, and a chart as the table of its
 * values. Text from records is escaped so a title cannot open a heading, a table cell or a link.
 * Attachments are listed by name under their entry; Markdown embeds no photo.
 */

export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .replace(/([\\`*_{}[\]()#+!|<>~])/g, '\\$1')
    .replace(/^(\s*)([-=])/, '$1\\$2')
    .replace(/^(\s*\d+)\./, '$1\\.');
}

function table(columns: readonly string[], rows: readonly (readonly string[])[], numeric: ReadonlySet<number>): string {
  const line = (cells: readonly string[]) => `| ${cells.map((cell) => escapeMarkdown(cell) || ' ').join(' | ')} |`;
  const rule = `| ${columns.map((_column, index) => (numeric.has(index) ? '---:' : '---')).join(' | ')} |`;
  return [line(columns), rule, ...rows.map(line)].join('\n');
}

function attachmentsMarkdown(attachments: ReportEntryAttachments | null): string[] {
  if (!attachments) return [];
  const lines = [...attachments.items.map((item) => `- ${escapeMarkdown(item.line)}`), ...attachments.notes.map((note) => `- *${escapeMarkdown(note)}*`)];
  return [`**${escapeMarkdown(attachments.heading)}**\n\n${lines.join('\n')}`];
}

export function renderBlockMarkdown(block: ReportBlock, labels: { readonly value: string }): string {
  switch (block.kind) {
    case 'paragraph':
      return escapeMarkdown(block.text);
    case 'facts':
      return block.items.map((item) => `- **${escapeMarkdown(item.label)}:** ${escapeMarkdown(item.value)}`).join('\n');
    case 'table':
      return block.rows.length === 0 ? '' : `*${escapeMarkdown(block.caption)}*\n\n${table(block.columns, block.rows, new Set(block.numericColumns))}`;
    case 'bars':
      return block.bars.length === 0
        ? ''
        : `*${escapeMarkdown(block.caption)}*\n\n${table([block.caption, labels.value], block.bars.map((bar) => [bar.label, String(bar.value)]), new Set([1]))}`;
    case 'entries':
      return block.items
        .map((item) =>
          [
            `### ${escapeMarkdown(item.title)}`,
            `*${escapeMarkdown(item.meta)}*`,
            ...(item.summary ? [escapeMarkdown(item.summary)] : []),
            ...item.content.map((part) => `**${escapeMarkdown(part.heading)}**\n\n${escapeMarkdown(part.text)}`),
            ...attachmentsMarkdown(item.attachments),
            escapeMarkdown(item.attribution),
            item.labels.map((label) => `\`${label.replace(/`/g, "'")}\``).join(' '),
          ].join('\n\n'),
        )
        .join('\n\n');
  }
}

export function renderSectionMarkdown(section: ReportSection, labels: { readonly value: string }): string {
  const blocks = section.blocks.map((block) => renderBlockMarkdown(block, labels)).filter(Boolean);
  return [`## ${escapeMarkdown(section.heading)}`, ...blocks].join('\n\n');
}

/** `valueLabel` heads the number column of a chart's table ("Count", "数量"). */
export function renderReportMarkdown(model: ReportModel, valueLabel: string): string {
  const labels = { value: valueLabel };
  const head = [
    `# ${escapeMarkdown(model.title)}`,
    ...(model.subtitle ? [`**${escapeMarkdown(model.subtitle)}**`] : []),
    escapeMarkdown(model.generatedAtText),
    model.criteria.map((line) => `- ${escapeMarkdown(line)}`).join('\n'),
  ];
  return `${[...head, ...[model.freshnessSection, ...model.sections].map((section) => renderSectionMarkdown(section, labels))].join('\n\n')}\n`;
}
