// Rows printed as aligned columns for people (cli-table3 without borders): each column as wide as
// its widest cell, two spaces between columns, nothing after the last. Widths count what a terminal
// shows (wide characters, colour codes), which padEnd does not.
import Table from 'cli-table3';

const NO_BORDER = { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ' };

/** One string per row. */
export function columns(rows: string[][]): string[] {
  if (rows.length === 0) return [];
  const table = new Table({ chars: NO_BORDER, style: { 'padding-left': 0, 'padding-right': 0, head: [], border: [] } });
  table.push(...rows);
  return table.toString().split('\n').map((l) => l.trimEnd());
}
