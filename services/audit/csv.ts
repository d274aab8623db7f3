// CSV for auditors' spreadsheets (RFC 4180, every cell quoted), written by csv-stringify. Values
// came from the network, so a value that a spreadsheet would run as a formula (= + - @, tab, CR,
// and the full-width = + - @ that Apple Numbers folds to them) gets a leading apostrophe, and so does a value that already starts with one: decoding removes
// exactly one, so nothing is lost and the entry hashes as it was chained. The header is ours and
// written as it is (exports before issue 13 prefixed it too: `'@timestamp`; uncell reads both).
// csv-stringify's own escape_formulas is not used: it would prefix the header, and it leaves a
// leading apostrophe alone, which would make decoding ambiguous.
// The reader stays hand-written: verify must read back exactly what was hashed, cell by cell, and
// name the line of the first malformed record; fifty lines with their tests are enough for that.
import { stringify } from 'csv-stringify/sync';

const FORMULA = /^[=+\-@\t\r'\uFF1D\uFF0B\uFF0D\uFF20]/;

/** A value, made safe for a spreadsheet (reversible with uncell). */
export function guardCell(value: string): string {
  return FORMULA.test(value) ? `'${value}` : value;
}

function csvLine(cells: string[]): string {
  return stringify([cells], { quoted: true, quoted_empty: true, record_delimiter: 'windows' });
}

/** The header line: our own column names, unguarded. */
export function csvHeader(columns: readonly string[]): string {
  return csvLine([...columns]);
}

/** One record of values from the log, each guarded. */
export function csvRow(values: string[]): string {
  return csvLine(values.map(guardCell));
}

export function uncell(cell: string): string {
  return cell.startsWith("'") ? cell.slice(1) : cell;
}

export interface CsvRecord {
  cells: string[];
  /** 1-based line where the record starts */
  line: number;
}

/** Parses RFC 4180 text; throws with the line of the first malformed record. */
export function parseCsv(text: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const endCell = () => {
    cells.push(cell);
    cell = '';
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
        const next = text[i + 1];
        if (next !== undefined && next !== ',' && next !== '\r' && next !== '\n') throw new Error(`line ${line}: text after a closing quote`);
      } else {
        if (c === '\n') line++;
        cell += c;
      }
      i++;
      continue;
    }
    if (c === '"') {
      if (cell !== '') throw new Error(`line ${line}: a quote inside an unquoted cell`);
      quoted = true;
    } else if (c === ',') endCell();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endCell();
      out.push({ cells, line: recordLine });
      cells = [];
      line++;
      recordLine = line;
    } else cell += c;
    i++;
  }
  if (quoted) throw new Error(`line ${recordLine}: unterminated quoted cell`);
  if (cell !== '' || cells.length) {
    endCell();
    out.push({ cells, line: recordLine });
  }
  return out;
}
