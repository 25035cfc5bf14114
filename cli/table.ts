/** A plain-text table: one header row, columns padded, numbers right-aligned, long cells cut with "…". */
export interface Column {
  header: string;
  align?: 'left' | 'right';
  /** Upper bound of the column's width. */
  max?: number;
  /** This column takes the width left over by the others (at least `min`). */
  flex?: boolean;
  min?: number;
}

function cut(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= width ? flat : `${flat.slice(0, Math.max(0, width - 1))}…`;
}

export function renderTable(columns: Column[], rows: string[][], totalWidth = 100): string {
  const gap = 2;
  const widths = columns.map((c, i) => Math.min(c.max ?? Infinity, Math.max(c.header.length, ...rows.map((r) => r[i].replace(/\s+/g, ' ').trim().length))));
  const flex = columns.findIndex((c) => c.flex);
  if (flex >= 0) {
    const others = widths.reduce((sum, w, i) => (i === flex ? sum : sum + w), 0) + gap * (columns.length - 1);
    widths[flex] = Math.max(columns[flex].min ?? 10, Math.min(widths[flex], totalWidth - others));
  }
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => {
        const text = cut(cell, widths[i]);
        return columns[i].align === 'right' ? text.padStart(widths[i]) : text.padEnd(widths[i]);
      })
      .join(' '.repeat(gap))
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...rows.map(line)].join('\n');
}

export const formatCount = (n: number | bigint) => Number(n).toLocaleString('en-US');
