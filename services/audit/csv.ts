// CSV for auditors' spreadsheets (RFC 4180, every cell quoted). Values came from the network, so a
// cell that a spreadsheet would run as a formula (= + - @, tab, CR) gets a leading apostrophe, and
// so does a cell that already starts with one: decoding removes exactly one, so nothing is lost
// and the entry hashes as it was chained.
const FORMULA = /^[=+\-@\t\r']/;

export function csvCell(value: string): string {
  const safe = FORMULA.test(value) ? `'${value}` : value;
  return `"${safe.replace(/"/g, '""')}"`;
}

export function csvRow(values: string[]): string {
  return values.map(csvCell).join(',') + '\r\n';
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
